import { epochMs, krw, kstInstant, makeFillKey, makeIntentKey, shares, stockCode, tradingDate } from '../../src/domain/index.js';
import type { DecisionInput, EpochMs, GuardVerdict, Side, StockCode, TradingDate } from '../../src/domain/index.js';
import type { Store } from '../../src/store/index.js';

/**
 * Two trading days of a small book, written by hand as the daemon would, for the daily summary and
 * the review views (migration 0004). Every figure the tests expect is computed by hand in them.
 *
 * Day 1: buy 10 SAMSUNG at 70,000 in two partial fills (4 + 6, commission 41 + 62); buy 5 HYNIX at
 * 100,000 (commission 75); two entries blocked by guards, one blocked exit.
 * Day 2: sell 5 of the 10 SAMSUNG at 72,000 in two partial fills of a 7-share order (3 + 2;
 * commission 32 + 21, sell tax 388 + 259); the order stays partial.
 * Day 3 (writeDay3, for the round trips): sell the other 5 SAMSUNG at 69,000 (commission 52, tax
 * 621); sell the 5 HYNIX in two orders, 2 at 98,000 (29, 353) and 3 at 97,000 at 14:30 (44, 524,
 * rule "stop loss"); strategy "gap" buys 3 SAMSUNG at 68,000 at 15:00 (commission 31), still open.
 */
export const DAY1 = tradingDate('20261201');
export const DAY2 = tradingDate('20261202');
export const DAY3 = tradingDate('20261203');
export const SAMSUNG = stockCode('005930');
export const HYNIX = stockCode('000660');
export const NAVER = stockCode('035420');
export const KAKAO = stockCode('035720');

export const at = (date: TradingDate, hhmmss: string): EpochMs => epochMs(kstInstant(date, hhmmss));

const ok = (guard: string): GuardVerdict => ({ guard, ok: true });
const no = (guard: string, reason: string): GuardVerdict => ({ guard, ok: false, reason });

function decide(store: Store, d: Partial<DecisionInput> & Pick<DecisionInput, 'tradingDate' | 'symbol' | 'kind' | 'outcome' | 'guards'>): number {
  return store.decisions.insert({
    at: at(d.tradingDate, '100000'), strategy: 'breakout', inputs: {}, rule: 'close > high20', intentKey: null, configHash: 'cfg-a', ...d,
  });
}

interface Fill { qty: number; value: number; commission: number; tax: number }

/** An order of the daemon with its fills (each noted by fills.record), left `partial` unless all of it filled. */
function order(store: Store, o: {
  date: TradingDate; symbol: StockCode; side: Side; qty: number; price: number; decisionId: number; venue: string; fills: Fill[];
  strategy?: string; signal?: string; time?: string;
}): number {
  const t = at(o.date, o.time ?? '100100');
  const intent = store.orders.insertIntent({
    intentKey: makeIntentKey({ strategy: o.strategy ?? 'breakout', symbol: o.symbol, side: o.side, date: o.date, signal: o.signal ?? (o.side === 'buy' ? 'entry' : 'exit') }),
    symbol: o.symbol, side: o.side, type: 'limit', qty: shares(o.qty), price: krw(o.price), tradingDate: o.date,
    decisionId: o.decisionId, configHash: 'cfg-a', reason: 'test',
  }, t).order;
  store.orders.transition(intent.id, 'pending', 'submitting', {}, 'submit', {}, t);
  store.orders.transition(intent.id, 'submitting', 'accepted', { venueOrderId: o.venue, branch: '06010' }, 'accepted', {}, t);
  let cum = 0;
  let status: 'accepted' | 'partial' = 'accepted';
  for (const f of o.fills) {
    cum += f.qty;
    store.fills.record({
      fillKey: makeFillKey(o.date, o.venue, cum), orderId: intent.id, symbol: o.symbol, side: o.side, qty: shares(f.qty),
      price: krw(f.value / f.qty), value: krw(f.value), commission: krw(f.commission), tax: krw(f.tax), tradingDate: o.date, at: t,
    });
    const to = cum === o.qty ? 'filled' : 'partial';
    store.orders.transition(intent.id, status, to, { filledQty: shares(cum) }, 'status', {}, t);
    status = 'partial';
  }
  return intent.id;
}

export function writeDay1(store: Store): { buySamsung: number; buyHynix: number } {
  const d1 = decide(store, { tradingDate: DAY1, symbol: SAMSUNG, kind: 'entry', outcome: 'order', guards: [ok('halt'), ok('max-positions')] });
  const buySamsung = order(store, {
    date: DAY1, symbol: SAMSUNG, side: 'buy', qty: 10, price: 70_000, decisionId: d1, venue: '0000000001',
    fills: [{ qty: 4, value: 280_000, commission: 41, tax: 0 }, { qty: 6, value: 420_000, commission: 62, tax: 0 }],
  });
  const d2 = decide(store, { tradingDate: DAY1, symbol: HYNIX, kind: 'entry', outcome: 'order', guards: [ok('halt'), ok('max-positions')] });
  const buyHynix = order(store, {
    date: DAY1, symbol: HYNIX, side: 'buy', qty: 5, price: 100_000, decisionId: d2, venue: '0000000002',
    fills: [{ qty: 5, value: 500_000, commission: 75, tax: 0 }],
  });
  decide(store, { tradingDate: DAY1, symbol: NAVER, kind: 'entry', outcome: 'blocked', guards: [ok('halt'), no('max-positions', 'two held')] });
  decide(store, {
    tradingDate: DAY1, symbol: KAKAO, kind: 'entry', outcome: 'blocked',
    guards: [ok('halt'), no('max-positions', 'two held'), no('cooldown', 'lost yesterday')],
  });
  decide(store, { tradingDate: DAY1, symbol: HYNIX, kind: 'exit', outcome: 'blocked', guards: [no('min-hold', 'bought today')] });
  return { buySamsung, buyHynix };
}

export function writeDay2(store: Store): { sellSamsung: number } {
  const d = decide(store, { tradingDate: DAY2, symbol: SAMSUNG, kind: 'exit', outcome: 'order', guards: [], rule: 'take profit', configHash: 'cfg-b' });
  const sellSamsung = order(store, {
    date: DAY2, symbol: SAMSUNG, side: 'sell', qty: 7, price: 72_000, decisionId: d, venue: '0000000001',
    fills: [{ qty: 3, value: 216_000, commission: 32, tax: 388 }, { qty: 2, value: 144_000, commission: 21, tax: 259 }],
  });
  // a blocked entry on day 2, so the guard stats have two days
  decide(store, { tradingDate: DAY2, symbol: NAVER, kind: 'entry', outcome: 'blocked', guards: [no('halt', 'daily loss')] });
  return { sellSamsung };
}

export function writeDay3(store: Store): { sellSamsung: number; sellHynix: number[]; buyGap: number } {
  const d = decide(store, { tradingDate: DAY3, symbol: SAMSUNG, kind: 'exit', outcome: 'order', guards: [], rule: 'max hold' });
  const sellSamsung = order(store, {
    date: DAY3, symbol: SAMSUNG, side: 'sell', qty: 5, price: 69_000, decisionId: d, venue: '0000000001',
    fills: [{ qty: 5, value: 345_000, commission: 52, tax: 621 }],
  });
  const h1 = decide(store, { tradingDate: DAY3, symbol: HYNIX, kind: 'exit', outcome: 'order', guards: [], rule: 'trail' });
  const sellHynix1 = order(store, {
    date: DAY3, symbol: HYNIX, side: 'sell', qty: 2, price: 98_000, decisionId: h1, venue: '0000000002',
    fills: [{ qty: 2, value: 196_000, commission: 29, tax: 353 }],
  });
  const h2 = decide(store, { tradingDate: DAY3, symbol: HYNIX, kind: 'exit', outcome: 'order', guards: [], rule: 'stop loss' });
  const sellHynix2 = order(store, {
    date: DAY3, symbol: HYNIX, side: 'sell', qty: 3, price: 97_000, decisionId: h2, venue: '0000000003', signal: 'exit2', time: '143000',
    fills: [{ qty: 3, value: 291_000, commission: 44, tax: 524 }],
  });
  const g = decide(store, { tradingDate: DAY3, symbol: SAMSUNG, kind: 'entry', outcome: 'order', guards: [ok('halt')], strategy: 'gap' });
  const buyGap = order(store, {
    date: DAY3, symbol: SAMSUNG, side: 'buy', qty: 3, price: 68_000, decisionId: g, venue: '0000000004', strategy: 'gap', time: '150000',
    fills: [{ qty: 3, value: 204_000, commission: 31, tax: 0 }],
  });
  return { sellSamsung, sellHynix: [sellHynix1, sellHynix2], buyGap };
}
