import type { Krw, OrderBook, Quote, Side } from '../domain/index.js';
import { AppError } from '../domain/index.js';
import type { PriceLimits } from '../market/index.js';
import { addTicks, priceLimits, roundToTick } from '../market/index.js';

export interface LimitPriceInput {
  side: Side;
  quote: Quote;
  book?: OrderBook;
  /** ticks beyond the touch: more aggressive when positive (above the ask for a buy, below the bid for a sell) */
  offsetTicks: number;
}

export interface LimitPrice {
  price: Krw;
  /** the price the offset was applied to */
  reference: Krw;
  referenceSource: 'best-ask' | 'best-bid' | 'last';
  /** set when the price was pulled back inside the day's limits */
  clampedTo: 'upper' | 'lower' | null;
  limits: PriceLimits;
}

/**
 * The exchange's own limits when the quote has them (stck_mxpr / stck_llam), else the ±30 %
 * computed from the base price (docs/kis-wire.md §11.2).
 */
function dayLimits(quote: Quote): PriceLimits {
  if (quote.upperLimit > 0 && quote.lowerLimit > 0) return { upper: quote.upperLimit, lower: quote.lowerLimit };
  if (quote.basePrice > 0) return priceLimits(quote.basePrice);
  throw new AppError('SIGNALS_INVALID_INPUT', `no price limits and no base price for ${quote.symbol}`, { details: { symbol: quote.symbol } });
}

/** Level 1 of the book when it holds a price; KIS writes empty levels as "0" (docs/kis-wire.md §6.2). */
function touch(book: OrderBook | undefined, side: Side): Krw | null {
  const level = side === 'buy' ? book?.asks[0] : book?.bids[0];
  return level !== undefined && level.price > 0 ? level.price : null;
}

/**
 * A marketable limit price: for a buy the best ask (else the last price) plus `offsetTicks`
 * ticks, for a sell the best bid (else last) minus them, stepping across tick bands one tick at a
 * time (docs/kis-wire.md §11.3) and kept inside the day's limits, since an order outside them is
 * rejected (§11.2). The result is always on the grid: the reference is snapped towards the
 * aggressive side first, and the limits published by the exchange are grid prices.
 */
export function limitPriceFor(input: LimitPriceInput): LimitPrice {
  const { side, quote } = input;
  const best = touch(input.book, side);
  const raw = best ?? quote.price;
  // Never price off a zero or negative last price: that is a missing quote, not a price.
  if (raw <= 0) {
    throw new AppError('SIGNALS_INVALID_INPUT', `no usable price for ${quote.symbol}`, { details: { symbol: quote.symbol, price: raw } });
  }
  const reference = roundToTick(raw, side === 'buy' ? 'up' : 'down');
  const limits = dayLimits(quote);
  const moved = addTicks(reference, side === 'buy' ? input.offsetTicks : -input.offsetTicks);
  let price = moved;
  let clampedTo: LimitPrice['clampedTo'] = null;
  if (moved > limits.upper) {
    price = limits.upper;
    clampedTo = 'upper';
  } else if (moved < limits.lower) {
    price = limits.lower;
    clampedTo = 'lower';
  }
  const referenceSource = best === null ? 'last' : side === 'buy' ? 'best-ask' : 'best-bid';
  return { price, reference, referenceSource, clampedTo, limits };
}

/** The limit price alone; see limitPriceFor for the values it was computed from. */
export function entryLimitPrice(input: LimitPriceInput): Krw {
  return limitPriceFor(input).price;
}
