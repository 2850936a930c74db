import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { kstDateOf, kstInstant, krw, shares, silentLogger, stockCode, tradingDate } from '../../../src/domain/index.js';
import type { StockCode } from '../../../src/domain/index.js';
import { runEvaluateEntry } from '../../../src/signals/index.js';
import type { EvaluateDeps, EvaluateResult } from '../../../src/signals/index.js';
import { calendar } from '../kis/sim-harness.js';
import { GRACE_MS, limitBuy, SAMSUNG, startOrdersHarness } from './orders-harness.js';
import type { OrdersHarness } from './orders-harness.js';
import { permissiveMomentum } from '../../helpers/builders.js';

/**
 * Issue 8 §2–3: an entry refused transiently (EGW00201 on the order POST, a 5xx that never reached
 * the exchange, the paper "market not open yet") does not end the day's entry for the symbol: a
 * later evaluation decides it again under a new attempt key, and only once the earlier attempt is
 * proven never placed. Rejected and never-placed orders do not count toward maxOrdersPerDay.
 */
let redis: Redis;
beforeAll(() => { redis = new Redis(inject('redisUrl')); });
afterAll(async () => { await redis.quit(); });
let h: OrdersHarness | null = null;
afterEach(async () => { await h?.close(); h = null; });

function evaluateDeps(harness: OrdersHarness, over: Partial<EvaluateDeps['limits']> = {}): EvaluateDeps {
  const { store, client, clock } = harness;
  return {
    market: client.market, broker: client.broker, bars: store.bars, decisions: store.decisions, positions: store.positions,
    orders: store.orders, fills: store.fills, risk: store.risk, calendar, clock, log: silentLogger, configHash: 'test',
    // Permissive: every quoted symbol not at its upper limit is an entry.
    strategies: [permissiveMomentum()],
    limits: {
      maxPositions: 5, maxOrdersPerDay: 20, maxDailyLossBp: 300, cooldownMinutes: 0, maxOrderValue: krw(5_000_000), minCashReserve: krw(0),
      ...over,
    },
    maxPositionBp: 1000, commissionPpm: 141, entryType: 'limit', exitType: 'market', limitOffsetTicks: 1,
  };
}

/** One scan's worth for `symbol`: evaluate, and send the intent if there is one, as the daemon does. */
async function round(harness: OrdersHarness, deps: EvaluateDeps, symbol: StockCode = SAMSUNG): Promise<EvaluateResult & { outcome: string | null }> {
  const r = await runEvaluateEntry(deps, { strategy: null, symbol, candidate: null, scanSnapshotIds: [] });
  if (!r.intent) return { ...r, outcome: null };
  return { ...r, outcome: (await harness.submit(r.intent)).outcome };
}

const SEC = 1000;

describe('a transient refusal of an entry', () => {
  it('EGW00201 on every order POST for a while: once the fault is lifted the entry goes out, once', async () => {
    h = await startOrdersHarness(redis);
    const deps = evaluateDeps(h, { maxOrdersPerDay: 2 });
    h.sim.faults.inject('rate-limit:order-cash:*');

    const first = await round(h, deps);
    expect(first.intent?.intentKey).toMatch(/\.entry$/);
    expect(first.outcome).toBe('failed');
    const row = h.store.orders.byIntentKey(first.intent!.intentKey)!;
    expect(row).toMatchObject({ status: 'failed', rejectCode: 'EGW00201', venueOrderId: null });
    expect(h.store.orders.events(row.id).at(-1)).toMatchObject({ event: 'rejected-transient', details: { transient: true, msgCode: 'EGW00201' } });

    // Right away: no new attempt (backoff), and nothing sent.
    const early = await round(h, deps);
    expect(early.intent).toBeNull();
    const decision = h.store.db.prepare('SELECT outcome, guards FROM decisions WHERE id = ?').get(early.decisionId) as { outcome: string; guards: string };
    expect(decision.outcome).toBe('blocked');
    expect(JSON.parse(decision.guards)).toContainEqual(expect.objectContaining({ guard: 'entry-retry', ok: false }));

    const keys = [first.intent!.intentKey];
    for (const wait of [30 * SEC, 60 * SEC, 120 * SEC]) {
      h.clock.jump(wait);
      const r = await round(h, deps);
      expect(r.outcome).toBe('failed');
      keys.push(r.intent!.intentKey);
    }
    expect(keys.slice(1).map((k) => k.split('.').at(-1))).toEqual(['entry-2', 'entry-3', 'entry-4']);

    h.sim.faults.clear();
    h.clock.jump(240 * SEC);
    const sent = await round(h, deps);
    expect(sent.intent?.intentKey).toMatch(/\.entry-5$/);
    expect(sent.outcome).toBe('accepted');
    expect(h.sim.exchange.ordersReceived).toBe(1);

    // The day's entry is taken now: evaluating again sends nothing.
    h.clock.jump(600 * SEC);
    const again = await round(h, deps);
    expect(again.outcome === null || again.outcome === 'duplicate').toBe(true);
    expect(h.sim.exchange.ordersReceived).toBe(1);
  }, 60_000);

  it('an unknown outcome is never retried; once reconciliation finds it absent, the next attempt goes out', async () => {
    h = await startOrdersHarness(redis);
    const deps = evaluateDeps(h);
    // 500 without an envelope: the client cannot tell whether the order was placed (it was not).
    h.sim.faults.inject('http-500:order-cash:1');
    const first = await round(h, deps);
    expect(first.outcome).toBe('unknown');

    h.clock.jump(60 * SEC);
    expect((await round(h, deps)).intent).toBeNull();
    await h.reconcile();
    expect(h.store.orders.byIntentKey(first.intent!.intentKey)?.status).toBe('unknown');
    expect((await round(h, deps)).intent).toBeNull();

    h.clock.jump(GRACE_MS);
    await h.reconcile();
    expect(h.store.orders.byIntentKey(first.intent!.intentKey)?.status).toBe('failed');
    h.clock.jump(30 * SEC);
    const next = await round(h, deps);
    expect(next.intent?.intentKey).toMatch(/\.entry-2$/);
    expect(next.outcome).toBe('accepted');
    expect(h.sim.exchange.ordersReceived).toBe(1);
  }, 60_000);

  it('an unknown outcome that was in fact placed is found by reconcile and never followed by another attempt', async () => {
    h = await startOrdersHarness(redis);
    const deps = evaluateDeps(h);
    h.sim.faults.inject('accept-then-drop:order-cash:1');
    const first = await round(h, deps);
    expect(first.outcome).toBe('unknown');
    h.clock.jump(GRACE_MS + 60 * SEC);
    await h.reconcile();
    expect(h.store.orders.byIntentKey(first.intent!.intentKey)?.venueOrderId).not.toBeNull();
    h.clock.jump(600 * SEC);
    const again = await round(h, deps);
    expect(again.outcome === null || again.outcome === 'duplicate').toBe(true);
    expect(h.sim.exchange.ordersReceived).toBe(1);
  }, 60_000);

  it('a 5xx before the POST left (the hashkey call) is transient: not placed, the next attempt goes out', async () => {
    h = await startOrdersHarness(redis);
    const deps = evaluateDeps(h);
    h.sim.faults.inject('http-500:hashkey:*');
    const first = await round(h, deps);
    expect(first.outcome).toBe('failed');
    const row = h.store.orders.byIntentKey(first.intent!.intentKey)!;
    expect(row).toMatchObject({ status: 'failed', rejectCode: 'HTTP_500' });
    expect(h.store.orders.events(row.id).at(-1)?.details).toMatchObject({ transient: true, notSent: true, stage: 'prepare' });
    h.sim.faults.clear();
    h.clock.jump(30 * SEC);
    const next = await round(h, deps);
    expect(next.intent?.intentKey).toMatch(/\.entry-2$/);
    expect(next.outcome).toBe('accepted');
    expect(h.sim.exchange.ordersReceived).toBe(1);
    // the decision of the new attempt says what became of the earlier one
    const inputs = h.store.db.prepare('SELECT inputs FROM decisions WHERE id = ?').get(next.decisionId) as { inputs: string };
    expect(JSON.parse(inputs.inputs)).toMatchObject({ attempt: { n: 2, after: [{ status: 'failed', rejectCode: 'HTTP_500' }] } });
  }, 60_000);

  it('paper "market not open yet" (40570000) just before 09:00 is transient: not placed, may be tried again', async () => {
    h = await startOrdersHarness(redis, 'paper', kstInstant(tradingDate('20260312'), '085930'));
    const q = await h.client.market.quote(SAMSUNG);
    const r = await h.submit(limitBuy(h, 'i.t.paper.entry', q.lowerLimit));
    expect(r.outcome).toBe('failed');
    expect(r.order).toMatchObject({ status: 'failed', rejectCode: '40570000' });
    expect(h.sim.exchange.ordersReceived).toBe(0);
  }, 30_000);
});

describe('risk.maxOrdersPerDay', () => {
  it('does not count orders the broker rejected, that were refused locally or never placed', async () => {
    h = await startOrdersHarness(redis);
    const today = kstDateOf(h.clock.now());
    const at = h.clock.now();
    const others = ['000660', '035420', '005380'].map(stockCode);
    const outcomes = [
      { status: 'rejected' as const, rejectCode: 'APBK0952' },
      { status: 'rejected' as const, rejectCode: 'LOCAL_STALE' },
      { status: 'failed' as const, rejectCode: 'EGW00201' },
    ];
    others.forEach((symbol, i) => {
      const { order } = h!.store.orders.insertIntent({
        intentKey: `i.t.${symbol}.buy.${today}.entry`, symbol, side: 'buy', type: 'limit', qty: shares(1), price: krw(10_000),
        tradingDate: today, decisionId: null, configHash: 'test', reason: 'test',
      }, at);
      const o = outcomes[i]!;
      h!.store.orders.transition(order.id, 'pending', o.status, { rejectCode: o.rejectCode }, 'test', {}, at);
    });
    const r = await runEvaluateEntry(evaluateDeps(h, { maxOrdersPerDay: 1 }), { strategy: null, symbol: SAMSUNG, candidate: null, scanSnapshotIds: [] });
    expect(r.intent).not.toBeNull();
  }, 30_000);
});

describe('after the day\'s entry ended without a position (cancelled unfilled by policy, expired, refused for good)', () => {
  it('a later evaluation is recorded as blocked, not as an order that is never sent', async () => {
    h = await startOrdersHarness(redis);
    const today = kstDateOf(h.clock.now());
    const at = h.clock.now();
    // today's entry, accepted and then cancelled unfilled (orders.cancelUnfilledAfterMinutes)
    const key = `i.momentum-volume.${SAMSUNG}.buy.${today}.entry`;
    const { order } = h.store.orders.insertIntent({
      intentKey: key, symbol: SAMSUNG, side: 'buy', type: 'limit', qty: shares(1), price: krw(10_000),
      tradingDate: today, decisionId: null, configHash: 'test', reason: 'test',
    }, at);
    h.store.orders.transition(order.id, 'pending', 'submitting', {}, 'submit', {}, at);
    h.store.orders.transition(order.id, 'submitting', 'accepted', { venueOrderId: '0000012345', branch: '06010' }, 'accepted', {}, at);
    h.store.orders.transition(order.id, 'accepted', 'cancelled', {}, 'cancel-unfilled', {}, at);

    const r = await runEvaluateEntry(evaluateDeps(h), { strategy: null, symbol: SAMSUNG, candidate: null, scanSnapshotIds: [] });
    expect(r.intent).toBeNull();
    const decision = h.store.decisions.forDate(today).find((d) => d.id === r.decisionId)!;
    // before the fix: outcome 'order' with the cancelled order's key, which the order worker then refused as a duplicate
    expect(decision).toMatchObject({ outcome: 'blocked', intentKey: null });
    const failed = decision.guards.filter((g) => !g.ok);
    expect(failed.map((g) => g.guard)).toEqual(['entry-made-today']);
    expect(failed[0]!.reason).toContain(key);
    expect(failed[0]!.reason).toContain('cancelled');
  }, 30_000);
});
