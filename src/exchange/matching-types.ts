import type { BookLevel, EpochMs, Krw, OrderType, Shares, Side, StockCode } from '../domain/index.js';

/** The matching engine's state, events and results (matching-engine.ts has the rules). */
export type EngineOrderStatus = 'working' | 'filled' | 'cancelled' | 'expired';

export interface NewOrder {
  id: string;
  account: string;
  symbol: StockCode;
  side: Side;
  type: OrderType;
  qty: Shares;
  /** limit price; 0 for market orders */
  limit: Krw;
  at: EpochMs;
}

export interface EngineOrder extends NewOrder {
  seq: number;
  filledQty: Shares;
  filledValue: Krw;
  cancelledQty: Shares;
  expiredQty: Shares;
  status: EngineOrderStatus;
  /** has not met the market yet, so takes liquidity on its next chance */
  fresh: boolean;
}

export interface MarketTick {
  symbol: StockCode;
  at: EpochMs;
  last: Krw;
  /** best first */
  asks: readonly BookLevel[];
  bids: readonly BookLevel[];
  /** shares the market traded during this tick */
  volume: number;
}

export interface Liquidity {
  at: EpochMs;
  asks: BookLevel[];
  bids: BookLevel[];
  /** traded volume left for resting buys (sellers hitting bids) and resting sells */
  forBuys: number;
  forSells: number;
}

export interface EngineState {
  readonly orders: ReadonlyMap<string, EngineOrder>;
  readonly liquidity: ReadonlyMap<string, Liquidity>;
  readonly seq: number;
}

export type EngineEvent =
  | { kind: 'submit'; order: NewOrder; tick: MarketTick | null }
  | { kind: 'cancel'; orderId: string; qty: Shares | null; at: EpochMs }
  | { kind: 'tick'; tick: MarketTick }
  | { kind: 'close'; symbol: StockCode; at: EpochMs; price: Krw; volume: number }
  | { kind: 'open'; symbol: StockCode; at: EpochMs; auction: OpeningAuctionBook };

/** The market's own orders in an opening call auction, and the prices that bound it. */
export interface OpeningAuctionBook {
  /** the immediately preceding price: ties between auction prices go to the one closest to it */
  reference: Krw;
  lower: Krw;
  upper: Krw;
  bids: readonly BookLevel[];
  asks: readonly BookLevel[];
}

export interface EngineFill {
  orderId: string;
  account: string;
  symbol: StockCode;
  side: Side;
  qty: Shares;
  price: Krw;
  at: EpochMs;
}

export type EngineRejection = 'DUPLICATE_ORDER' | 'INVALID_ORDER' | 'UNKNOWN_ORDER' | 'NOT_WORKING' | 'QTY_EXCEEDS_REMAINING';

export interface EngineResult {
  state: EngineState;
  fills: EngineFill[];
  /** quantity taken off by a cancel event */
  cancelled: Shares;
  expired: { orderId: string; qty: Shares }[];
  rejected: EngineRejection | null;
}
