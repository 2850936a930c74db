import { describe, expect, it } from 'vitest';
import { epochMs, krw, shares, stockCode } from '../../../src/domain/index.js';
import type { EpochMs } from '../../../src/domain/index.js';
import { applyEngineEvent, createEngineState, remainingOf } from '../../../src/exchange/index.js';
import type { EngineEvent, EngineOrder, EngineState, MarketTick, NewOrder } from '../../../src/exchange/index.js';

const SYM = stockCode('005930');
const T0 = epochMs(1_773_277_200_000);
const min = (k: number): EpochMs => epochMs(T0 + k * 60_000);

function tick(k: number, last: number, opts: { asks?: [number, number][]; bids?: [number, number][]; volume?: number } = {}): MarketTick {
  const level = ([p, q]: [number, number]) => ({ price: krw(p), qty: shares(q) });
  return {
    symbol: SYM, at: min(k), last: krw(last),
    asks: (opts.asks ?? [[last + 100, 50], [last + 200, 80], [last + 300, 100]]).map(level),
    bids: (opts.bids ?? [[last, 60], [last - 100, 90]]).map(level),
    volume: opts.volume ?? 1_000,
  };
}

function order(id: string, p: Partial<NewOrder> = {}): NewOrder {
  return { id, account: 'A', symbol: SYM, side: 'buy', type: 'market', qty: shares(10), limit: krw(0), at: min(0), ...p };
}

function run(events: EngineEvent[], state: EngineState = createEngineState()) {
  const fills = [];
  const expired = [];
  let s = state;
  for (const e of events) {
    const r = applyEngineEvent(s, e);
    expect(r.rejected).toBeNull();
    fills.push(...r.fills);
    expired.push(...r.expired);
    s = r.state;
  }
  return { state: s, fills, expired };
}

function get(s: EngineState, id: string): EngineOrder {
  const o = s.orders.get(id);
  if (!o) throw new Error(`no order ${id}`);
  return o;
}

function invariant(o: EngineOrder): void {
  expect(o.qty).toBe(o.filledQty + o.cancelledQty + o.expiredQty + remainingOf(o));
}

describe('matching engine', () => {
  it('fills a market buy at the ask and a market sell at the bid', () => {
    const { state, fills } = run([
      { kind: 'submit', order: order('b'), tick: tick(0, 72_000) },
      { kind: 'submit', order: order('s', { side: 'sell' }), tick: tick(0, 72_000) },
    ]);
    expect(fills.map((f) => [f.orderId, f.qty, f.price])).toEqual([['b', 10, 72_100], ['s', 10, 72_000]]);
    expect(get(state, 'b').status).toBe('filled');
    expect(get(state, 'b').filledValue).toBe(721_000);
  });

  it('walks the book when the touch is too small, and takes the rest on later ticks', () => {
    const { state, fills } = run([
      { kind: 'submit', order: order('b', { qty: shares(150) }), tick: tick(0, 72_000, { asks: [[72_100, 50], [72_200, 80]] }) },
    ]);
    expect(fills.map((f) => [f.qty, f.price])).toEqual([[50, 72_100], [80, 72_200]]);
    expect(remainingOf(get(state, 'b'))).toBe(20);
    expect(get(state, 'b').status).toBe('working');

    // the same minute's book is used up: another order in that minute finds nothing left
    const same = run([{ kind: 'submit', order: order('c', { qty: shares(5), at: min(0) }), tick: tick(0, 72_000, { asks: [[72_100, 50], [72_200, 80]] }) }], state);
    expect(same.fills).toEqual([]);

    const next = run([{ kind: 'tick', tick: tick(1, 72_500, { asks: [[72_600, 100]] }) }], same.state);
    expect(next.fills.map((f) => [f.orderId, f.qty, f.price])).toEqual([['b', 20, 72_600], ['c', 5, 72_600]]);
    expect(get(next.state, 'b').filledValue).toBe(50 * 72_100 + 80 * 72_200 + 20 * 72_600);
  });

  it('rests a limit buy until the market trades below it, then fills at the limit within the traded volume', () => {
    const limit = order('l', { type: 'limit', limit: krw(71_900), qty: shares(100) });
    const r = run([
      { kind: 'submit', order: limit, tick: tick(0, 72_000) },
      { kind: 'tick', tick: tick(1, 71_900) },
      { kind: 'tick', tick: tick(2, 72_300) },
    ]);
    expect(r.fills).toEqual([]);
    const crossed = run([{ kind: 'tick', tick: tick(3, 71_800, { volume: 30 }) }, { kind: 'tick', tick: tick(4, 71_700, { volume: 500 }) }], r.state);
    expect(crossed.fills.map((f) => [f.qty, f.price, f.at])).toEqual([[30, 71_900, min(3)], [70, 71_900, min(4)]]);
    expect(get(crossed.state, 'l').status).toBe('filled');
  });

  it('rests a limit sell until the market trades above it', () => {
    const r = run([
      { kind: 'submit', order: order('s', { side: 'sell', type: 'limit', limit: krw(72_500), qty: shares(5) }), tick: tick(0, 72_000) },
      { kind: 'tick', tick: tick(1, 72_500) },
    ]);
    expect(r.fills).toEqual([]);
    const up = run([{ kind: 'tick', tick: tick(2, 72_600) }], r.state);
    expect(up.fills.map((f) => [f.qty, f.price])).toEqual([[5, 72_500]]);
  });

  it('fills a marketable limit at the book prices within its limit and rests the rest', () => {
    const r = run([
      { kind: 'submit', order: order('l', { type: 'limit', limit: krw(72_200), qty: shares(200) }), tick: tick(0, 72_000) },
    ]);
    expect(r.fills.map((f) => [f.qty, f.price])).toEqual([[50, 72_100], [80, 72_200]]);
    expect(remainingOf(get(r.state, 'l'))).toBe(70);
  });

  it('keeps better-priced resting orders first when volume is short', () => {
    const r = run([
      { kind: 'submit', order: order('low', { type: 'limit', limit: krw(71_500), qty: shares(10) }), tick: tick(0, 72_000) },
      { kind: 'submit', order: order('high', { type: 'limit', limit: krw(71_800), qty: shares(10), at: min(0) }), tick: tick(0, 72_000) },
      { kind: 'tick', tick: tick(1, 71_400, { volume: 12 }) },
    ]);
    expect(r.fills.map((f) => [f.orderId, f.qty])).toEqual([['high', 10], ['low', 2]]);
  });

  it('takes liquidity at the first tick for orders that have not met the market yet (what the opening auction left)', () => {
    const r = run([
      { kind: 'submit', order: order('pre', { type: 'limit', limit: krw(72_300), qty: shares(10) }), tick: null },
      { kind: 'tick', tick: tick(0, 72_000) },
    ]);
    expect(r.fills.map((f) => [f.qty, f.price])).toEqual([[10, 72_100]]);
  });

  it('matches orders entered before the open in one call auction: one price for every fill, market orders first', () => {
    // the market's own interest: 100 shares a tick, buyers 71,500 − 10 ticks … + 9, sellers − 9 … + 10: alone it clears at 71,500
    const ladder = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => ({ price: krw(71_500 + (from + i) * 100), qty: shares(100) }));
    const auction = { reference: krw(71_400), lower: krw(50_000), upper: krw(93_000), bids: ladder(-10, 9).reverse(), asks: ladder(-9, 10) };
    const pre = (id: string, p: Partial<NewOrder>): EngineEvent => ({ kind: 'submit', order: order(id, { at: min(-20), ...p }), tick: null });
    const r = run([
      pre('b1', { type: 'limit', limit: krw(72_000), qty: shares(30) }),
      pre('b2', { type: 'limit', limit: krw(71_500), qty: shares(20) }),
      pre('low', { type: 'limit', limit: krw(71_000), qty: shares(5) }),
      pre('s', { side: 'sell', qty: shares(10) }),
      pre('m', { qty: shares(10) }),
      { kind: 'submit', order: order('late', { type: 'limit', limit: krw(72_000), qty: shares(5), at: min(0) }), tick: null },
      { kind: 'open', symbol: SYM, at: min(0), auction },
    ]);
    expect(r.fills.map((f) => [f.orderId, f.qty, f.price, f.at])).toEqual([['m', 10, 71_500, min(0)], ['b1', 30, 71_500, min(0)], ['s', 10, 71_500, min(0)]]);
    // at the auction price the market's earlier orders fill first; below it nothing; an order entered at 09:00 is not in the call
    for (const id of ['b2', 'low', 'late']) expect(get(r.state, id)).toMatchObject({ filledQty: 0, status: 'working', fresh: true });

    // a market buy larger than the interest at the open lifts the price, to the best price closest to the reference
    const big = run([pre('big', { qty: shares(500) }), { kind: 'open', symbol: SYM, at: min(0), auction }]);
    expect(big.fills.map((f) => [f.qty, f.price])).toEqual([[500, 71_700]]);
    invariant(get(big.state, 'big'));
  });

  it('matches the closing auction and expires what is left, keeping every invariant', () => {
    const r = run([
      { kind: 'submit', order: order('m', { qty: shares(10) }), tick: null },
      { kind: 'submit', order: order('in', { type: 'limit', limit: krw(72_000), qty: shares(10) }), tick: null },
      { kind: 'submit', order: order('out', { type: 'limit', limit: krw(71_000), qty: shares(10) }), tick: null },
      { kind: 'submit', order: order('part', { type: 'limit', limit: krw(72_500), qty: shares(100) }), tick: null },
      { kind: 'close', symbol: SYM, at: min(390), price: krw(71_900), volume: 50 },
    ]);
    expect(r.fills.map((f) => [f.orderId, f.qty, f.price])).toEqual([['m', 10, 71_900], ['part', 40, 71_900]]);
    expect(r.expired).toEqual([{ orderId: 'part', qty: 60 }, { orderId: 'in', qty: 10 }, { orderId: 'out', qty: 10 }]);
    for (const id of ['m', 'in', 'out', 'part']) {
      const o = get(r.state, id);
      invariant(o);
      expect(remainingOf(o)).toBe(0);
    }
    expect(get(r.state, 'part').status).toBe('expired');
    expect(get(r.state, 'm').status).toBe('filled');
  });

  it('cancels all or part of the remaining quantity, and refuses what cannot be cancelled', () => {
    const start = run([{ kind: 'submit', order: order('l', { type: 'limit', limit: krw(70_000), qty: shares(10) }), tick: tick(0, 72_000) }]);
    const part = applyEngineEvent(start.state, { kind: 'cancel', orderId: 'l', qty: shares(4), at: min(1) });
    expect(part.cancelled).toBe(4);
    expect(remainingOf(get(part.state, 'l'))).toBe(6);
    expect(applyEngineEvent(part.state, { kind: 'cancel', orderId: 'l', qty: shares(7), at: min(1) }).rejected).toBe('QTY_EXCEEDS_REMAINING');
    const rest = applyEngineEvent(part.state, { kind: 'cancel', orderId: 'l', qty: null, at: min(2) });
    expect(rest.cancelled).toBe(6);
    const o = get(rest.state, 'l');
    expect(o.status).toBe('cancelled');
    invariant(o);
    expect(applyEngineEvent(rest.state, { kind: 'cancel', orderId: 'l', qty: null, at: min(2) }).rejected).toBe('NOT_WORKING');
    expect(applyEngineEvent(rest.state, { kind: 'cancel', orderId: 'zz', qty: null, at: min(2) }).rejected).toBe('UNKNOWN_ORDER');
    // a cancelled order no longer trades
    expect(run([{ kind: 'tick', tick: tick(3, 60_000) }], rest.state).fills).toEqual([]);
  });

  it('never changes the state it was given', () => {
    const s0 = run([{ kind: 'submit', order: order('l', { type: 'limit', limit: krw(71_900), qty: shares(10) }), tick: tick(0, 72_000) }]).state;
    const before = JSON.stringify([...s0.orders]);
    applyEngineEvent(s0, { kind: 'tick', tick: tick(1, 71_000) });
    applyEngineEvent(s0, { kind: 'cancel', orderId: 'l', qty: null, at: min(1) });
    expect(JSON.stringify([...s0.orders])).toBe(before);
  });

  it('refuses duplicate ids and malformed orders', () => {
    const s = run([{ kind: 'submit', order: order('a'), tick: null }]).state;
    expect(applyEngineEvent(s, { kind: 'submit', order: order('a'), tick: null }).rejected).toBe('DUPLICATE_ORDER');
    expect(applyEngineEvent(s, { kind: 'submit', order: order('b', { qty: shares(0) }), tick: null }).rejected).toBe('INVALID_ORDER');
    expect(applyEngineEvent(s, { kind: 'submit', order: order('c', { limit: krw(100) }), tick: null }).rejected).toBe('INVALID_ORDER');
  });
});
