import { afterEach, describe, expect, inject, it } from 'vitest';
import { Redis } from 'ioredis';
import { silentLogger, tradingDate } from '../../../src/domain/index.js';
import { createProducers } from '../../../src/queues/index.js';
import type { OrderJob } from '../../../src/queues/index.js';
import { daemonEnv, readOrders, spawnDaemon, startSharedSim } from '../../helpers/daemon.js';

/**
 * A broken invariant is fatal (docs/architecture.md §5): an order job that hits an illegal order
 * transition (a real one, through the store's gate, via KIS_TRADER_CRASHPOINT) stops the daemon
 * with exit 1 and a fatal line, instead of ending as one failed job in the BullMQ worker.
 */
const DATE = tradingDate('20261126');
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('a broken invariant at the job boundary', () => {
  it('stops the daemon non-zero with a fatal log line, and nothing is sent', async () => {
    const h = await startSharedSim({ date: DATE, hhmmss: '103000' });
    const d = daemonEnv(h, inject('redisUrl'), { KIS_TRADER__STRATEGIES__MOMENTUM_VOLUME__PARAMS__MIN_CHANGE_PCT: '29', KIS_TRADER__STRATEGIES__MOMENTUM_VOLUME__PARAMS__MAX_CHANGE_PCT: '30' });
    const redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: null });
    cleanups.push(() => h.stop(), () => d.cleanup(), async () => { await redis.quit(); });
    const p = spawnDaemon({ ...d.env, KIS_TRADER_CRASHPOINT: 'invalid-transition' });
    cleanups.push(async () => { if (p.child.exitCode === null && p.child.signalCode === null) { p.child.kill('SIGKILL'); await p.exited; } });
    await p.waitForLog((l) => l.msg === 'kis-trader ready');

    const symbol = h.sim.market.symbols()[3]!.code;
    const job: OrderJob = {
      intentKey: `i.invariant-test.${symbol}.buy.${DATE}.entry`, symbol, side: 'buy', type: 'market', qty: 3, price: 0,
      tradingDate: DATE, decisionId: null, configHash: 'test', reason: 'invariant test',
    };
    const producers = createProducers(redis, d.prefix, silentLogger);
    expect(await producers.orders.add(job.intentKey, job)).toBe(true);
    await producers.close();

    const exit = await p.exited;
    expect(exit.code).toBe(1);
    const fatal = p.lines.find((l) => l.level === 60);
    expect(fatal).toMatchObject({ code: 'ORDER_INVALID_TRANSITION' });
    expect(readOrders(d.dbPath).find((o) => o.intent_key === job.intentKey)?.status).toBe('submitting');
    expect(h.sim.exchange.ordersReceived).toBe(0);
  }, 90_000);
});
