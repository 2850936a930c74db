import type { EpochMs, Exchange, Krw, OrderType, Shares, Side, StockCode, TradingDate } from '../domain/index.js';
import type { FeeRates, SessionPhase } from '../market/index.js';
import type { TradeRecord } from './account-ledger.js';
import type { MarketTick, OpeningAuctionBook } from './matching-types.js';

/** The exchange's records and read views (exchange.ts keeps the behaviour). */
export type OrderKind = 'new' | 'modify' | 'cancel';

export interface OrderRecord {
  date: TradingDate;
  /** 10 digits, zero-padded, increasing within a day (docs/kis-wire.md §7.2, §12) */
  odno: string;
  branch: string;
  account: string;
  symbol: StockCode;
  name: string;
  side: Side;
  type: OrderType;
  qty: Shares;
  /** ORD_UNPR as sent: 0 for market orders and cancel rows */
  price: Krw;
  orderedAt: EpochMs;
  kind: OrderKind;
  orgnOdno: string | null;
  /** the price a buy reserves cash at: its limit, or the upper limit for market buys (§7.2) */
  reserveUnit: Krw;
  /** null for cancel rows, which never trade */
  engineId: string | null;
}

export interface SimOrderView extends OrderRecord {
  filledQty: Shares;
  filledValue: Krw;
  remainingQty: Shares;
  cancelledQty: Shares;
  /** left unfilled at the close (daily-ccld shows it as the variant says: sim/variants.ts) */
  expiredQty: Shares;
  /** refused by the exchange after KIS acknowledged it (rjct_qty) */
  rejectedQty: Shares;
  status: 'working' | 'filled' | 'cancelled' | 'expired' | 'rejected';
}

export interface SimHoldingView {
  symbol: StockCode;
  name: string;
  qty: Shares;
  sellableQty: Shares;
  cost: Krw;
}

export interface SimCashView {
  /** dnca_tot_amt: D+0 */
  d0: Krw;
  d1: Krw;
  /** prvs_rcdl_excc_amt: D+2 projection */
  d2: Krw;
  /** held back by working buys */
  reserved: Krw;
  /** D+2 cash less reservations: what a new buy may use */
  available: Krw;
}

/** Read access for tests and the CLI. */
export interface ExchangeState {
  orders(account: string, date?: TradingDate): SimOrderView[];
  holdings(account: string): SimHoldingView[];
  cash(account: string): SimCashView;
  trades(account: string): readonly TradeRecord[];
  /** order-cash POSTs that were booked, including those whose response was then dropped */
  readonly ordersReceived: number;
  /** order-rvsecncl POSTs that were booked */
  readonly cancelsReceived: number;
}

/**
 * What the exchange reads of the market it trades in. The synthetic market (src/synthetic/) is
 * one; the exchange names only what it uses, so it never depends on where prices come from.
 */
export interface ExchangeMarket {
  symbol(code: string): { code: StockCode; name: string; exchange: Exchange } | undefined;
  /** today's price limits at `t`, which a limit price must lie within */
  quote(code: string, t?: EpochMs): { lower: Krw; upper: Krw };
  /** minutes of continuous trading on a day, one tick per minute */
  steps(date: TradingDate): number;
  minuteTick(code: string, date: TradingDate, step: number): MarketTick;
  /** the market's own orders in a day's opening call auction */
  openingAuction(code: string, date: TradingDate): OpeningAuctionBook & { at: EpochMs };
  closingAuction(code: string, date: TradingDate): { price: Krw; volume: number; at: EpochMs };
  /** splits by ex-date; the ledger applies each at the start of its ex-date */
  splits(): readonly { symbol: StockCode; date: TradingDate; num: number; den: number }[];
  /** no trading in the symbol at `at` (suspended or in a temporary halt) */
  halted(code: string, at: EpochMs): boolean;
}

/** The calendar questions the exchange asks; it must answer for any day, as the market's does. */
export interface ExchangeCalendar {
  isTradingDay(d: TradingDate): boolean;
  next(d: TradingDate): TradingDate;
  bounds(d: TradingDate): { openingAuctionStart: EpochMs; open: EpochMs; close: EpochMs };
  phase(t: EpochMs): SessionPhase;
  /** a small integer per day, to key the order-number draws */
  dayNumber(d: TradingDate): number;
  /** the n-th trading day after d (n ≥ 0; 0 = d itself) */
  addTradingDays(d: TradingDate, n: number): TradingDate;
}

export interface ExchangeDeps {
  /**
   * A uint32 for the n-th order number of a day (n = 0 for the first): other customers' orders
   * take numbers in between. Handed in, so the exchange has no randomness of its own.
   */
  orderNumberDraw: (dayNo: number, n: number) => number;
  market: ExchangeMarket;
  calendar: ExchangeCalendar;
  fees: FeeRates;
  branch: string;
  accounts: readonly { account: string; initialCash: Krw }[];
}
