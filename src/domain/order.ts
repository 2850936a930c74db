import type { Krw, Shares } from './money.js';
import type { EpochMs, TradingDate } from './time.js';
import type { OrderType, Side, StockCode } from './types.js';

/**
 * Lifecycle of one order intent (one row in `orders`). The transition table is order-status.ts.
 *
 *  pending     intent recorded, not yet handed to the broker
 *  submitting  the POST is about to go out or is in flight (a crash here means: reconcile)
 *  accepted    the broker gave a venue order id; nothing filled yet
 *  partial     some quantity filled, the rest still working
 *  filled      all quantity filled (terminal)
 *  cancelled   cancelled with the rest unfilled (terminal)
 *  expired     day order ended unfilled at the close (terminal)
 *  rejected    the broker refused it with a business error (terminal)
 *  unknown     POST outcome not proven either way; only reconciliation moves it on
 *  failed      proven never placed: not found at the broker after the grace window, or refused
 *              transiently before reaching the order system (EGW00201 …) (terminal)
 */
export const ORDER_STATUSES = [
  'pending', 'submitting', 'accepted', 'partial', 'filled', 'cancelled', 'expired', 'rejected', 'unknown', 'failed',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const TERMINAL_STATUSES: readonly OrderStatus[] = ['filled', 'cancelled', 'expired', 'rejected', 'failed'];

/** Who placed the order: this daemon, or somebody else on the same account (adopted on reconcile). */
export type OrderOrigin = 'daemon' | 'external';

export interface OrderIntent {
  intentKey: string;
  symbol: StockCode;
  side: Side;
  type: OrderType;
  qty: Shares;
  /** limit price; 0 for market */
  price: Krw;
  tradingDate: TradingDate;
  decisionId: number | null;
  configHash: string;
  reason: string;
}

export interface OrderRecord extends OrderIntent {
  id: number;
  origin: OrderOrigin;
  status: OrderStatus;
  venueOrderId: string | null;
  branch: string | null;
  filledQty: Shares;
  rejectCode: string | null;
  rejectMessage: string | null;
  createdAt: EpochMs;
  updatedAt: EpochMs;
  submittedAt: EpochMs | null;
}

export interface FillRecord {
  id: number;
  /** unique per fill at the venue: venue order id + cumulative quantity after the fill */
  fillKey: string;
  orderId: number;
  symbol: StockCode;
  side: Side;
  qty: Shares;
  /** average price of this fill; `value` is the exact amount (KIS reports cumulative amounts) */
  price: Krw;
  value: Krw;
  commission: Krw;
  tax: Krw;
  tradingDate: TradingDate;
  at: EpochMs;
}

export interface Position {
  symbol: StockCode;
  qty: Shares;
  /** cost basis including buy commission, in won */
  cost: Krw;
  avgPrice: Krw;
  realizedPnl: Krw;
}
