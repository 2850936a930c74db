import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sha256Of } from '../../../src/backtest/index.js';
import { spawnCli, tempDir } from '../../helpers/cli.js';

/**
 * `kis-trader walkforward` as an operator runs it (docs/backtest.md §8): a 2 × 2 grid over the
 * synthetic market in windows of 20 train and 10 test days. The windows tile the period, each test
 * follows its own train, the test runs chain their cash, and each window's choice and test run are
 * what `sweep` and `backtest` give for the same days.
 */
const SIM = ['--source', 'sim', '--seed', '7', '--symbols', '10'];
const PERIOD = ['--from', '2025-01-02', '--to', '2025-03-31'];
const GRID = {
  'strategies.momentum-volume.params.minChangePct': [1, 2],
  'strategies.momentum-volume.exits.stopLossPct': [2, 3],
};

interface Period { from: string; to: string; days: number }
interface Summary { startEquity: number; endEquity: number; days: number; net: number }
interface Walk {
  windows: {
    train: Period; test: Period; index: number; params: Record<string, unknown>;
    inSample: { objective: number; hash: string }; outOfSample: { hash: string; summary: Summary };
  }[];
  outOfSample: { from: string; to: string };
  summary: Summary;
  hash: string;
  daily: { date: string; equity: number; peakEquity: number }[];
}

/** `{"a.b": 1}` as the nested layer a --config-file holds. */
function layer(params: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(params)) {
    const parts = key.split('.');
    let at = out;
    for (const p of parts.slice(0, -1)) at = (at[p] ??= {}) as Record<string, unknown>;
    at[parts.at(-1)!] = v;
  }
  return out;
}

describe('kis-trader walkforward', () => {
  it('tiles the period with out-of-sample windows, chains their cash, and does not depend on the workers', async () => {
    const dir = tempDir('kis-walk-');
    writeFileSync(join(dir, 'grid.json'), JSON.stringify(GRID));
    const args = ['walkforward', '--grid', 'grid.json', ...SIM, ...PERIOD, '--train', '20', '--test', '10', '--json'];
    const one = await spawnCli([...args, '--workers', '1'], dir, {});
    expect(one.err).toBe('');
    expect(one.code).toBe(0);
    const two = await spawnCli([...args, '--workers', '2'], dir, {});
    expect(two.code).toBe(0);
    expect(two.out).toBe(one.out);
    const walk = JSON.parse(one.out) as Walk;
    const { windows, daily } = walk;
    expect(windows.length).toBeGreaterThanOrEqual(3);

    // The test windows follow each other with no gap and no overlap: their days are the stitched days.
    const dates = daily.map((d) => d.date);
    expect(new Set(dates).size).toBe(dates.length);
    expect(dates).toEqual([...dates].sort());
    expect(windows.reduce((n, w) => n + w.test.days, 0)).toBe(daily.length);
    expect(dates[0]).toBe(windows[0]!.test.from);
    expect(dates.at(-1)).toBe('20250331');
    for (const [i, w] of windows.entries()) {
      // Out of sample: each test starts the day after its own train ends.
      expect(w.train.days).toBe(20);
      expect(dates.indexOf(w.test.from)).toBe(dates.indexOf(w.test.to) - w.test.days + 1);
      expect(w.test.from > w.train.to).toBe(true);
      const next = windows[i + 1];
      if (next === undefined) continue;
      expect(w.test.days).toBe(10);
      expect(dates.indexOf(next.test.from)).toBe(dates.indexOf(w.test.to) + 1);
      // Step = test: the next train ends where this test ended.
      expect(next.train.to).toBe(w.test.to);
    }

    // The cash chains: the first test starts with backtest.initialCash, each next one with the previous end.
    expect(windows[0]!.outOfSample.summary.startEquity).toBe(100_000_000);
    for (const [i, w] of windows.entries()) {
      const end = daily[dates.indexOf(w.test.to)]!.equity;
      expect(w.outOfSample.summary.endEquity).toBe(end);
      if (i > 0) expect(w.outOfSample.summary.startEquity).toBe(windows[i - 1]!.outOfSample.summary.endEquity);
    }
    expect(walk.summary).toMatchObject({
      startEquity: 100_000_000, endEquity: daily.at(-1)!.equity, days: daily.length,
    });
    let peak = 100_000_000;
    for (const d of daily) {
      peak = Math.max(peak, d.equity);
      expect(d.peakEquity).toBe(peak);
    }
    expect(walk.hash).toBe(sha256Of(windows.map((w) => w.outOfSample.hash)));

    // Window 2's choice is sweep's rank 1 over its train days, and its test run is that point's
    // backtest over its test days from window 1's end equity.
    const w2 = windows[1]!;
    const trainDays = ['--from', w2.train.from, '--to', w2.train.to];
    const sweep = await spawnCli(['sweep', '--grid', 'grid.json', ...SIM, ...trainDays, '--json'], dir, {});
    expect(sweep.code).toBe(0);
    const top = (JSON.parse(sweep.out) as { points: { index: number; hash: string }[] }).points[0]!;
    expect([top.index, top.hash]).toEqual([w2.index, w2.inSample.hash]);
    writeFileSync(join(dir, 'best.json'), JSON.stringify(layer(w2.params)));
    const testDays = ['--from', w2.test.from, '--to', w2.test.to];
    const cash = String(w2.outOfSample.summary.startEquity);
    const best = ['--config-file', 'best.json', '--cash', cash];
    const test = await spawnCli(['backtest', ...SIM, ...testDays, ...best, '--json'], dir, {});
    expect(test.code).toBe(0);
    expect((JSON.parse(test.out) as { hash: string }).hash).toBe(w2.outOfSample.hash);
  }, 300_000);

  it('prints the windows and the stitched summary, and writes the stitched report', async () => {
    const dir = tempDir('kis-walk-');
    writeFileSync(join(dir, 'grid.json'), JSON.stringify(GRID));
    const period = ['--from', '2025-01-02', '--to', '2025-02-28'];
    const r = await spawnCli(['walkforward', '--grid', 'grid.json', ...SIM, ...period,
      '--train', '20', '--test', '10', '--workers', '2', '--out', 'walk.html'], dir, {});
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('4 points · 3 windows of train 20 / test 10 days · by net');
    const dates = '2025\\d{4} … 2025\\d{4}';
    expect(r.out).toMatch(new RegExp(`│ 1 +│ ${dates} │ ${dates} │ minChangePct=\\d stopLossPct=\\d `));
    expect(r.out).toContain('open at window ends');
    expect(r.out).toMatch(/stitched hash: [0-9a-f]{64} \(sha256 of the windows' test hashes, in order\)/);
    expect(readFileSync(join(dir, 'walk.html'), 'utf8')).toContain('<html');
  }, 240_000);

  it('refuses a period too short for one window, naming the numbers', async () => {
    const dir = tempDir('kis-walk-');
    writeFileSync(join(dir, 'grid.json'), JSON.stringify(GRID));
    const period = ['--from', '2025-01-02', '--to', '2025-01-31'];
    const args = ['walkforward', '--grid', 'grid.json', ...SIM, ...period, '--train', '20', '--test', '10'];
    const r = await spawnCli(args, dir, {});
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/^20250102 … 20250131: --train 20 \+ --test 10 need 30 trading days; the period has \d+\n$/);
  }, 240_000);
});
