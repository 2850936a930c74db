import { kstInstant, krw, shares } from '../domain/index.js';
import type { DailyBar, EpochMs, Krw, Quote, QuoteStatus, TradingDate } from '../domain/index.js';
import { priceLimits, tickSize } from '../market/index.js';

/** A backtest knows no designations: every stock is an ordinary one (docs/backtest.md, limits). */
const NO_STATUS: QuoteStatus = {
  code: null, administrative: false, warning: null, marketWarningCode: null, investmentAttention: false,
  shortTermOverheated: false, liquidationTrading: false, vi: false,
};

/** Decisions are taken at the close (docs/backtest.md): 15:30 KST, so a volume projection divides by the whole day. */
export const closeInstant = (date: TradingDate): EpochMs => kstInstant(date, '153000');

/**
 * The quote the decision code reads at the close of `bars[i]`: the day's bar as the live quote, the
 * previous close as the base price (기준가) and the ±30 % limits around it. Nothing after `i` is read.
 */
export function closeQuote(bars: readonly DailyBar[], i: number, at: EpochMs = closeInstant(bars[i]!.date)): Quote {
  const bar = bars[i]!;
  const base = i > 0 ? bars[i - 1]!.close : krw(0);
  const limits = base > 0 ? priceLimits(base) : { upper: krw(0), lower: krw(0) };
  return {
    symbol: bar.symbol, price: bar.close, open: bar.open, high: bar.high, low: bar.low, basePrice: base,
    upperLimit: limits.upper, lowerLimit: limits.lower, tick: tickSize(bar.close), volume: bar.volume,
    tradedValue: bar.value, changeBp: base > 0 ? Math.trunc(((bar.close - base) * 10_000) / base) : 0,
    halted: false, status: NO_STATUS, at,
  };
}

/**
 * What an order for the next day is priced from: the last price is the close, which is also the
 * next day's base price, so the limits are the next day's and a limit price stays inside them.
 * `at`: the bar's close (closeInstant), which the day loop already has.
 */
export function nextDayQuote(bar: DailyBar, at: EpochMs = closeInstant(bar.date)): Quote {
  const limits = priceLimits(bar.close);
  return {
    symbol: bar.symbol, price: bar.close, open: krw(0), high: krw(0), low: krw(0), basePrice: bar.close,
    upperLimit: limits.upper, lowerLimit: limits.lower, tick: tickSize(bar.close), volume: shares(0),
    tradedValue: krw(0), changeBp: 0, halted: false, status: NO_STATUS, at,
  };
}

/**
 * The unit price a buy is sized and checked at: a market buy reserves the upper limit
 * (docs/kis-wire.md §13 item 11).
 */
export const unitPriceOf = (type: 'limit' | 'market', limit: Krw, upper: Krw): Krw =>
  (type === 'market' ? upper : limit);
