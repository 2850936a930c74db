import { afterEach, describe, expect, inject, it } from 'vitest';
import { Redis } from 'ioredis';
import { krw, shares, stockCode, tradingDate } from '../../../src/domain/index.js';
import type { OrderIntent } from '../../../src/domain/index.js';
import { openStore } from '../../../src/store/index.js';
import { daemonEnv, readOrders, spawnDaemon, startSharedSim, waitFor } from '../../helpers/daemon.js';
import type { DaemonProcess } from '../../helpers/daemon.js';

/**
 * SQLite is the truth, Redis the transport (docs/architecture.md §2): an intent written to the
 * trade log whose order job Redis lost (flushed, or a crash between the INSERT and the job) is
 * sent from SQLite by the next start's reconcile, once; a further restart sends nothing again
 * (issue 14, chaos "Redis": pending intents re-enqueued from SQLite).
 */
const DATE = tradingDate('20261126');
const QUIET = { KIS_TRADER__STRATEGIES__MOMENTUM_VOLUME__PARAMS__MIN_CHANGE_PCT: '29', KIS_TRADER__STRATEGIES__MOMENTUM_VOLUME__PARAMS__MAX_CHANGE_PCT: '30' };
const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('an intent in SQLite whose job Redis lost', () => {
  it('is sent by the next start, once, and never again after another restart', async () => {
    const h = await startSharedSim({ date: DATE, hhmmss: '103000' });
    const d = daemonEnv(h, inject('redisUrl'), QUIET);
    const redis = new Redis(inject('redisUrl'));
    cleanups.push(() => h.stop(), () => d.cleanup(), () => redis.quit());
    const run = async (): Promise<DaemonProcess> => {
      const p = spawnDaemon(d.env);
      cleanups.push(async () => { if (p.child.exitCode === null && p.child.signalCode === null) { p.child.kill('SIGKILL'); await p.exited; } });
      await p.waitForLog((l) => l['msg'] === 'kis-trader ready');
      return p;
    };
    const stop = async (p: DaemonProcess): Promise<void> => {
      p.child.kill('SIGINT');
      expect((await p.exited).code).toBe(0);
    };

    // A first life creates the trade log. Stopped, the log gets an intent no queue knows of, and
    // this daemon's Redis keys are flushed (only its prefix: the Redis is shared with other tests).
    await stop(await run());
    const symbol = stockCode(h.sim.market.symbols()[5]!.code);
    const intent: OrderIntent = {
      intentKey: `i.pending-test.${symbol}.buy.${DATE}.entry`, symbol, side: 'buy', type: 'market', qty: shares(3), price: krw(0),
      tradingDate: DATE, decisionId: null, configHash: 'test', reason: 'pending intent test',
    };
    const store = openStore({ path: d.dbPath, synchronous: 'FULL', clock: h.clock });
    store.orders.insertIntent(intent, h.clock.now());
    store.close();
    const keys = await redis.keys(`${d.prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    expect(h.sim.exchange.ordersReceived).toBe(0);

    const second = await run();
    const sent = await waitFor(() => readOrders(d.dbPath).find((o) => o.intent_key === intent.intentKey && o.status === 'filled'), 40_000, 'the pending intent to be sent and filled');
    expect(h.sim.exchange.ordersReceived).toBe(1);
    expect(sent.venue_order_id).toBe(h.sim.exchange.orders('50000000-01', DATE)[0]!.odno);
    await stop(second);

    await stop(await run());
    expect(h.sim.exchange.ordersReceived).toBe(1);
    expect(readOrders(d.dbPath).filter((o) => o.venue_order_id !== null)).toHaveLength(1);
  }, 120_000);
});
