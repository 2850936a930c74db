import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { krw, kstDateOf, makeIntentKey, shares, silentLogger, stockCode } from '../../../src/domain/index.js';
import type { KisEnv, OrderIntent, StockCode } from '../../../src/domain/index.js';
import type { KisClient } from '../../../src/kis/index.js';
import { DEFAULT_FEE_RATES } from '../../../src/market/index.js';
import { runReconcile, runSubmitOrder } from '../../../src/orders/index.js';
import type { ReconcileSummary } from '../../../src/orders/index.js';
import { SIM_VARIANT_NAMES } from '../../../src/sim/index.js';
import type { Simulator, SimVariantName } from '../../../src/sim/index.js';
import { createMemoryTokenStore } from '../../helpers/kis-fakes.js';
import { createTempStore } from '../../helpers/temp-store.js';
import type { TempStore } from '../../helpers/temp-store.js';
import { budgetFor, calendar, createJumpClock, simClient, startSim } from '../kis/sim-harness.js';
import type { JumpClock } from '../kis/sim-harness.js';

/**
 * The submit protocol and reconciliation against the simulator in each answer shape KIS is
 * known to use (src/sim/variants.ts): whatever the shape of the broker's rows, every fill it
 * made is recorded once, positions match its books, and an order it holds is never "failed".
 */
let redis: Redis;
beforeAll(() => { redis = new Redis(inject('redisUrl')); });
afterAll(async () => { await redis.quit(); });
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Rig { sim: Simulator; client: KisClient; clock: JumpClock; t: TempStore; env: KisEnv }

async function rig(env: KisEnv, variant: SimVariantName, faults: string[] = []): Promise<Rig> {
  const clock = createJumpClock();
  const { sim, url } = await startSim(env, clock, { variant, faults, rateLimitPerSec: 1000 });
  const client = simClient({
    env, url, clock, redis, lockPrefix: `test:${randomUUID()}:`, tokenStore: createMemoryTokenStore(), rateBudget: budgetFor(redis, env, 500),
  });
  const t = createTempStore({ cleanup: 'manual' });
  cleanups.push(async () => { t.cleanup(); await client.close(); await sim.stop(); });
  return { sim, client, clock, t, env };
}

function tradable(sim: Simulator, n: number): StockCode[] {
  return sim.market.symbols().filter((s) => {
    const q = sim.market.quote(s.code);
    return q.state === 'continuous' && q.price >= 1_000 && q.price <= 200_000;
  }).slice(0, n).map((s) => stockCode(s.code));
}

function intent(r: Rig, symbol: StockCode, p: Partial<OrderIntent> = {}): OrderIntent {
  const date = kstDateOf(r.clock.now());
  return {
    intentKey: makeIntentKey({ strategy: 'test', symbol, side: 'buy', date, signal: p.reason ?? 'entry' }), symbol, side: 'buy', type: 'market',
    qty: shares(3), price: krw(0), tradingDate: date, decisionId: null, configHash: 'test', reason: 'entry', ...p,
  };
}

function submit(r: Rig, i: OrderIntent): ReturnType<typeof runSubmitOrder> {
  return runSubmitOrder({
    orders: r.t.store.orders, positions: r.t.store.positions, broker: r.client.broker, clock: r.clock, calendar, log: silentLogger, maxIntentAgeMs: 180_000,
    requestReconcile: () => undefined,
  }, i);
}

function reconcile(r: Rig): Promise<ReconcileSummary> {
  const { store } = r.t;
  return runReconcile({
    orders: store.orders, fills: store.fills, positions: store.positions, kv: store.risk, broker: r.client.broker, clock: r.clock,
    calendar, fees: DEFAULT_FEE_RATES, log: silentLogger, graceMs: 90_000, skewMs: 60_000, transaction: (fn) => store.transaction(fn),
  });
}

const ACCOUNT = '50000000-01';

describe.each(SIM_VARIANT_NAMES.flatMap((v) => (['live', 'paper'] as const).map((env) => ({ variant: v, env }))))(
  'reconciling against rows of the $variant shape ($env)', ({ variant, env }) => {
    it('records every fill once and derives the broker\'s positions', async () => {
      const r = await rig(env, variant);
      const symbols = tradable(r.sim, 3);
      for (const s of symbols) expect((await submit(r, intent(r, s))).outcome).toBe('accepted');
      r.clock.jump(120_000);
      const first = await reconcile(r);
      const again = await reconcile(r);
      expect(first.anomalies).toEqual([]);
      expect(again.fills).toBe(0);

      const orders = r.t.store.orders.forDate(kstDateOf(r.clock.now()));
      expect(orders.map((o) => o.status)).toEqual(['filled', 'filled', 'filled']);
      const broker = r.sim.exchange.orders(ACCOUNT);
      for (const o of orders) {
        const v = broker.find((b) => b.odno === o.venueOrderId);
        const fills = r.t.store.fills.forDate(o.tradingDate).filter((f) => f.orderId === o.id);
        expect(fills.reduce((s, f) => s + f.qty, 0)).toBe(v?.filledQty);
        expect(fills.reduce((s, f) => s + f.value, 0)).toBe(v?.filledValue);
      }
      const held = new Map(r.sim.exchange.holdings(ACCOUNT).map((h) => [h.symbol, h.qty]));
      expect(new Map(r.t.store.positions.list().map((p) => [p.symbol, p.qty]))).toEqual(held);
      expect(r.t.store.risk.get('halt')).toBeNull();
    });

    it('with 30 % of order answers lost, every order the broker holds is linked and none is declared failed', async () => {
      const r = await rig(env, variant);
      r.sim.faults.inject({ kind: 'accept-then-drop', match: { path: 'order-cash' }, times: Infinity, probability: 0.3 });
      const symbols = tradable(r.sim, 8);
      const outcomes = [];
      for (const s of symbols) outcomes.push((await submit(r, intent(r, s))).outcome);
      expect(outcomes).toContain('unknown');
      r.clock.jump(120_000);
      await reconcile(r);
      r.clock.jump(120_000);
      const summary = await reconcile(r);
      expect(summary.anomalies).toEqual([]);
      const orders = r.t.store.orders.forDate(kstDateOf(r.clock.now()));
      expect(orders.filter((o) => o.status === 'failed')).toEqual([]);
      expect(orders.every((o) => o.status === 'filled')).toBe(true);
      expect(r.sim.exchange.ordersReceived).toBe(symbols.length);
      expect(r.t.store.positions.list()).toHaveLength(symbols.length);
    });

    it('an order refused by the exchange after acceptance ends rejected, and a day order left at the close ends expired', async () => {
      const r = await rig(env, variant);
      const [a, b] = tradable(r.sim, 2) as [StockCode, StockCode];
      const low = (s: StockCode) => krw(r.sim.market.quote(s).lower);
      r.sim.faults.inject('reject-after-accept:order-cash:1');
      expect((await submit(r, intent(r, a, { type: 'limit', price: low(a) }))).outcome).toBe('accepted');
      expect((await submit(r, intent(r, b, { type: 'limit', price: low(b) }))).outcome).toBe('accepted');
      await reconcile(r);
      const date = kstDateOf(r.clock.now());
      const status = () => new Map(r.t.store.orders.forDate(date).map((o) => [o.symbol, o.status]));
      expect(status()).toEqual(new Map([[a, 'rejected'], [b, 'accepted']]));
      r.clock.jump(7 * 3_600_000); // 17:00 KST: the session is over
      const after = await reconcile(r);
      expect(after.anomalies).toEqual([]);
      expect(status()).toEqual(new Map([[a, 'rejected'], [b, 'expired']]));
    });
  },
);
