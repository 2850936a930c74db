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
/** Priority lanes of the shared KIS rate budget, highest first (docs/architecture.md §2). */
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
  /** the exchange's designations of the stock today (investment warnings, administrative issue, …) */
  status: QuoteStatus;
  at: EpochMs;
}

/**
 * What inquire-price says about a stock beyond its price (docs/kis-wire.md §6.1): the designations that
 * make it a name an autonomous buyer should not touch. A trading halt stays Quote.halted.
 */
export interface QuoteStatus {
  /** the venue's status code as sent (e.g. '55' credit allowed, '53' investment warning); null when absent */
  code: string | null;
  /** 관리종목 */
  administrative: boolean;
  /** 투자위험 / 투자경고 / 투자주의; null for none */
  warning: 'risk' | 'warning' | 'caution' | null;
  /** the market warning code when it is not the "none" code; its other values are not documented */
  marketWarningCode: string | null;
  /** 투자유의 */
  investmentAttention: boolean;
  /** 단기과열 */
  shortTermOverheated: boolean;
  /** 정리매매: the last days before a delisting */
  liquidationTrading: boolean;
  /** a volatility interruption (VI) is in force: trading is a single-price auction for now */
  vi: boolean;
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

/**
 * The kinds of securities a ranking leaves out: the ten positions of volume-rank's exclusion
 * code, in the workbook's order (docs/kis-wire.md §6.5). true = leave that kind out.
 */
export interface RankingExclusions {
  /** 투자위험 / 투자경고 / 투자주의 */
  investmentWarning: boolean;
  /** 관리종목 */
  administrative: boolean;
  /** 정리매매 */
  liquidationTrading: boolean;
  /** 불성실공시 */
  unfaithfulDisclosure: boolean;
  /** 우선주 */
  preferred: boolean;
  /** 거래정지 */
  halted: boolean;
  etf: boolean;
  etn: boolean;
  /** 신용주문불가 */
  creditNotAllowed: boolean;
  spac: boolean;
}

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
  /** max quantity without margin, at `unitPrice` (the price KIS sized it at, docs/kis-wire.md §7.5) */
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
