import { krw, shares } from '../domain/index.js';
import type { BookLevel, EpochMs, Krw, Shares } from '../domain/index.js';
import { callAuction } from './call-auction.js';
import type { AuctionOrder } from './call-auction.js';

/**
 * The matching engine, pure: (state, event) → (state, fills). It matches our orders against a
 * simulated market, not against each other; the backtester drives it with recorded bars, the
 * simulator with its synthetic minute ticks.
 *
 * Rules (price-time priority among our own orders: better price first, then earlier seq):
 * - An order that meets the market for the first time (at submission, or at the first tick
 *   after a pre-open submission) takes liquidity: it walks the opposite book from the touch and
 *   fills at each level's price, a limit order only at levels within its limit. What it takes is
 *   gone for the rest of that tick. A market order keeps doing this on every tick until filled.
 * - A resting limit order fills only once the market trades through it (buy: last < limit;
 *   sell: last > limit), at its limit price, bounded by the tick's traded volume, which the
 *   resting orders of one side share.
 * - `open` is the opening call auction (docs/kis-wire.md §11.1): orders entered before the open that
 *   have not met the market yet join the market's own auction orders, and everything that
 *   trades trades at one price (call-auction.ts). What is left takes liquidity at the first
 *   continuous tick like any arrival, within its limit.
 * - `close` is the closing call auction: market orders and limits at or better than the auction
 *   price fill at that price, bounded by the auction volume; whatever remains then expires.
 * - `cancel` takes some or all of the remaining quantity off.
 * Invariant of every order: qty = filledQty + cancelledQty + expiredQty + remaining.
 */
export type {
  EngineOrderStatus, NewOrder, EngineOrder, MarketTick, EngineState, EngineEvent, OpeningAuctionBook, EngineFill, EngineRejection, EngineResult,
} from './matching-types.js';
import type { EngineEvent, EngineFill, EngineOrder, EngineResult, EngineState, Liquidity, MarketTick } from './matching-types.js';

export function createEngineState(): EngineState {
  return { orders: new Map(), liquidity: new Map(), seq: 0 };
}

export function remainingOf(o: EngineOrder): Shares {
  return shares(o.qty - o.filledQty - o.cancelledQty - o.expiredQty);
}

export function workingOrders(state: EngineState, symbol?: string): EngineOrder[] {
  const out: EngineOrder[] = [];
  for (const o of state.orders.values()) if (o.status === 'working' && (symbol === undefined || o.symbol === symbol)) out.push(o);
  return out;
}

/** Drops finished orders, e.g. at the end of a day, so the state does not grow for ever. */
export function pruneFinished(state: EngineState): EngineState {
  return { ...state, orders: new Map([...state.orders].filter(([, o]) => o.status === 'working')) };
}

/** Mutable scratch copy for one event; the input state is never touched. */
class Step {
  readonly orders: Map<string, EngineOrder>;
  readonly liquidity: Map<string, Liquidity>;
  readonly fills: EngineFill[] = [];
  seq: number;

  constructor(state: EngineState) {
    this.orders = new Map(state.orders);
    this.liquidity = new Map(state.liquidity);
    this.seq = state.seq;
  }

  done(extra: Partial<EngineResult> = {}): EngineResult {
    return {
      state: { orders: this.orders, liquidity: this.liquidity, seq: this.seq },
      fills: this.fills,
      cancelled: shares(0),
      expired: [],
      rejected: null,
      ...extra,
    };
  }

  /** the tick's liquidity, or what is left of it when this tick was already seen */
  liquidityFor(tick: MarketTick): Liquidity {
    const known = this.liquidity.get(tick.symbol);
    if (known && known.at === tick.at) return known;
    const fresh: Liquidity = {
      at: tick.at,
      asks: tick.asks.map((l) => ({ ...l })),
      bids: tick.bids.map((l) => ({ ...l })),
      forBuys: tick.volume,
      forSells: tick.volume,
    };
    this.liquidity.set(tick.symbol, fresh);
    return fresh;
  }

  fill(o: EngineOrder, qty: number, price: Krw, at: EpochMs): EngineOrder {
    const next: EngineOrder = { ...o, filledQty: shares(o.filledQty + qty), filledValue: krw(o.filledValue + qty * price) };
    if (remainingOf(next) === 0) next.status = 'filled';
    this.orders.set(o.id, next);
    this.fills.push({ orderId: o.id, account: o.account, symbol: o.symbol, side: o.side, qty: shares(qty), price, at });
    return next;
  }

  take(order: EngineOrder, liq: Liquidity, at: EpochMs): void {
    let o = order;
    const levels = o.side === 'buy' ? liq.asks : liq.bids;
    for (const level of levels) {
      const rem = remainingOf(o);
      if (rem === 0) break;
      if (level.qty <= 0) continue;
      if (o.type === 'limit' && (o.side === 'buy' ? level.price > o.limit : level.price < o.limit)) break;
      const q = Math.min(rem, level.qty);
      level.qty = shares(level.qty - q);
      o = this.fill(o, q, level.price, at);
    }
    if (o.fresh && o.type === 'limit') this.orders.set(o.id, { ...o, fresh: false });
  }

  rest(o: EngineOrder, tick: MarketTick, liq: Liquidity): void {
    const crossed = o.side === 'buy' ? tick.last < o.limit : tick.last > o.limit;
    if (!crossed) return;
    const pool = o.side === 'buy' ? liq.forBuys : liq.forSells;
    const q = Math.min(remainingOf(o), Math.floor(pool));
    if (q <= 0) return;
    if (o.side === 'buy') liq.forBuys -= q;
    else liq.forSells -= q;
    this.fill(o, q, o.limit, tick.at);
  }
}

/** better price first, then earlier; market orders ahead of every limit */
function byPriority(a: EngineOrder, b: EngineOrder): number {
  if (a.type !== b.type) return a.type === 'market' ? -1 : 1;
  if (a.type === 'limit' && a.limit !== b.limit) return a.side === 'buy' ? b.limit - a.limit : a.limit - b.limit;
  return a.seq - b.seq;
}

function working(s: Step, symbol: string): EngineOrder[] {
  const out: EngineOrder[] = [];
  for (const o of s.orders.values()) if (o.status === 'working' && o.symbol === symbol) out.push(o);
  return out.sort(byPriority);
}

function current(s: Step, id: string): EngineOrder {
  const o = s.orders.get(id);
  if (!o) throw new Error(`order ${id} vanished during matching`);
  return o;
}

export function applyEngineEvent(state: EngineState, event: EngineEvent): EngineResult {
  const s = new Step(state);
  switch (event.kind) {
    case 'submit': {
      const n = event.order;
      if (s.orders.has(n.id)) return { ...s.done(), state, rejected: 'DUPLICATE_ORDER' };
      const badLimit = n.type === 'limit' ? !(Number.isSafeInteger(n.limit) && n.limit > 0) : n.limit !== 0;
      if (!Number.isSafeInteger(n.qty) || n.qty <= 0 || badLimit) return { ...s.done(), state, rejected: 'INVALID_ORDER' };
      s.seq += 1;
      const o: EngineOrder = {
        ...n, seq: s.seq, filledQty: shares(0), filledValue: krw(0), cancelledQty: shares(0), expiredQty: shares(0),
        status: 'working', fresh: true,
      };
      s.orders.set(o.id, o);
      if (event.tick) s.take(o, s.liquidityFor(event.tick), event.tick.at);
      return s.done();
    }
    case 'cancel': {
      const o = s.orders.get(event.orderId);
      if (!o) return { ...s.done(), state, rejected: 'UNKNOWN_ORDER' };
      if (o.status !== 'working') return { ...s.done(), state, rejected: 'NOT_WORKING' };
      const rem = remainingOf(o);
      const q = event.qty ?? rem;
      if (!Number.isSafeInteger(q) || q <= 0) return { ...s.done(), state, rejected: 'INVALID_ORDER' };
      if (q > rem) return { ...s.done(), state, rejected: 'QTY_EXCEEDS_REMAINING' };
      const next: EngineOrder = { ...o, cancelledQty: shares(o.cancelledQty + q) };
      if (remainingOf(next) === 0) next.status = 'cancelled';
      s.orders.set(o.id, next);
      return s.done({ cancelled: shares(q) });
    }
    case 'tick': {
      const { tick } = event;
      const orders = working(s, tick.symbol);
      if (orders.length === 0) return s.done();
      const liq = s.liquidityFor(tick);
      // arrivals and market orders first, in time order: they reach the book before this tick's trades
      const aggressive = orders.filter((o) => o.type === 'market' || o.fresh).sort((a, b) => a.seq - b.seq);
      for (const o of aggressive) s.take(current(s, o.id), liq, tick.at);
      for (const o of orders) {
        const now = current(s, o.id);
        if (now.status === 'working' && now.type === 'limit' && !aggressive.includes(o)) s.rest(now, tick, liq);
      }
      return s.done();
    }
    case 'open': {
      const ours = working(s, event.symbol).filter((o) => o.fresh && o.at < event.at);
      if (ours.length === 0) return s.done();
      const a = event.auction;
      // the market's orders count as entered before ours: at an equal price they fill first
      const crowd = (side: 'buy' | 'sell', levels: readonly BookLevel[]): AuctionOrder[] =>
        levels.map((l, i) => ({ id: `market:${side}:${i}`, side, limit: l.price, qty: l.qty, priority: 0 }));
      const orders: AuctionOrder[] = [
        ...crowd('buy', a.bids), ...crowd('sell', a.asks),
        ...ours.map((o) => ({ id: o.id, side: o.side, limit: o.type === 'market' ? null : o.limit, qty: remainingOf(o), priority: o.seq })),
      ];
      const result = callAuction(orders, a.reference, a.lower, a.upper);
      if (result.price === null) return s.done();
      for (const f of result.fills) {
        const o = s.orders.get(f.id);
        if (o) s.fill(o, f.qty, result.price, event.at);
      }
      return s.done();
    }
    case 'close': {
      const expired: { orderId: string; qty: Shares }[] = [];
      let forBuys = event.volume;
      let forSells = event.volume;
      for (const o of working(s, event.symbol)) {
        const matches = o.type === 'market' || (o.side === 'buy' ? o.limit >= event.price : o.limit <= event.price);
        const pool = o.side === 'buy' ? forBuys : forSells;
        const q = matches ? Math.min(remainingOf(o), Math.floor(pool)) : 0;
        let now = o;
        if (q > 0) {
          if (o.side === 'buy') forBuys -= q;
          else forSells -= q;
          now = s.fill(o, q, event.price, event.at);
        }
        const rem = remainingOf(now);
        if (rem > 0) {
          s.orders.set(now.id, { ...now, expiredQty: shares(now.expiredQty + rem), status: 'expired' });
          expired.push({ orderId: now.id, qty: rem });
        }
      }
      s.liquidity.delete(event.symbol);
      return s.done({ expired });
    }
  }
}
