import type {
  DecisionInput, EpochMs, ExternalOrderInput, OrderStatus, RankingSnapshot, Shares, TradingDate,
} from '../domain/index.js';

/** Record shapes only the trade log has; candidates for src/domain once cli/ needs them as ports. */
export interface OrderEvent {
  id: number;
  orderId: number;
  at: EpochMs;
  /** null for the first event of an order ('intent', or an adopted external order) */
  fromStatus: OrderStatus | null;
  toStatus: OrderStatus;
  event: string;
  details: Record<string, unknown>;
}

/** An adopted order; filledQty defaults to 0 (reconcile then records its fills one by one). */
export type ExternalOrder = ExternalOrderInput & { filledQty?: Shares };

export interface DecisionRecord extends DecisionInput {
  id: number;
}

export interface ScanRecord extends RankingSnapshot {
  id: number;
  tradingDate: TradingDate;
}

export interface KeyValueEntry {
  key: string;
  value: unknown;
  updatedAt: EpochMs;
}
