import { AppError } from './errors.js';
import type { Krw, Ppm, Shares } from './money.js';
import type { EpochMs, TradingDate } from './time.js';

/** A KRX short code: six characters (ETNs: 'Q' + six digits). Never a number: '005930' keeps its zeros. */
export type StockCode = string & { readonly __brand: 'StockCode' };

export function stockCode(value: string): StockCode {
  if (!/^(\d{6}|Q\d{6}|[0-9A-Z]{6})$/.test(value)) {
    throw new AppError('DOMAIN_INVALID_SYMBOL', `stock code must be six characters like 005930, got "${value}"`);
  }
  return value as StockCode;
}

export type Side = 'buy' | 'sell';
export type OrderType = 'limit' | 'market';
export type Exchange = 'KOSPI' | 'KOSDAQ';
export type Mode = 'sim' | 'paper' | 'live';
/** Which KIS environment a client talks to: the live service or paper (VTS). sim speaks either. */
export type KisEnv = 'live' | 'paper';
/** Priority lanes of the shared KIS rate budget, highest first (DESIGN.md §2). */
export type Lane = 'order' | 'reconcile' | 'signal' | 'scan';
export const LANES: readonly Lane[] = ['order', 'reconcile', 'signal', 'scan'];

export interface Quote {
  symbol: StockCode;
  price: Krw;
  open: Krw;
  high: Krw;
  low: Krw;
  /** base price (기준가), normally the previous close */
  basePrice: Krw;
  upperLimit: Krw;
  lowerLimit: Krw;
  tick: Krw;
  volume: Shares;
  tradedValue: Krw;
  /** change vs previous close in basis points (1 % = 100 bp) */
  changeBp: number;
  halted: boolean;
  at: EpochMs;
}

export interface BookLevel { price: Krw; qty: Shares }

export interface OrderBook {
  symbol: StockCode;
  asks: BookLevel[];
  bids: BookLevel[];
  at: EpochMs;
}

export interface DailyBar {
  symbol: StockCode;
  date: TradingDate;
  open: Krw;
  high: Krw;
  low: Krw;
  close: Krw;
  volume: Shares;
  value: Krw;
}

export type RankingKind = 'volume' | 'fluctuation';

export interface RankingRow {
  rank: number;
  symbol: StockCode;
  name: string;
  price: Krw;
  changeBp: number;
  volume: Shares;
  tradedValue: Krw;
  /** volume increase vs the previous day in bp, when the ranking reports it */
  volumeIncreaseBp: number | null;
}

export interface RankingSnapshot {
  kind: RankingKind;
  params: Record<string, string>;
  rows: RankingRow[];
  /** the response body as received, kept for the audit trail and backtests */
  raw: unknown;
  fetchedAt: EpochMs;
}

export interface CalendarDay {
  date: TradingDate;
  open: boolean;
}

export interface Holding {
  symbol: StockCode;
  name: string;
  qty: Shares;
  /** what can be sold now (held minus pending sells) — the only quantity a sell may use */
  sellableQty: Shares;
  avgPrice: Krw;
  price: Krw;
}

export interface AccountSnapshot {
  holdings: Holding[];
  /** deposit today (D+0) */
  cash: Krw;
  /** D+2 projected cash */
  settledCash: Krw;
  totalValue: Krw;
  at: EpochMs;
}

export interface BuyingPower {
  /** cash available for buys without margin */
  cash: Krw;
  /** max quantity without margin, at `unitPrice` (the price KIS sized it at, REFERENCE §7.5) */
  maxQty: Shares;
  unitPrice: Krw;
}

export interface OrderRequest {
  symbol: StockCode;
  side: Side;
  type: OrderType;
  qty: Shares;
  /** limit price on the tick grid; 0 for market orders */
  price: Krw;
}

export interface OrderAck {
  venueOrderId: string;
  /** branch number (KRX_FWDG_ORD_ORGNO), needed to cancel */
  branch: string;
  acceptedAt: EpochMs;
}

export interface CancelRequest {
  venueOrderId: string;
  branch: string;
  /** cancel only part when set; all remaining otherwise */
  qty?: Shares;
}

/** One order as the broker lists it for a day (inquire-daily-ccld). */
export interface VenueOrder {
  date: TradingDate;
  venueOrderId: string;
  originalOrderId: string | null;
  branch: string;
  symbol: StockCode;
  name: string;
  side: Side;
  type: OrderType;
  /** true for modify/cancel rows */
  isAmendment: boolean;
  qty: Shares;
  price: Krw;
  filledQty: Shares;
  filledValue: Krw;
  avgFillPrice: Krw;
  remainingQty: Shares;
  cancelledQty: Shares;
  rejectedQty: Shares;
  orderedAt: EpochMs;
}

export interface FeeSchedule {
  commission: Ppm;
}
