import { Redis } from 'ioredis';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { silentLogger } from '../../../src/domain/index.js';
import { createProducers, createSignalWorker } from '../../../src/queues/index.js';
import type { SignalJob } from '../../../src/queues/index.js';
import { waitFor } from '../../helpers/daemon.js';

/**
 * Exits and entries share the signals queue. A scan of many candidates for several strategies
 * queues many entries; an exit queued behind them must not wait for them all (seen with six
 * strategies at 20× sim speed: a filled position had no exit decision for 30 sim-minutes).
 */
const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const job = (kind: 'entry' | 'exit', symbol: string): SignalJob => ({
  kind, strategy: kind === 'entry' ? 'momentum-volume' : null, symbol, name: '', tradingDate: '20261207', scanSnapshotIds: [],
  candidate: null, enqueuedAt: 0,
});

describe('the signals queue', () => {
  it('runs an exit before the entries queued ahead of it, and entries in the order they came', async () => {
    const redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: null });
    const prefix = `prio-${process.pid}-${Date.now()}`;
    const producers = createProducers(redis, prefix, silentLogger);
    cleanups.push(async () => {
      await producers.close();
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
    });
    for (const s of ['000001', '000002', '000003', '000004']) await producers.signals.add(`s.entry.${s}`, job('entry', s));
    await producers.signals.add('s.exit.005930', job('exit', '005930'));
    // every one of them counts as waiting, whichever list holds it (the watchdog and `status` read this)
    expect((await producers.counts()).signals.waiting).toBe(5);

    const order: string[] = [];
    const worker = createSignalWorker(redis, prefix, 1, (j) => { order.push(`${j.kind} ${j.symbol}`); return Promise.resolve(); }, silentLogger);
    cleanups.push(() => worker.close());
    worker.run();
    await waitFor(() => (order.length === 5 ? true : undefined), 10_000, 'five jobs processed');
    expect(order).toEqual(['exit 005930', 'entry 000001', 'entry 000002', 'entry 000003', 'entry 000004']);
  });

  it('with an adaptive concurrency runs as many jobs at once as its source says, each once', async () => {
    const redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: null });
    const prefix = `conc-${process.pid}-${Date.now()}`;
    const producers = createProducers(redis, prefix, silentLogger);
    cleanups.push(async () => {
      await producers.close();
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
    });
    for (let i = 1; i <= 7; i++) await producers.signals.add(`s.entry.${i}`, job('entry', `00000${i}`));
    let size = 1;
    let running = 0;
    let most = 0;
    const done: string[] = [];
    const waiting: Array<() => void> = [];
    const worker = createSignalWorker(redis, prefix, () => size, async (j) => {
      running++;
      most = Math.max(most, running);
      await new Promise<void>((resolve) => { waiting.push(resolve); });
      running--;
      done.push(j.symbol);
    }, silentLogger);
    cleanups.push(() => worker.close());
    worker.run();
    await waitFor(() => (waiting.length === 1 ? true : undefined), 10_000, 'the first job running');
    expect(worker.worker.concurrency).toBe(1);
    // the window grew (say the reads got slower): from the next job on, three at a time
    size = 3;
    waiting.shift()!();
    await waitFor(() => (running === 3 ? true : undefined), 10_000, 'three jobs running at once');
    while (done.length < 7) {
      waiting.splice(0).forEach((go) => { go(); });
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(most).toBe(3);
    expect(done.sort()).toEqual(['000001', '000002', '000003', '000004', '000005', '000006', '000007']);
  });
});
