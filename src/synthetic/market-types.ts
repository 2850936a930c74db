import type { BookLevel, DailyBar, EpochMs, Krw, OrderBook, StockCode, TradingDate } from '../domain/index.js';
import type { SimSplit } from './corporate-actions.js';
import type { DayPlan } from './daily-plan.js';
import type { OpeningAuctionBook } from '../exchange/index.js';
import type { SimSymbol } from './universe.js';

/** What the synthetic market answers (synthetic-market.ts computes it). */
export type TradingState = 'pre-open' | 'continuous' | 'auction' | 'closed';

export interface SimQuote {
  symbol: SimSymbol;
  at: EpochMs;
  /** the trading day the quote belongs to (the last one on weekends and holidays) */
  date: TradingDate;
  state: TradingState;
  price: Krw;
  /** 0 before the open, as KIS shows a day without trades (⚠ uncertain) */
  open: Krw;
  high: Krw;
  low: Krw;
  base: Krw;
  upper: Krw;
  lower: Krw;
  tick: Krw;
  volume: number;
  value: number;
  /** HHMMSS-able instants of today's high and low; null before the open */
  highAt: EpochMs | null;
  lowAt: EpochMs | null;
  prev: DailyBar | null;
}

export interface MinuteTick {
  symbol: StockCode;
  at: EpochMs;
  last: Krw;
  asks: BookLevel[];
  bids: BookLevel[];
  volume: number;
}

export interface SyntheticMarket {
  symbols(): readonly SimSymbol[];
  symbol(code: string): SimSymbol | undefined;
  /** throws SIM_UNKNOWN_SYMBOL */
  quote(code: string, t?: EpochMs): SimQuote;
  /** ten levels each side, best first; fewer near the price limits */
  book(code: string, t?: EpochMs): OrderBook;
  /**
   * completed daily bars (plus today's partial bar once the session has opened), oldest first;
   * adjusted for the splits that have come by default, in the units they traded in with adjusted: false
   */
  dailyBars(code: string, opts?: { end?: TradingDate; count?: number; at?: EpochMs; adjusted?: boolean }): DailyBar[];
  /** for the matching engine: minutes of continuous trading on a day, one tick per minute */
  steps(date: TradingDate): number;
  minuteTick(code: string, date: TradingDate, step: number): MinuteTick;
  closingAuction(code: string, date: TradingDate): { price: Krw; volume: number; at: EpochMs };
  plan(code: string, date: TradingDate): DayPlan;
  /** the market's own orders in a day's opening call auction; alone they clear at the planned open */
  openingAuction(code: string, date: TradingDate): OpeningAuctionBook & { at: EpochMs };
  /** the splits the market runs, by ex-date (corporate-actions.ts) */
  splits(): readonly SimSplit[];
  /** no trading in the symbol at `at`: suspended (거래정지) or inside its temporary halt (listings.ts) */
  halted(code: string, at: EpochMs): boolean;
  /** intraday paths held in memory (bench/soak.ts): a new day drops the older days' */
  heldPaths(): number;
}
