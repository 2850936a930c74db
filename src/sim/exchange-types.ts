import type { EpochMs, Krw, OrderType, Shares, Side, StockCode, TradingDate } from '../domain/index.js';
import type { FeeRates } from '../market/index.js';
import type { TradeRecord } from './account-ledger.js';
import type { SimCalendar } from './sim-calendar.js';
import type { SyntheticMarket } from './synthetic-market.js';

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
  /** left unfilled at the close (daily-ccld shows it as the variant says: variants.ts) */
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

export interface ExchangeDeps {
  seed: number;
  market: SyntheticMarket;
  calendar: SimCalendar;
  fees: FeeRates;
  branch: string;
  accounts: readonly { account: string; initialCash: Krw }[];
}
