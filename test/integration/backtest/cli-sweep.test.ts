import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnCli, tempDir } from '../../helpers/cli.js';

/**
 * `kis-trader sweep` as an operator runs it (the CLI through tsx, so the worker threads load the .ts
 * worker): a 4-point grid over the synthetic market, ranked the same whatever the worker count, and a
 * grid key that is no config path refused before anything runs.
 */
const SIM = ['--source', 'sim', '--seed', '7', '--symbols', '10', '--from', '2025-01-02', '--to', '2025-02-28'];
const GRID = {
  'strategies.momentum-volume.params.minChangePct': [1, 2],
  'strategies.momentum-volume.exits.stopLossPct': [2, 3],
};

interface Sweep { objective: string; points: { rank: number; index: number; objective: number; stability: number; hash: string }[] }

describe('kis-trader sweep', () => {
  it('ranks a 4-point grid, and one worker and two give the same JSON', async () => {
    const dir = tempDir('kis-sweep-');
    writeFileSync(join(dir, 'grid.json'), JSON.stringify(GRID));
    const one = await spawnCli(['sweep', '--grid', 'grid.json', ...SIM, '--workers', '1', '--json'], dir, {});
    expect(one.err).toBe('');
    expect(one.code).toBe(0);
    const two = await spawnCli(['sweep', '--grid', 'grid.json', ...SIM, '--workers', '2', '--json'], dir, {});
    expect(two.code).toBe(0);
    expect(two.out).toBe(one.out);
    const sweep = JSON.parse(one.out) as Sweep;
    expect(sweep.objective).toBe('net');
    expect(sweep.points.map((p) => p.rank)).toEqual([1, 2, 3, 4]);
    expect(new Set(sweep.points.map((p) => p.index))).toEqual(new Set([0, 1, 2, 3]));
    const objectives = sweep.points.map((p) => p.objective);
    expect(objectives).toEqual([...objectives].sort((a, b) => b - a));
    // Each point of a 2 × 2 grid has two neighbours: its stability is their mean.
    const byIndex = new Map(sweep.points.map((p) => [p.index, p]));
    const obj = (i: number): number => byIndex.get(i)!.objective;
    expect(byIndex.get(0)!.stability).toBeCloseTo((obj(1) + obj(2)) / 2, 6);
    expect(byIndex.get(3)!.stability).toBeCloseTo((obj(1) + obj(2)) / 2, 6);
    expect(byIndex.get(1)!.stability).toBeCloseTo((obj(0) + obj(3)) / 2, 6);

    const table = await spawnCli(['sweep', '--grid', 'grid.json', ...SIM, '--top', '2'], dir, {});
    expect(table.code).toBe(0);
    const best = sweep.points[0]!;
    expect(table.out).toContain('4 points · by net · universe: rankings rebuilt from bars on 41 days');
    expect(table.out).toMatch(new RegExp(`│ 1 +│ minChangePct=\\d stopLossPct=\\d .*│ ${best.hash.slice(0, 12)} │`));
    expect(table.out).toContain('… 2 more');
  }, 240_000);

  it('draws a random search from the grid, the same points for the same seed', async () => {
    const dir = tempDir('kis-sweep-');
    writeFileSync(join(dir, 'grid.json'), JSON.stringify({
      'strategies.momentum-volume.params.minChangePct': { min: 1, max: 3, step: 1 },
      'strategies.momentum-volume.exits.stopLossPct': [2, 3],
    }));
    const args = ['sweep', '--grid', 'grid.json', ...SIM, '--random', '3', '--random-seed', '5', '--json'];
    const one = await spawnCli(args, dir, {});
    expect(one.err).toBe('');
    expect(one.code).toBe(0);
    const sweep = JSON.parse(one.out) as Sweep & { title: string };
    expect(sweep.title).toContain('3 random points of 6');
    expect(sweep.points).toHaveLength(3);
    const again = await spawnCli(args, dir, {});
    expect(again.out).toBe(one.out);
    const lone = await spawnCli(['sweep', '--grid', 'grid.json', ...SIM, '--random-seed', '5'], dir, {});
    expect(lone.code).toBe(2);
    expect(lone.err).toContain('--random-seed goes with --random');
  }, 240_000);

  it('refuses a grid key that is no config path, naming the key and the point', async () => {
    const dir = tempDir('kis-sweep-');
    writeFileSync(join(dir, 'grid.json'), JSON.stringify({ ...GRID, 'risk.nope': [1] }));
    const r = await spawnCli(['sweep', '--grid', 'grid.json', ...SIM], dir, {});
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toContain('grid point 1 of 4');
    expect(r.err).toContain('risk.nope: unrecognized key');
  }, 30_000);
});
