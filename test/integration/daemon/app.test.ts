import { afterEach, describe, expect, inject, it } from 'vitest';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { join } from 'node:path';
import { createApp } from '../../../src/app.js';
import type { App } from '../../../src/app.js';
import { loadConfig } from '../../../src/config/index.js';
import { silentLogger, tradingDate } from '../../../src/domain/index.js';
import { createOrderWorker, createProducers } from '../../../src/queues/index.js';
import type { OrderJob } from '../../../src/queues/index.js';
import { daemonEnv, readOrders, ROOT, spawnDaemon, startSharedSim, waitFor, waitForAsync } from '../../helpers/daemon.js';
import type { DaemonEnv, SimHarness } from '../../helpers/daemon.js';

/** The daemon in-process against the simulator over HTTP, real Redis and a temp SQLite file. */
const DATE = tradingDate('20261126');
const QUIET = { KIS_TRADER__STRATEGIES__MOMENTUM_VOLUME__PARAMS__MIN_CHANGE_PCT: '29', KIS_TRADER__STRATEGIES__MOMENTUM_VOLUME__PARAMS__MAX_CHANGE_PCT: '30' };
const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Started { app: App; h: SimHarness; d: DaemonEnv; redis: Redis; stop(): Promise<void> }

async function startApp(faults: string[] = [], extra: Record<string, string> = {}): Promise<Started> {
  const h = await startSharedSim({ date: DATE, hhmmss: '103000', faults });
  const d = daemonEnv(h, inject('redisUrl'), { ...QUIET, ...extra });
  const loaded = loadConfig({ dir: join(ROOT, 'config'), env: d.env });
  const app = createApp({ loaded, env: d.env, cwd: ROOT, log: silentLogger });
  const redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: null });
  cleanups.push(() => h.stop(), () => d.cleanup(), () => redis.quit());
  await app.start();
  let stopped = false;
  cleanups.push(() => (stopped ? undefined : app.stop()));
  return { app, h, d, redis, stop: async () => { stopped = true; await app.stop(); } };
}

const buy = (symbol: string, key = `i.app-test.${symbol}.buy.${DATE}.entry`): OrderJob => ({
  intentKey: key, symbol, side: 'buy', type: 'market', qty: 2, price: 0, tradingDate: DATE, decisionId: null, configHash: 'test', reason: 'test',
});

/** Waits until the order job `id` has finished, and returns its final state. */
async function finishedState(redis: Redis, prefix: string, id: string): Promise<string> {
  const q = new Queue('orders', { connection: redis, prefix });
  try {
    return await waitForAsync(async () => {
      const state = await (await q.getJob(id))?.getState();
      return state === 'completed' || state === 'failed' ? state : undefined;
    }, 20_000, `order job ${id} to finish`);
  } finally {
    await q.close();
  }
}

describe('the order path', () => {
  it('a duplicate enqueue of the same intent is a no-op, even under another job id', async () => {
    const { h, d, redis } = await startApp();
    const producers = createProducers(redis, d.prefix, silentLogger);
    cleanups.push(() => producers.close());
    const job = buy(h.sim.market.symbols()[2]!.code);
    expect(await producers.orders.add(job.intentKey, job)).toBe(true);
    expect(await producers.orders.add(job.intentKey, job)).toBe(false);
    await waitFor(() => readOrders(d.dbPath).find((o) => o.intent_key === job.intentKey && o.status === 'filled'), 20_000, 'the order to fill');
    // Redis lost its jobs and the intent came again: the UNIQUE intent key in SQLite refuses it.
    expect(await producers.orders.add('replayed-after-redis-loss', job)).toBe(true);
    expect(await finishedState(redis, d.prefix, 'replayed-after-redis-loss')).toBe('completed');
    expect(readOrders(d.dbPath).filter((o) => o.intent_key === job.intentKey)).toHaveLength(1);
    expect(h.sim.exchange.ordersReceived).toBe(1);
  }, 60_000);

  it('an accept-then-drop order is classified unknown, found by reconciliation and never sent again', async () => {
    const { h, d, redis } = await startApp(['accept-then-drop:order-cash:1']);
    const producers = createProducers(redis, d.prefix, silentLogger);
    cleanups.push(() => producers.close());
    const job = buy(h.sim.market.symbols()[4]!.code);
    await producers.orders.add(job.intentKey, job);
    const row = await waitFor(() => readOrders(d.dbPath).find((o) => o.intent_key === job.intentKey && o.status === 'filled'), 30_000, 'the dropped order to be reconciled');
    expect(row.venue_order_id).toBe(h.sim.exchange.orders('50000000-01', DATE)[0]!.odno);
    expect(h.sim.exchange.ordersReceived).toBe(1);
  }, 60_000);

  it('does not send an intent that waited in the queue longer than its age limit', async () => {
    const { app, h, d, redis } = await startApp();
    const producers = createProducers(redis, d.prefix, silentLogger);
    cleanups.push(() => producers.close());
    const job = { ...buy(h.sim.market.symbols()[8]!.code), decidedAt: app.clock.now() - 10 * 60_000 };
    await producers.orders.add(job.intentKey, job);
    const row = await waitFor(() => readOrders(d.dbPath).find((o) => o.intent_key === job.intentKey && o.status === 'rejected'), 20_000, 'the stale intent to be refused');
    expect(row.venue_order_id).toBeNull();
    expect(app.store.orders.byIntentKey(job.intentKey)?.rejectCode).toBe('LOCAL_STALE');
    expect(h.sim.exchange.ordersReceived).toBe(0);
  }, 60_000);

  it('graceful shutdown lets the order in flight finish and records its answer', async () => {
    const { h, d, redis, stop } = await startApp(['latency:order-cash:1:1500']);
    const producers = createProducers(redis, d.prefix, silentLogger);
    const job = buy(h.sim.market.symbols()[6]!.code);
    await producers.orders.add(job.intentKey, job);
    await producers.close();
    await waitFor(() => (h.sim.faults.active().some((f) => f.kind === 'latency') ? undefined : true), 20_000, 'the POST to be in flight');
    await stop();
    const row = readOrders(d.dbPath).find((o) => o.intent_key === job.intentKey);
    expect(row?.venue_order_id).toMatch(/^\d{10}$/);
    expect(['accepted', 'partial', 'filled']).toContain(row?.status);
    expect(h.sim.exchange.ordersReceived).toBe(1);
  }, 60_000);
});

describe('the order worker', () => {
  it('fails a stalled order job instead of running it a second time', async () => {
    const redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: null });
    const prefix = `t-stall-${Date.now()}`;
    cleanups.push(() => redis.quit());
    const producers = createProducers(redis, prefix, silentLogger);
    cleanups.push(() => producers.close());
    let runs = 0;
    let started!: () => void;
    const running = new Promise<void>((r) => { started = r; });
    // Worker A takes the job and "dies" mid-job: force-closed, its lock never renewed.
    const a = createOrderWorker(redis, prefix, async () => { runs++; started(); await new Promise(() => undefined); }, silentLogger, { lockDurationMs: 500, stalledIntervalMs: 200 });
    a.run();
    await producers.orders.add('stall-1', buy('005930', 'stall-1'));
    await running;
    await a.worker.close(true);
    // Worker B must fail it as stalled and never call the processor.
    const b = createOrderWorker(redis, prefix, () => { runs++; return Promise.resolve(); }, silentLogger, { lockDurationMs: 500, stalledIntervalMs: 200 });
    b.run();
    cleanups.push(() => b.close());
    const q = new Queue('orders', { connection: redis, prefix });
    cleanups.push(() => q.close());
    const failed = await waitForAsync(async () => {
      const job = await q.getJob('stall-1');
      return job && (await job.getState()) === 'failed' ? job : undefined;
    }, 10_000, 'the stalled job to fail');
    expect(failed.failedReason).toMatch(/stalled/);
    expect(runs).toBe(1);
  }, 30_000);
});

describe('startup', () => {
  it('refuses to start without Redis, with a message naming it, and exits non-zero', async () => {
    const h = await startSharedSim({ date: DATE, hhmmss: '103000' });
    const d = daemonEnv(h, 'redis://127.0.0.1:1');
    cleanups.push(() => h.stop(), () => d.cleanup());
    const p = spawnDaemon(d.env);
    const exit = await p.exited;
    expect(exit.code).toBe(1);
    const fatal = p.lines.find((l) => l.level === 60);
    expect(String(fatal?.msg)).toMatch(/Redis at redis:\/\/127\.0\.0\.1:1 does not answer/);
    expect(h.sim.stats().requests).toBe(0);
  }, 30_000);

  it('rejects a config typo with exit 78 before connecting anywhere', async () => {
    const h = await startSharedSim({ date: DATE, hhmmss: '103000' });
    const d = daemonEnv(h, inject('redisUrl'), { KIS_TRADER__RISK__MAX_POSITONS: '3' });
    cleanups.push(() => h.stop(), () => d.cleanup());
    const p = spawnDaemon(d.env);
    const exit = await p.exited;
    expect(exit.code).toBe(78);
    expect(p.stderr.join('')).toMatch(/risk\.maxPositons/);
    expect(h.sim.stats().requests).toBe(0);
  }, 30_000);
});

