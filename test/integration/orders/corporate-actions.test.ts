import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { kstDateOf, krw, RISK_KEYS, shares, silentLogger, stockCode, tradingDate } from '../../../src/domain/index.js';
import type { Halt, StockCode } from '../../../src/domain/index.js';
import type { KisClient } from '../../../src/kis/index.js';
import { DEFAULT_FEE_RATES } from '../../../src/market/index.js';
import { runReconcile } from '../../../src/orders/index.js';
import type { ReconcileDeps } from '../../../src/orders/index.js';
import { decideExit } from '../../../src/signals/index.js';
import { strategyInstance } from '../../helpers/builders.js';
import type { Simulator } from '../../../src/sim/index.js';
import type { Store } from '../../../src/store/index.js';
import { createMemoryTokenStore } from '../../helpers/kis-fakes.js';
import { createTempStore } from '../../helpers/temp-store.js';
import { budgetFor, calendar, createJumpClock, simClient, startSim } from '../kis/sim-harness.js';
import type { JumpClock } from '../kis/sim-harness.js';

/**
 * Issue 8 §5/§6: a 1:5 split of a name the daemon holds, in the real simulator over HTTP. The
 * daemon buys N shares on Thursday 2026-03-12; the split's ex-date is Friday 2026-03-13. Friday's
 * reconcile must record the corporate action, hold 5N at a fifth of the average price, halt
 * nothing, and the exit check must not read the split as a −80 % loss.
 */
const HYNIX = stockCode('000660');
const D0 = tradingDate('20260311');
const D1 = tradingDate('20260312');
const EX_DATE = tradingDate('20260313');
const N = 10;
const ACCOUNT = '50000000-01';

let redis: Redis;
beforeAll(() => { redis = new Redis(inject('redisUrl')); });
afterAll(async () => { await redis.quit(); });
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(): Promise<{ sim: Simulator; client: KisClient; clock: JumpClock; store: Store }> {
  const clock = createJumpClock();
  const { sim, url } = await startSim('live', clock, { splits: [{ symbol: HYNIX, date: EX_DATE, num: 5, den: 1 }] });
  const client = simClient({
    env: 'live', url, clock, redis, lockPrefix: `test:${randomUUID()}:`, tokenStore: createMemoryTokenStore(), rateBudget: budgetFor(redis, 'live', 20),
  });
  cleanups.push(async () => { await client.close(); await sim.stop(); });
  const { store } = createTempStore();
  return { sim, client, clock, store };
}

function reconcileDeps(store: Store, client: KisClient, clock: JumpClock): ReconcileDeps {
  return {
    orders: store.orders, fills: store.fills, positions: store.positions, kv: store.risk, broker: client.broker, clock, calendar,
    fees: DEFAULT_FEE_RATES, log: silentLogger, graceMs: 60_000, skewMs: 5_000, transaction: (fn) => store.transaction(fn),
    market: client.market, corporateActions: store.corporateActions, bars: store.bars,
  };
}

/** a daemon buy of N shares at the upper limit (fills at once), recorded as the order worker would */
async function buy(store: Store, client: KisClient, clock: JumpClock, symbol: StockCode): Promise<void> {
  const q = await client.market.quote(symbol);
  const intent = store.orders.insertIntent({
    intentKey: `i.test.${symbol}.buy`, symbol, side: 'buy', type: 'limit', qty: shares(N), price: q.upperLimit,
    tradingDate: kstDateOf(clock.now()), decisionId: null, configHash: 'cfg', reason: 'test',
  }, clock.now()).order;
  store.orders.transition(intent.id, 'pending', 'submitting', {}, 'submitting', {}, clock.now());
  const ack = await client.broker.placeOrder({ symbol, side: 'buy', type: 'limit', qty: shares(N), price: q.upperLimit });
  store.orders.transition(intent.id, 'submitting', 'accepted', { venueOrderId: ack.venueOrderId, branch: ack.branch }, 'accepted', {}, clock.now());
}


describe('a split of a held name (issue 8 §5 corporate actions)', () => {
  it('reconcile records a 1:5 split, holds 5N at a fifth of the average, halts nothing, and no stop-loss follows', async () => {
    const { sim, client, clock, store } = await setup();
    const deps = reconcileDeps(store, client, clock);

    await buy(store, client, clock, HYNIX);
    const day1 = await runReconcile(deps);
    expect(day1.fills).toBe(1);
    expect(day1.anomalies).toEqual([]);
    const before = store.positions.get(HYNIX)!;
    expect(before.qty).toBe(N);
    // the signal job's cache holds the completed history in pre-split units
    store.bars.upsert(await client.market.dailyBars(HYNIX, 30, { end: D0 }), clock.now());
    const wednesdayClose = store.bars.range(HYNIX, 1, D0)[0]!.close;

    clock.jump(24 * 3_600_000); // Friday 10:00 KST, the ex-date
    expect(kstDateOf(clock.now())).toBe(EX_DATE);
    expect(sim.exchange.holdings(ACCOUNT).find((h) => h.symbol === HYNIX)?.qty).toBe(5 * N);

    const day2 = await runReconcile(deps);
    expect(day2.anomalies).toEqual([]);
    expect(store.risk.get<Halt>(RISK_KEYS.halt)).toBeNull();
    expect(store.corporateActions.all()).toMatchObject([
      { symbol: HYNIX, kind: 'split', num: 5, den: 1, qtyBefore: N, qtyAfter: 5 * N, tradingDate: EX_DATE },
    ]);
    const after = store.positions.get(HYNIX)!;
    expect(after).toMatchObject({ qty: 5 * N, cost: before.cost, realizedPnl: 0 });
    expect(after.avgPrice).toBe(Math.round(before.cost / (5 * N)));
    // the cached pre-split bars are gone, so the next read fetches the adjusted history
    expect(store.bars.range(HYNIX, 100)).toEqual([]);
    const adjusted = await client.market.dailyBars(HYNIX, 30, { end: D1 });
    expect(adjusted.find((b) => b.date === D0)!.close).toBe(Math.round(wednesdayClose / 5));

    // a second reconcile changes nothing
    const day2b = await runReconcile(deps);
    expect(day2b.anomalies).toEqual([]);
    expect(store.corporateActions.all()).toHaveLength(1);

    // the exit rule on the adjusted position: no −80 % stop-loss, and any sell would be the whole 5N
    const quote = await client.market.quote(HYNIX);
    const strategy = strategyInstance();
    const snapshot = { symbol: HYNIX, today: EX_DATE, quote, bars: adjusted, session: { openSecond: 0, closeSecond: 86_400 }, scan: null };
    const exit = decideExit({
      snapshot, position: { qty: after.qty, avgPrice: after.avgPrice, openedDate: D1, daysHeld: 1 },
      policy: strategy.exits, previous: null, flattenDue: false, strategy,
    });
    expect(exit.rule).not.toBe('stop-loss');
    expect(exit.values.qty).toBe(5 * N);
    // the unadjusted book would have been sold as a loss: what the adjustment prevents
    const stale = decideExit({
      snapshot, position: { qty: before.qty, avgPrice: krw(before.avgPrice), openedDate: D1, daysHeld: 1 },
      policy: strategy.exits, previous: null, flattenDue: false, strategy,
    });
    expect(stale.rule).toBe('stop-loss');
  });

  it('half the shares gone without a split (an outside sale) is no corporate action: entries halt as before', async () => {
    const { client, clock, store } = await setup();
    const deps = reconcileDeps(store, client, clock);
    const symbol = stockCode('005930');
    await buy(store, client, clock, symbol);
    expect((await runReconcile(deps)).anomalies).toEqual([]);

    // the owner sells half in the HTS: a clean 1/2, but the price did not double
    const q = await client.market.quote(symbol);
    await client.broker.placeOrder({ symbol, side: 'sell', type: 'limit', qty: shares(N / 2), price: q.lowerLimit });
    const s = await runReconcile(deps);
    expect(store.corporateActions.all()).toEqual([]);
    expect(store.positions.get(symbol)?.qty).toBe(N);
    expect(s.anomalies).toEqual([`broker holds ${N / 2} of ${symbol} but the daemon's fills say ${N}`]);
    expect(store.risk.get<Halt>(RISK_KEYS.halt)).not.toBeNull();
  });
});
