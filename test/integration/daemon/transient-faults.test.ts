import { afterEach, describe, expect, inject, it } from 'vitest';
import { join } from 'node:path';
import { createApp } from '../../../src/app.js';
import { loadConfig } from '../../../src/config/index.js';
import { silentLogger, tradingDate } from '../../../src/domain/index.js';
import { daemonEnv, readRows, ROOT, startSharedSim, waitFor } from '../../helpers/daemon.js';

/**
 * Issue 8 §2: a storm of EGW00201 answers on every order POST, from the first order of the day,
 * must not end the day's entries (today the intents end 'rejected' and after the storm nothing
 * goes out for those symbols). The daemon in sim time at 60×: the storm lasts until several
 * entries were refused, then lifts; the entries refused during it go out under a new attempt, and
 * each decision reaches the exchange at most once. (Each EGW00201 also slows the shared rate
 * budget, which runs on real time: a storm much longer than this makes the test slow, not
 * different.)
 */
const DATE = tradingDate('20261126');
const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Row { id: number; intent_key: string; symbol: string; venue_order_id: string | null; status: string; reject_code: string | null; decision_id: number | null }
const SQL = 'SELECT id, intent_key, symbol, venue_order_id, status, reject_code, decision_id FROM orders ORDER BY id';

describe('an EGW00201 storm on order-cash', () => {
  it('does not end the day: entries refused during it go out afterwards, each decision at most once', async () => {
    const h = await startSharedSim({ date: DATE, hhmmss: '093000', speed: 60, faults: ['rate-limit:order-cash:*'] });
    // A permissive strategy so that the storm meets many entries; at 60× the rate budget (real
    // time, slowed by every EGW00201) makes queues long in sim time, hence the generous age limit.
    const d = daemonEnv(h, inject('redisUrl'), {
      KIS_TRADER__SCAN__TOP_N: '10', KIS_TRADER__STRATEGIES__MOMENTUM_VOLUME__PARAMS__MIN_CHANGE_PCT: '-30', KIS_TRADER__STRATEGIES__MOMENTUM_VOLUME__PARAMS__MAX_CHANGE_PCT: '30',
      KIS_TRADER__STRATEGIES__MOMENTUM_VOLUME__PARAMS__MIN_VOLUME_RATIO: '0.01', KIS_TRADER__STRATEGIES__MOMENTUM_VOLUME__PARAMS__REQUIRE_ABOVE_MA: 'false',
      KIS_TRADER__ORDERS__MAX_INTENT_AGE_SECONDS: '1800',
    });
    cleanups.push(() => h.stop(), () => d.cleanup());
    const app = createApp({ loaded: loadConfig({ dir: join(ROOT, 'config'), env: d.env }), env: d.env, cwd: ROOT, log: silentLogger });
    await app.start();
    let stopped = false;
    cleanups.push(() => (stopped ? undefined : app.stop()));

    const retriedAndPlaced = (rows: Row[]): Row | undefined => {
      const refused = new Set(rows.filter((o) => o.reject_code === 'EGW00201' && o.intent_key.includes('.buy.')).map((o) => o.symbol));
      return rows.find((o) => o.venue_order_id !== null && refused.has(o.symbol) && /\.entry-\d+$/.test(o.intent_key));
    };
    const refusedSymbols = (rows: Row[]) => new Set(rows.filter((o) => o.reject_code === 'EGW00201').map((o) => o.symbol));
    await waitFor(() => (refusedSymbols(readRows<Row>(d.dbPath, SQL)).size >= 5 ? true : undefined), 90_000, 'entries of five symbols to be refused');
    h.sim.faults.clear();
    await waitFor(() => retriedAndPlaced(readRows<Row>(d.dbPath, SQL)), 120_000, 'an entry refused in the storm to go out under a new attempt');
    stopped = true;
    await app.stop();

    const orders = readRows<Row>(d.dbPath, SQL);
    const refused = orders.filter((o) => o.reject_code === 'EGW00201');
    expect(refused.length).toBeGreaterThanOrEqual(5);
    expect(refused.every((o) => o.status === 'failed' && o.venue_order_id === null)).toBe(true);

    // Every order the exchange received is one of ours, and no decision reached it twice.
    const placed = orders.filter((o) => o.venue_order_id !== null);
    const simOrders = h.sim.exchange.orders('50000000-01', DATE).filter((o) => o.kind === 'new');
    expect(placed.length).toBe(simOrders.length);
    const perDecision = new Map<number, number>();
    for (const o of placed) if (o.decision_id !== null) perDecision.set(o.decision_id, (perDecision.get(o.decision_id) ?? 0) + 1);
    expect([...perDecision.values()].every((n) => n === 1)).toBe(true);
    // ...and no symbol got two entries placed the same day.
    const buys = placed.filter((o) => o.intent_key.includes('.buy.'));
    expect(new Set(buys.map((o) => o.symbol)).size).toBe(buys.length);
  }, 240_000);
});
