import { describe, expect, it } from 'vitest';
import { epochMs, kstInstant, krw, makeFillKey, positionOrigins, RISK_KEYS, shares, silentLogger, stockCode, tradingDate } from '../../../src/domain/index.js';
import type { Broker, EpochMs, MarketData, OrderIntent, OrderRecord, Quote, Side, StockCode } from '../../../src/domain/index.js';
import { jobSettings } from '../../../src/config/index.js';
import { configSchema } from '../../../src/config/schema.js';
import { bookOf, bookPorts, memoryBars, pruneRecordedMarkers, recordedKey, runBookSignalJob, runRecordDecision, runSignalJob } from '../../../src/jobs/index.js';
import type { DecisionResult, SignalJobInput } from '../../../src/jobs/index.js';
import { decisionJobSchema, signalJobSchema } from '../../../src/queues/index.js';
import type { Store } from '../../../src/store/index.js';
import { repoCalendar } from '../../helpers/daemon.js';
import { createTempStore } from '../../helpers/temp-store.js';
import { quoteStatus, strategyInstance } from '../../helpers/builders.js';

/**
 * A `workers` process evaluates over the book the owner copied into the signal job (jobs/signal-book.ts)
 * and the owner records the result (jobs/record-decision.ts): the same decision as on the trade log,
 * and recorded once however often it is delivered. Real SQLite; KIS stands in with fixed answers.
 */
const DATE = tradingDate('20260312');
const A = stockCode('005930');
const B = stockCode('000660');
const calendar = repoCalendar();
const at = (hhmmss: string): EpochMs => epochMs(kstInstant(DATE, hhmmss));

function quote(symbol: StockCode, price: number, t: EpochMs): Quote {
  return {
    symbol, price: krw(price), open: krw(70_000), high: krw(72_000), low: krw(68_000), basePrice: krw(70_000),
    upperLimit: krw(91_000), lowerLimit: krw(49_000), tick: krw(100), volume: shares(1_000_000), tradedValue: krw(70_000_000_000),
    changeBp: 0, halted: false, status: quoteStatus(), at: t,
  };
}
const unused = (what: string) => () => Promise.reject(new Error(`${what} is not used here`));

function setup(price: number) {
  const t = createTempStore();
  t.clock.set(at('100000'));
  const market: MarketData = {
    quote: (s) => Promise.resolve(quote(s, price, t.clock.now())),
    dailyBars: () => Promise.resolve([]),
    orderBook: unused('orderBook'), ranking: unused('ranking'), holidays: unused('holidays'),
  };
  const broker = {
    balance: unused('balance'), buyingPower: unused('buyingPower'), placeOrder: unused('placeOrder'), cancelOrder: unused('cancelOrder'),
    dailyOrders: unused('dailyOrders'), openOrders: unused('openOrders'), sellable: unused('sellable'),
  } as unknown as Broker;
  const settings = jobSettings(configSchema.parse({ strategies: { 'momentum-volume': { use: 'momentum-volume' } } })).signals;
  const common = { market, broker, calendar: () => calendar, clock: t.clock, log: silentLogger, configHash: 'cfg', settings, strategies: [strategyInstance()] };
  return { t, store: t.store, common };
}

let seq = 0;
function filled(store: Store, o: { symbol: StockCode; side: Side; qty: number; price: number; date?: string; signal?: string }): OrderRecord {
  seq += 1;
  const date = tradingDate(o.date ?? DATE);
  const venueOrderId = String(seq).padStart(10, '0');
  const intent: OrderIntent = {
    intentKey: `i.momentum-volume.${o.symbol}.${o.side}.${date}.${o.signal ?? `t${seq}`}`, symbol: o.symbol, side: o.side, type: 'limit',
    qty: shares(o.qty), price: krw(o.price), tradingDate: date, decisionId: null, configHash: 'cfg', reason: 'test',
  };
  const id = store.orders.insertIntent(intent, at('090000')).order.id;
  store.orders.transition(id, 'pending', 'submitting', {}, 'submit', {}, at('090000'));
  store.orders.transition(id, 'submitting', 'accepted', { venueOrderId, branch: '06010' }, 'accepted', {}, at('090000'));
  store.fills.record({
    fillKey: makeFillKey(date, venueOrderId, o.qty), orderId: id, symbol: o.symbol, side: o.side, qty: shares(o.qty),
    price: krw(o.price), value: krw(o.qty * o.price), commission: krw(0), tax: krw(0), tradingDate: date, at: at('090001'),
  });
  return store.orders.transition(id, 'accepted', 'filled', { filledQty: shares(o.qty) }, 'fill', {}, at('090001'))!;
}

const exitJob = (symbol: StockCode): SignalJobInput => ({ kind: 'exit', strategy: null, symbol, candidate: null, scanSnapshotIds: [] });

describe('the signal book', () => {
  it('gives the evaluation the same facts as the trade log: an exit decides the same on both', async () => {
    const { store, common } = setup(60_000);
    // A was held, sold flat, and bought again: only the fills since it went flat travel
    filled(store, { symbol: A, side: 'buy', qty: 5, price: 65_000, date: '20260310' });
    filled(store, { symbol: A, side: 'sell', qty: 5, price: 66_000, date: '20260311' });
    const opening = filled(store, { symbol: A, side: 'buy', qty: 10, price: 70_000 });
    filled(store, { symbol: B, side: 'buy', qty: 3, price: 100_000 });
    store.risk.set(RISK_KEYS.losingExits, { [B]: at('093000') }, at('093000'));
    store.risk.set(RISK_KEYS.halt, { reason: 'operator', details: { note: 'stays home' }, at: at('093000') }, at('093000'));
    store.risk.set(RISK_KEYS.account, { totalValue: 50_000_000, cash: 1, holdings: [] }, at('093000'));

    const book = bookOf(store, A, DATE, at('100000'));
    expect(book.fills.map((f) => f.symbol).sort()).toEqual([A, B].sort());
    expect(positionOrigins(bookPorts(book).orders, bookPorts(book).fills)).toEqual(positionOrigins(store.orders, store.fills));
    expect(positionOrigins(bookPorts(book).orders, bookPorts(book).fills).get(A)?.openingOrderId).toBe(opening.id);
    expect(book.risk[RISK_KEYS.halt]).toEqual({ reason: 'operator', details: {}, at: at('093000') });
    expect(book.risk[RISK_KEYS.account]).toEqual({ totalValue: 50_000_000 });
    // the payload survives JSON and the schema
    const job = signalJobSchema.parse(JSON.parse(JSON.stringify({ kind: 'exit', symbol: A, tradingDate: DATE, enqueuedAt: 1, book, configHash: 'cfg' })));
    expect(job.book?.orders).toHaveLength(book.orders.length);

    const remote = await runBookSignalJob({ ...common, bars: memoryBars() }, exitJob(A), book);
    const enqueued: OrderIntent[] = [];
    const local = await runSignalJob({
      ...common, bars: store.bars, decisions: store.decisions, positions: store.positions, orders: store.orders, fills: store.fills, risk: store.risk,
      enqueueOrder: (i) => { enqueued.push(i); return Promise.resolve(); },
    }, exitJob(A));
    const recorded = store.decisions.forDate(DATE).find((d) => d.id === local?.decisionId);
    expect(remote.decision).toMatchObject({ rule: recorded?.rule, outcome: 'order', intentKey: recorded?.intentKey, guards: recorded?.guards });
    expect(remote.decision?.inputs).toEqual(recorded?.inputs);
    expect(remote.intent).toEqual({ ...enqueued[0], decisionId: undefined });
    expect(remote.riskWrites.map((w) => w.key).sort()).toEqual([RISK_KEYS.exitState(A), RISK_KEYS.losingExits].sort());
    expect(remote.riskWrites.find((w) => w.key === RISK_KEYS.exitState(A))?.value).toEqual(store.risk.get(RISK_KEYS.exitState(A)));
  });

  it('is read-only: an order write through it fails loudly', () => {
    const { store } = setup(60_000);
    const ports = bookPorts(bookOf(store, A, DATE, at('100000')));
    expect(() => ports.orders.transition(1, 'pending', 'submitting', {}, 'x', {}, at('100000'))).toThrow(/read-only/);
  });
});

describe('recording a worker\'s decision', () => {
  async function evaluatedResult(price: number) {
    const { t, store, common } = setup(price);
    filled(store, { symbol: A, side: 'buy', qty: 10, price: 70_000 });
    store.risk.set(RISK_KEYS.losingExits, { [B]: at('093000') }, at('093000'));
    const book = bookOf(store, A, DATE, at('100000'));
    // a losing exit of another symbol recorded after the book was copied must survive the worker's write
    store.risk.set(RISK_KEYS.losingExits, { [B]: at('093000'), '035720': at('095000') }, at('095000'));
    const r = await runBookSignalJob({ ...common, bars: memoryBars() }, exitJob(A), book);
    const result = decisionJobSchema.parse(JSON.parse(JSON.stringify({
      outcome: 'evaluated', signalJobId: 's.exit.20260312.005930.600', evaluatedBy: 'host-b:42', decision: r.decision, intent: r.intent, riskWrites: r.riskWrites,
    }))) as DecisionResult;
    return { t, store, result };
  }

  it('inserts the decision once, applies the risk writes, and enqueues the intent with the real decision id, however often it arrives', async () => {
    const { t, store, result } = await evaluatedResult(60_000);
    const enqueued: { intent: OrderIntent; decidedAt: number }[] = [];
    const deps = {
      decisions: store.decisions, positions: store.positions, orders: store.orders, risk: store.risk, kv: store.kv, transaction: <T>(fn: () => T) => store.transaction(fn), clock: t.clock, log: silentLogger,
      enqueueOrder: (intent: OrderIntent, decidedAt: number) => { enqueued.push({ intent, decidedAt }); return Promise.resolve(); },
      evaluateHere: () => Promise.reject(new Error('not deferred')),
    };
    const first = await runRecordDecision(deps, result);
    const again = await runRecordDecision(deps, result);
    expect(again).toBe(first);
    const rows = store.decisions.forDate(DATE);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.inputs).toMatchObject({ evaluatedBy: 'host-b:42', signalJobId: 's.exit.20260312.005930.600' });
    expect(rows[0]!.outcome).toBe('order');
    expect(store.kv.get(recordedKey('s.exit.20260312.005930.600'))).toEqual({ decisionId: first, ordered: true });
    expect(enqueued.map((e) => e.intent.decisionId)).toEqual([first, first]);
    expect(enqueued[0]!.intent.intentKey).toBe(rows[0]!.intentKey);
    expect(enqueued[0]!.decidedAt).toBe(rows[0]!.at);
    expect(store.risk.get(RISK_KEYS.exitState(A))).toMatchObject({ openingOrderId: expect.any(Number) as number });
    expect(Object.keys(store.risk.get<Record<string, number>>(RISK_KEYS.losingExits) ?? {}).sort()).toEqual([B, '035720', A].sort());
  });

  it('blocks an intent the trade log refutes by now: a sell of a position sold since the book was taken', async () => {
    const { t, store, result } = await evaluatedResult(60_000);
    expect(result.outcome === 'evaluated' && result.intent?.side).toBe('sell');
    filled(store, { symbol: A, side: 'sell', qty: 10, price: 61_000 });
    const enqueued: OrderIntent[] = [];
    const deps = {
      decisions: store.decisions, positions: store.positions, orders: store.orders, risk: store.risk, kv: store.kv,
      transaction: <T>(fn: () => T) => store.transaction(fn), clock: t.clock, log: silentLogger,
      enqueueOrder: (intent: OrderIntent) => { enqueued.push(intent); return Promise.resolve(); },
      evaluateHere: () => Promise.reject(new Error('not deferred')),
    };
    await runRecordDecision(deps, result);
    await runRecordDecision(deps, result);
    const rows = store.decisions.forDate(DATE);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ outcome: 'blocked', intentKey: null });
    expect(rows[0]!.guards.filter((g) => !g.ok).map((g) => g.guard)).toEqual(['owner-recheck']);
    expect(enqueued).toEqual([]);
  });

  it('evaluates a deferred job here once', async () => {
    const t = createTempStore();
    let evaluations = 0;
    const deps = {
      decisions: t.store.decisions, positions: t.store.positions, orders: t.store.orders, risk: t.store.risk, kv: t.store.kv, transaction: <T>(fn: () => T) => t.store.transaction(fn), clock: t.clock, log: silentLogger,
      enqueueOrder: () => Promise.resolve(),
      evaluateHere: () => { evaluations++; return Promise.resolve(); },
    };
    const deferred: DecisionResult = { outcome: 'deferred', signalJobId: 's.x', evaluatedBy: 'host-b:42', reason: 'config differs' };
    await runRecordDecision(deps, deferred);
    await runRecordDecision(deps, deferred);
    expect(evaluations).toBe(1);
  });

  it('forgets its markers two days after, keeping the recent ones and every other key', () => {
    const t = createTempStore();
    t.store.kv.set(recordedKey('s.old'), { decisionId: 1, ordered: false }, at('100000'));
    t.store.kv.set('something-else', 1, at('100000'));
    t.store.kv.set(recordedKey('s.new'), { decisionId: 2, ordered: false }, epochMs(at('100000') + 2 * 86_400_000));
    expect(pruneRecordedMarkers(t.store.kv, epochMs(at('100000') + 2 * 86_400_000 + 1))).toBe(1);
    expect(t.store.kv.get(recordedKey('s.old'))).toBeNull();
    expect(t.store.kv.get(recordedKey('s.new'))).not.toBeNull();
    expect(t.store.kv.get('something-else')).toBe(1);
  });
});
