import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { spawnCli, tempDir } from '../../helpers/cli.js';
import { ROOT } from '../../helpers/daemon.js';

/**
 * `kis-trader sweep --redis URL` with `kis-trader sweep-worker` processes on this machine, as an
 * operator runs them on several: the ranking is the one of a sweep on threads, a worker killed
 * holding a point has it run again by another, and the sweep leaves nothing behind in Redis.
 */
const REDIS = 'redis://127.0.0.1:6379';
const SIM = ['--source', 'sim', '--seed', '7', '--symbols', '10', '--from', '2025-01-02', '--to', '2025-02-28'];
const GRID = {
  'strategies.momentum-volume.params.minChangePct': [1, 2],
  'strategies.momentum-volume.exits.stopLossPct': [2, 3],
};

interface Worker { child: ChildProcess; log: () => string; exited: Promise<number | null> }
const workers: Worker[] = [];
afterEach(() => {
  for (const w of workers.splice(0)) w.child.kill('SIGKILL');
});

function startWorker(dir: string, env: Record<string, string>): Worker {
  const child = spawn(process.execPath, [
    '--import', import.meta.resolve('tsx'), join(ROOT, 'src', 'cli', 'main.ts'),
    'sweep-worker', '--redis', REDIS, '--threads', '1', '--lock-seconds', '2',
  ], { cwd: dir, env: { PATH: process.env.PATH ?? '', HOME: dir, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr.on('data', (d: Buffer) => { log += d.toString(); });
  const w = { child, log: () => log, exited: new Promise<number | null>((r) => child.on('exit', (code) => r(code))) };
  workers.push(w);
  return w;
}

async function until(what: string, check: () => boolean, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const doneLines = (log: string): string[] => [...log.matchAll(/point (\d+) done/g)].map((m) => m[1]!);

function setup(): { dir: string; env: Record<string, string>; prefix: string } {
  const dir = tempDir('kis-sweepq-');
  writeFileSync(join(dir, 'grid.json'), JSON.stringify(GRID));
  const prefix = `t${randomBytes(4).toString('hex')}`;
  return { dir, prefix, env: { KIS_TRADER__REDIS__PREFIX: prefix } };
}

async function leftovers(prefix: string): Promise<{ keys: string[]; jobs: number }> {
  const redis = new Redis(REDIS, { maxRetriesPerRequest: null });
  const queue = new Queue('sweep', { connection: redis, prefix });
  try {
    const keys = await redis.keys(`${prefix}:sweep:*:bars`);
    const counts = await queue.getJobCounts('waiting', 'active', 'completed', 'failed', 'delayed');
    return { keys, jobs: Object.values(counts).reduce((a, b) => a + b, 0) };
  } finally {
    await queue.close();
    redis.disconnect();
  }
}

describe('kis-trader sweep --redis', () => {
  it('two sweep-worker processes give the ranking of a sweep on threads, and leave nothing behind', async () => {
    const { dir, env, prefix } = setup();
    const [a, b] = [startWorker(dir, env), startWorker(dir, env)];
    await until('the workers to start', () => a.log().includes('taking points') && b.log().includes('taking points'));
    const dist = await spawnCli(['sweep', '--grid', 'grid.json', ...SIM, '--redis', REDIS, '--json'], dir, env);
    expect(dist.err).toBe('');
    expect(dist.code).toBe(0);
    const local = await spawnCli(['sweep', '--grid', 'grid.json', ...SIM, '--workers', '1', '--json'], dir, env);
    expect(local.code).toBe(0);
    expect(dist.out).toBe(local.out);
    // every point ran once, on one worker or the other
    expect([...doneLines(a.log()), ...doneLines(b.log())].sort()).toEqual(['1', '2', '3', '4']);
    expect(await leftovers(prefix)).toEqual({ keys: [], jobs: 0 });

    a.child.kill('SIGTERM');
    expect(await a.exited).toBe(0);
    expect(a.log()).toContain('SIGTERM: finishing the points in hand');
  }, 240_000);

  it('runs again the point of a worker killed while holding it', async () => {
    const { dir, env, prefix } = setup();
    const a = startWorker(dir, env);
    await until('worker a to start', () => a.log().includes('taking points'));
    const sweep = spawnCli(['sweep', '--grid', 'grid.json', ...SIM, '--redis', REDIS, '--json'], dir, env);
    await until('worker a to take a point', () => /point \d+ started/.test(a.log()));
    a.child.kill('SIGKILL');
    await a.exited;
    const lost = /point (\d+) started/.exec(a.log())![1]!;
    expect(doneLines(a.log())).not.toContain(lost);
    const b = startWorker(dir, env);
    const dist = await sweep;
    expect(dist.code).toBe(0);
    expect(doneLines(b.log())).toContain(lost);
    const local = await spawnCli(['sweep', '--grid', 'grid.json', ...SIM, '--workers', '1', '--json'], dir, env);
    expect(dist.out).toBe(local.out);
    expect(await leftovers(prefix)).toEqual({ keys: [], jobs: 0 });
  }, 240_000);

  it('refuses --workers with --redis, and names a Redis that does not answer', async () => {
    const { dir, env } = setup();
    const both = await spawnCli(['sweep', '--grid', 'grid.json', ...SIM, '--redis', REDIS, '--workers', '2'], dir, env);
    expect(both.code).toBe(2);
    expect(both.err).toContain('--workers goes without --redis');
    const none = await spawnCli(['sweep-worker', '--redis', 'redis://127.0.0.1:1'], dir, env);
    expect(none.code).not.toBe(0);
    expect(none.err).toContain('Redis at redis://127.0.0.1:1 does not answer');
    expect(none.err).toContain('check --redis');
  }, 240_000);
});
