import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/domain/index.js';
import type { Logger } from '../../../src/domain/index.js';
import { freePort, pingRedis } from '../../../src/runtime/index.js';
import { createProducers, createSignalWorker, startWorkerWatchdog } from '../../../src/queues/index.js';
import { waitFor, waitForAsync } from '../../helpers/daemon.js';

/**
 * A Redis that dies as the signal worker starts: BullMQ 6.7.0's worker then, in most runs here,
 * never fetches again after Redis returns (without the watchdog this test timed out in 2 of 2
 * runs). The watchdog restarts it and the waiting jobs run.
 */
const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function server(port: number, dir: string): ChildProcess {
  return spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--save', ''], { stdio: 'ignore' });
}

describe('the worker watchdog', () => {
  it('gets a worker whose Redis died at its start processing again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kis-wd-'));
    const port = await freePort();
    const url = `redis://127.0.0.1:${port}`;
    let srv = server(port, dir);
    cleanups.push(() => { srv.kill('SIGKILL'); rmSync(dir, { recursive: true, force: true }); });
    await waitForAsync(async () => ((await pingRedis(url)) ? true : undefined), 10_000, 'redis-server');
    // as the daemon connects (app.ts connectRedis)
    const redis = new Redis(url, { maxRetriesPerRequest: null, lazyConnect: true, connectTimeout: 3000 });
    redis.on('error', () => undefined);
    await redis.connect();
    const producers = createProducers(redis, 'wd', silentLogger);
    let processed = 0;
    const restarts: string[] = [];
    const log: Logger = { ...silentLogger, error: (obj: unknown, msg?: string) => { restarts.push(String(msg ?? obj)); } };
    cleanups.push(async () => { await producers.close(); redis.disconnect(); });

    // jobs keep arriving as the worker starts, as the first scan's do
    let n = 0;
    const add = (): Promise<boolean> => producers.signals.add(`s.${n++}`, {
      kind: 'exit', strategy: null, symbol: '005930', name: '', tradingDate: '20261207', scanSnapshotIds: [], candidate: null, enqueuedAt: 0,
    }).catch(() => false);
    const adder = setInterval(() => { void add(); }, 20);
    cleanups.push(() => clearInterval(adder));
    await new Promise((r) => setTimeout(r, 100));
    // created and run together, as the daemon does at start; Redis dies 10 ms later
    const worker = createSignalWorker(redis, 'wd', 2, () => { processed++; return Promise.resolve(); }, silentLogger);
    cleanups.push(() => worker.close().catch(() => undefined));
    worker.run();
    await new Promise((r) => setTimeout(r, 10));
    srv.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 6000));
    srv = server(port, dir);
    await waitForAsync(async () => ((await pingRedis(url)) ? true : undefined), 10_000, 'redis-server again');
    await waitFor(() => (redis.status === 'ready' ? true : undefined), 10_000, 'the connection back');
    const before = processed;
    const dog = startWorkerWatchdog({
      workers: [{ name: 'signals', handle: worker, waiting: async () => (await producers.counts()).signals.waiting ?? 0 }],
      redisReady: () => redis.status === 'ready', log, stallMs: 2_000, everyMs: 500,
    });
    cleanups.push(() => dog.stop());
    await waitFor(() => (processed >= before + 5 ? true : undefined), 30_000, 'the waiting jobs to run');
    expect(processed).toBeGreaterThanOrEqual(before + 5);
    // when the race struck (most runs here), the watchdog says so once
    expect(restarts.length).toBeLessThanOrEqual(1);
  }, 60_000);
});
