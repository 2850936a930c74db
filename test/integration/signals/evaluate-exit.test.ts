import { describe, expect, it } from 'vitest';
import { epochMs, kstInstant, krw, makeFillKey, RISK_KEYS, shares, silentLogger, stockCode, tradingDate } from '../../../src/domain/index.js';
import type { Broker, EpochMs, MarketData, OrderRecord, Quote, Side, StockCode } from '../../../src/domain/index.js';
import { runEvaluateExit } from '../../../src/signals/index.js';
import type { EvaluateDeps } from '../../../src/signals/index.js';
import type { Store } from '../../../src/store/index.js';
import { repoCalendar } from '../../helpers/daemon.js';
import Database from 'better-sqlite3';
import { createTempStore } from '../../helpers/temp-store.js';
import { quoteStatus, strategyInstance } from '../../helpers/builders.js';

/**
 * runEvaluateExit on a real SQLite trade log, with the quote given by a stand-in MarketData:
 * the simulator has no halted names (issue 8 §6 adds them), and the time of day must be exact.
 */
const DATE = tradingDate('20260312');
const A = stockCode('005930');
const calendar = repoCalendar();
const at = (hhmmss: string): EpochMs => epochMs(kstInstant(DATE, hhmmss));

function quote(symbol: StockCode, price: number, t: EpochMs, halted = false): Quote {
  return {
    symbol, price: krw(price), open: krw(70_000), high: krw(72_000), low: krw(68_000), basePrice: krw(70_000),
    upperLimit: krw(91_000), lowerLimit: krw(49_000), tick: krw(100), volume: shares(1_000_000), tradedValue: krw(70_000_000_000),
    changeBp: 0, halted, status: quoteStatus(), at: t,
  };
}

const unused = (what: string) => () => Promise.reject(new Error(`${what} is not used by an exit evaluation`));

function setup(opts: { hhmmss: string; price: number; halted?: boolean; flattenBeforeCloseMinutes?: number }) {
  const t = createTempStore();
  t.clock.set(at(opts.hhmmss));
  const store = t.store;
  const market: MarketData = {
    quote: (s) => Promise.resolve(quote(s, opts.price, t.clock.now(), opts.halted ?? false)),
    dailyBars: () => Promise.resolve([]),
    orderBook: unused('orderBook'), ranking: unused('ranking'), holidays: unused('holidays'),
  };
  const broker: Broker = {
    balance: unused('balance'), buyingPower: unused('buyingPower'), placeOrder: unused('placeOrder'), cancelOrder: unused('cancelOrder'),
    dailyOrders: unused('dailyOrders'), openOrders: unused('openOrders'), sellable: unused('sellable'),
  } as Broker;
  const deps: EvaluateDeps = {
    market, broker, bars: store.bars, decisions: store.decisions, positions: store.positions, orders: store.orders, fills: store.fills,
    risk: store.risk, calendar, clock: t.clock, log: silentLogger, configHash: 'cfg',
    strategies: [strategyInstance()],
    ...(opts.flattenBeforeCloseMinutes === undefined ? {} : { flattenBeforeCloseMinutes: opts.flattenBeforeCloseMinutes }),
    limits: { maxPositions: 5, maxOrdersPerDay: 20, maxDailyLossBp: 300, cooldownMinutes: 120, maxOrderValue: krw(5_000_000), minCashReserve: krw(0) },
    maxPositionBp: 1000, commissionPpm: 141, entryType: 'limit', exitType: 'market', limitOffsetTicks: 1,
  };
  return { store, deps };
}

let seq = 0;
/** an order of ours (or adopted as external) working at the broker, with `filled` of it filled */
function working(store: Store, o: { symbol: StockCode; side: Side; qty: number; filled: number; price: number; external?: boolean; strategy?: string }): OrderRecord {
  seq += 1;
  const key = `i.${o.strategy ?? 'test'}.${o.symbol}.${o.side}.${seq}`;
  const venueOrderId = String(seq).padStart(10, '0');
  const intent = {
    intentKey: key, symbol: o.symbol, side: o.side, type: 'limit' as const, qty: shares(o.qty), price: krw(o.price),
    tradingDate: DATE, decisionId: null, configHash: 'cfg', reason: 'test',
  };
  const row = o.external === true
    ? store.orders.insertExternal({
      venueOrderId, branch: '06010', symbol: o.symbol, side: o.side, type: 'limit', qty: shares(o.qty), price: krw(o.price), tradingDate: DATE,
      status: 'accepted',
    }, at('090000'))
    : store.orders.transition(
      store.orders.transition(store.orders.insertIntent(intent, at('090000')).order.id, 'pending', 'submitting', {}, 'submit', {}, at('090000'))!.id,
      'submitting', 'accepted',
      { venueOrderId, branch: '06010' }, 'accepted', {}, at('090000'))!;
  if (o.filled > 0) {
    store.fills.record({
      fillKey: makeFillKey(DATE, venueOrderId, o.filled), orderId: row.id, symbol: o.symbol, side: o.side, qty: shares(o.filled),
      price: krw(o.price), value: krw(o.filled * o.price), commission: krw(0), tax: krw(0), tradingDate: DATE, at: at('090001'),
    });
    const status = o.filled === o.qty ? 'filled' : 'partial';
    return store.orders.transition(row.id, 'accepted', status, { filledQty: shares(o.filled) }, 'fill', {}, at('090001'))!;
  }
  return row;
}

const failed = (guards: { guard: string; ok: boolean }[]) => guards.filter((g) => !g.ok).map((g) => g.guard);

describe('runEvaluateExit', () => {
  it('does not send a stop-loss into a halted symbol, and records why', async () => {
    const { store, deps } = setup({ hhmmss: '100000', price: 60_000, halted: true });
    working(store, { symbol: A, side: 'buy', qty: 10, filled: 10, price: 70_000 });
    const result = await runEvaluateExit(deps, { symbol: A });
    expect(result?.intent).toBeNull();
    const decision = store.decisions.forDate(DATE).find((d) => d.id === result?.decisionId);
    expect(decision?.rule).toBe('stop-loss');
    expect(decision?.outcome).toBe('blocked');
    expect(failed(decision?.guards ?? [])).toEqual(['trading-halted']);
  });

  it('is not blocked by our own entry still working, an external order or an entry halt', async () => {
    const { store, deps } = setup({ hhmmss: '100000', price: 60_000 });
    // our entry, 4 of 10 filled and the rest working; someone else's sell in the same name
    working(store, { symbol: A, side: 'buy', qty: 10, filled: 4, price: 70_000 });
    working(store, { symbol: A, side: 'sell', qty: 3, filled: 0, price: 75_000, external: true });
    store.risk.set(RISK_KEYS.halt, { reason: 'operator', details: {}, at: at('093000') }, at('093000'));
    const result = await runEvaluateExit(deps, { symbol: A });
    expect(result?.intent).toMatchObject({ symbol: A, side: 'sell', type: 'market', qty: 4 });
    const decision = store.decisions.forDate(DATE).find((d) => d.id === result?.decisionId);
    expect(decision?.outcome).toBe('order');
    expect(failed(decision?.guards ?? [])).toEqual([]);
  });

  it('is blocked only by a sell of our own already working in the symbol', async () => {
    const { store, deps } = setup({ hhmmss: '100000', price: 60_000 });
    working(store, { symbol: A, side: 'buy', qty: 10, filled: 10, price: 70_000 });
    working(store, { symbol: A, side: 'sell', qty: 10, filled: 0, price: 60_000 });
    const result = await runEvaluateExit(deps, { symbol: A });
    expect(result?.intent).toBeNull();
    const decision = store.decisions.forDate(DATE).find((d) => d.id === result?.decisionId);
    expect(failed(decision?.guards ?? [])).toEqual(['exit-working']);
  });

  it('flattens every position from N minutes before the closing auction on, whatever the entry guards say', async () => {
    const before = setup({ hhmmss: '150459', price: 70_500, flattenBeforeCloseMinutes: 15 });
    working(before.store, { symbol: A, side: 'buy', qty: 10, filled: 10, price: 70_000 });
    expect((await runEvaluateExit(before.deps, { symbol: A }))?.intent).toBeNull();

    const { store, deps } = setup({ hhmmss: '150500', price: 70_500, flattenBeforeCloseMinutes: 15 });
    working(store, { symbol: A, side: 'buy', qty: 10, filled: 10, price: 70_000 });
    store.risk.set(RISK_KEYS.halt, { reason: 'daily loss', details: {}, at: at('140000') }, at('140000'));
    const result = await runEvaluateExit(deps, { symbol: A });
    expect(result?.intent).toMatchObject({ symbol: A, side: 'sell', qty: 10 });
    const decision = store.decisions.forDate(DATE).find((d) => d.id === result?.decisionId);
    expect(decision?.rule).toBe('flatten-before-close');
    expect(decision?.outcome).toBe('order');
    expect(decision?.inputs.flattenAt).toBe(at('150500'));
  });

  it('keeps positions overnight with flattenBeforeCloseMinutes 0', async () => {
    const { store, deps } = setup({ hhmmss: '151900', price: 70_500, flattenBeforeCloseMinutes: 0 });
    working(store, { symbol: A, side: 'buy', qty: 10, filled: 10, price: 70_000 });
    const result = await runEvaluateExit(deps, { symbol: A });
    expect(result?.intent).toBeNull();
    expect(store.decisions.forDate(DATE).find((d) => d.id === result?.decisionId)?.rule).toBe('hold');
  });

  it("gives a strategy's own exit today's session, as an entry gets it", async () => {
    const { store, deps } = setup({ hhmmss: '100000', price: 70_500 });
    working(store, { symbol: A, side: 'buy', qty: 10, filled: 10, price: 70_000 });
    // the position was opened by strategy `test` (its intent key), whose exit reports what it read
    const probe = strategyInstance({ id: 'test' });
    deps.strategies = [{
      ...probe,
      exit: (s) => ({ fire: false, rule: 'probe', values: { openSecond: s.session.openSecond, closeSecond: s.session.closeSecond } }),
    }];
    const result = await runEvaluateExit(deps, { symbol: A });
    const decision = store.decisions.forDate(DATE).find((d) => d.id === result?.decisionId);
    // 09:00 and 15:30 KST on a regular day (config/krx-calendar.json)
    expect(decision?.inputs.values).toMatchObject({ strategyExitRule: 'probe', openSecond: 9 * 3600, closeSecond: 15.5 * 3600 });
  });
});

describe('runEvaluateExit: the exit machine of the strategy that opened the position', () => {
  const priced = (deps: EvaluateDeps, price: number): EvaluateDeps => ({
    ...deps, market: { ...deps.market, quote: (s) => Promise.resolve(quote(s, price, deps.clock.now())) },
  });

  it('keeps its state in the trade log: a peak seen once arms the break-even lock for later evaluations', async () => {
    const { store, deps } = setup({ hhmmss: '100000', price: 71_500 });
    working(store, { symbol: A, side: 'buy', qty: 10, filled: 10, price: 70_000, strategy: 'momentum-volume' });
    const lock = { ...deps, strategies: [strategyInstance({ exits: { breakEvenAfterPct: 2, takeProfitPct: null } })] };
    // +2.14 %: nothing to sell yet, but the lock is armed and remembered
    const up = await runEvaluateExit(priced(lock, 71_500), { symbol: A });
    expect(up?.intent).toBeNull();
    expect(store.risk.get(RISK_KEYS.exitState(A))).toMatchObject({ peakPrice: 71_500, breakEvenArmed: true, strategy: 'momentum-volume' });
    // back at the average price: a later evaluation (a new job, the same trade log) sells
    const back = await runEvaluateExit(priced(lock, 70_000), { symbol: A });
    expect(back?.intent?.side).toBe('sell');
    expect(store.decisions.forDate(DATE).find((d) => d.id === back?.decisionId)?.rule).toBe('break-even');
    // without the remembered state the same price is a hold: the state is what decided
    store.risk.delete(RISK_KEYS.exitState(A));
    expect((await runEvaluateExit(priced(lock, 70_000), { symbol: A }))?.intent).toBeNull();
  });

  it('uses the exits of the strategy whose order opened the position, and records that strategy', async () => {
    const { store, deps } = setup({ hhmmss: '100000', price: 66_500 });
    working(store, { symbol: A, side: 'buy', qty: 10, filled: 10, price: 70_000, strategy: 'wide' });
    const tight = strategyInstance({ id: 'tight', exits: { stopLossPct: 3 } });
    const wide = strategyInstance({ id: 'wide', exits: { stopLossPct: 10 } });
    // −5 %: inside wide's 10 % stop, beyond tight's 3 %
    const r = await runEvaluateExit({ ...deps, strategies: [tight, wide] }, { symbol: A });
    const decision = store.decisions.forDate(DATE).find((d) => d.id === r?.decisionId);
    expect(decision).toMatchObject({ strategy: 'wide', rule: 'hold', outcome: 'no-trade' });
    expect((decision?.inputs as { exitPolicyOf: string }).exitPolicyOf).toBe('wide');
    // its strategy gone from the config: still protected, by the first strategy's exits
    const orphan = await runEvaluateExit({ ...deps, strategies: [tight] }, { symbol: A });
    expect(orphan?.intent?.intentKey).toMatch(/^i\.wide\.005930\.sell\./);
    expect(store.decisions.forDate(DATE).find((d) => d.id === orphan?.decisionId)).toMatchObject({ strategy: 'wide', rule: 'stop-loss' });
  });

  it('shows the strategy of each order in the orders.strategy column (migration 0003)', () => {
    const t = createTempStore();
    working(t.store, { symbol: A, side: 'buy', qty: 10, filled: 0, price: 70_000, strategy: 'gap-go' });
    t.store.orders.insertExternal({
      venueOrderId: '0000099999', branch: '06010', symbol: A, side: 'sell', type: 'limit', qty: shares(1), price: krw(70_000), tradingDate: DATE,
      status: 'accepted',
    }, at('090000'));
    const db = new Database(t.path, { readonly: true });
    try {
      expect(db.prepare('SELECT origin, strategy FROM orders ORDER BY id').all()).toEqual([
        { origin: 'daemon', strategy: 'gap-go' }, { origin: 'external', strategy: null },
      ]);
    } finally {
      db.close();
    }
  });

  it('decides on the position as it is after the quote came: a sell filled meanwhile ends the evaluation', async () => {
    const { store, deps } = setup({ hhmmss: '100000', price: 60_000 });
    working(store, { symbol: A, side: 'buy', qty: 10, filled: 10, price: 70_000 });
    const exit0 = working(store, { symbol: A, side: 'sell', qty: 10, filled: 0, price: 60_000 });
    // the stop-loss seen on a trade, while exit-0 is still working: the evaluation reads the
    // position, then waits for its quote; exit-0 fills in that wait
    const quoted = deps.market.quote;
    deps.market = {
      ...deps.market,
      quote: async (s, o) => {
        const q = await quoted(s, o);
        store.fills.record({
          fillKey: makeFillKey(DATE, exit0.venueOrderId!, 10), orderId: exit0.id, symbol: A, side: 'sell', qty: shares(10),
          price: krw(60_000), value: krw(600_000), commission: krw(0), tax: krw(0), tradingDate: DATE, at: at('100000'),
        });
        store.orders.transition(exit0.id, 'accepted', 'filled', { filledQty: shares(10) }, 'fill', {}, at('100000'));
        return q;
      },
    };
    const result = await runEvaluateExit(deps, { symbol: A });
    expect(result?.intent ?? null).toBeNull();
    expect(store.orders.forDate(DATE).filter((o) => o.side === 'sell')).toHaveLength(1);
  });
});
