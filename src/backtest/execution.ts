import { epochMs, kstInstant, shares } from '../domain/index.js';
import type { DailyBar, Krw, OrderType, Side, StockCode } from '../domain/index.js';
import { addTicks, priceLimits } from '../market/index.js';
import type { PriceLimits } from '../market/index.js';
import { applyEngineEvent } from '../exchange/index.js';
import type { EngineFill, EngineState, MarketTick } from '../exchange/index.js';
import type { DayPath } from './types.js';

/** An order decided at one close, to be worked on the next day's bar. */
export interface DayOrder {
  id: string;
  symbol: StockCode;
  side: Side;
  type: OrderType;
  qty: number;
  /** limit price; 0 for a market order */
  limit: Krw;
}

/**
 * A day locked at a price limit (open = high = low at it) trades only through the queue on that
 * side: at the upper limit buyers queue and a buy of ours is behind them, at the lower limit
 * sellers do. The other side fills easily, so only ours is refused (docs/backtest.md).
 */
export function lockedAgainst(side: Side, bar: DailyBar, limits: PriceLimits): boolean {
  if (bar.open !== bar.high || bar.open !== bar.low) return false;
  return side === 'buy' ? bar.open >= limits.upper : bar.open <= limits.lower;
}

/** The open moved `ticks` against the taker, kept inside the day's limits. */
function slipped(open: Krw, ticks: number, side: Side, limits: PriceLimits): Krw {
  const p = addTicks(open, side === 'buy' ? ticks : -ticks);
  return side === 'buy' ? (p > limits.upper ? limits.upper : p) : (p < limits.lower ? limits.lower : p);
}

function tick(symbol: StockCode, at: number, last: Krw, volume: number, book?: { ask: Krw; bid: Krw }): MarketTick {
  const qty = shares(volume);
  return {
    symbol, at: at as MarketTick['at'], last, volume,
    asks: book ? [{ price: book.ask, qty }] : [], bids: book ? [{ price: book.bid, qty }] : [],
  };
}

/**
 * Works one order through the matching engine on one daily bar (docs/backtest.md, execution):
 * it meets the market at the open, on a book one level deep at the open ± slippage with the day's
 * volume, so a marketable order fills there; what rests then fills at its limit if the low (a buy)
 * or the high (a sell) trades through it; the closing auction takes the rest at the close if the
 * limit allows, and anything left expires, as a day order does. `prevClose` sets the day's limits.
 */
export function workOrder(
  state: EngineState, order: DayOrder, bar: DailyBar, prevClose: Krw, slippageTicks: number,
): { state: EngineState; fills: EngineFill[] } {
  const limits = priceLimits(prevClose);
  if (lockedAgainst(order.side, bar, limits) || bar.volume <= 0) return { state, fills: [] };
  const open = kstInstant(bar.date, '090000');
  const book = {
    ask: slipped(bar.open, slippageTicks, 'buy', limits), bid: slipped(bar.open, slippageTicks, 'sell', limits),
  };
  const fills: EngineFill[] = [];
  let s = state;
  const apply = (r: { state: EngineState; fills: EngineFill[] }): void => {
    s = r.state;
    fills.push(...r.fills);
  };
  apply(applyEngineEvent(s, {
    kind: 'submit', tick: tick(bar.symbol, open, bar.open, bar.volume, book),
    order: {
      id: order.id, account: 'backtest', symbol: bar.symbol, side: order.side, type: order.type, qty: shares(order.qty),
      limit: order.limit, at: open,
    },
  }));
  apply(applyEngineEvent(s, { kind: 'tick', tick: tick(bar.symbol, open + 1000, bar.low, bar.volume) }));
  apply(applyEngineEvent(s, { kind: 'tick', tick: tick(bar.symbol, open + 2000, bar.high, bar.volume) }));
  apply(applyEngineEvent(s, {
    kind: 'close', symbol: bar.symbol, at: kstInstant(bar.date, '153000'), price: bar.close, volume: bar.volume,
  }));
  return { state: s, fills };
}

/**
 * Works one order through the matching engine along the day's intraday path (docs/backtest.md §2,
 * sim source), with the events the simulator's exchange feeds it (exchange/exchange.ts advanceTo):
 * the order, decided at yesterday's close, is entered before the open, so it joins the opening call
 * auction, which the market's own orders alone clear at the bar's open (ours, if large, move it);
 * what is left meets each minute's tick (its book when it is still fresh or a market order, else a
 * resting limit fills at its limit once the last trade goes through it, bounded by the minute's
 * volume); the closing auction takes the rest if the limit allows, and anything left expires.
 * A day locked at a limit against us is refused as on bars (`lockedAgainst`): the path does not
 * model the queue at the limit. `backtest.slippageTicks` is not used: the auction and the book price it.
 */
export function workOrderOnPath(
  state: EngineState, order: DayOrder, bar: DailyBar, prevClose: Krw, path: DayPath,
): { state: EngineState; fills: EngineFill[] } {
  if (lockedAgainst(order.side, bar, priceLimits(prevClose)) || bar.volume <= 0) return { state, fills: [] };
  // a suspended symbol takes no orders (the simulator refuses them: exchange/order-entry.ts)
  if (path.opening === null) return { state, fills: [] };
  const { at: openAt, ...auction } = path.opening;
  const fills: EngineFill[] = [];
  let s = state;
  const apply = (r: { state: EngineState; fills: EngineFill[] }): void => {
    s = r.state;
    fills.push(...r.fills);
  };
  apply(applyEngineEvent(s, {
    kind: 'submit', tick: null,
    order: {
      id: order.id, account: 'backtest', symbol: bar.symbol, side: order.side, type: order.type, qty: shares(order.qty),
      limit: order.limit, at: epochMs(openAt - 1),
    },
  }));
  apply(applyEngineEvent(s, { kind: 'open', symbol: bar.symbol, at: openAt, auction }));
  const working = (): boolean => s.orders.get(order.id)?.status === 'working';
  for (let k = 0; k < path.steps && working(); k++) {
    const t = path.tick(k);
    if (t !== null) apply(applyEngineEvent(s, { kind: 'tick', tick: t }));
  }
  if (working()) {
    const c = path.closing;
    apply(applyEngineEvent(s, { kind: 'close', symbol: bar.symbol, at: c.at, price: c.price, volume: c.volume }));
  }
  return { state: s, fills };
}

/** The fill model a run uses, for the report's title (docs/backtest.md §2). */
export function fillModel(onPaths: boolean, slippageTicks: number): string {
  return onPaths
    ? 'fills on the synthetic intraday path (opening auction, minute ticks and book, closing auction)'
    : `fills on daily bars (open ± ${slippageTicks} tick${slippageTicks === 1 ? '' : 's'}, `
      + 'limits through low/high, close)';
}
