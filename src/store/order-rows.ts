import { epochMs, krw, shares, stockCode, tradingDate } from '../domain/index.js';
import type { OrderOrigin, OrderRecord, OrderStatus, OrderType, Side } from '../domain/index.js';
import { parseJson } from './sqlite-errors.js';
import type { OrderEvent } from './types.js';

/** Column shapes as SQLite returns them; the CHECK constraints of 0001_init.sql narrow the TEXT unions. */
export interface OrderRow {
  id: number;
  intent_key: string;
  origin: string;
  symbol: string;
  side: string;
  type: string;
  qty: number;
  price: number;
  trading_date: string;
  status: string;
  venue_order_id: string | null;
  branch: string | null;
  filled_qty: number;
  reject_code: string | null;
  reject_message: string | null;
  decision_id: number | null;
  config_hash: string;
  reason: string;
  created_at: number;
  updated_at: number;
  submitted_at: number | null;
}

export interface OrderEventRow {
  id: number;
  order_id: number;
  at: number;
  from_status: string | null;
  to_status: string;
  event: string;
  details: string;
}

export function toOrderRecord(r: OrderRow): OrderRecord {
  return {
    id: r.id,
    intentKey: r.intent_key,
    origin: r.origin as OrderOrigin,
    symbol: stockCode(r.symbol),
    side: r.side as Side,
    type: r.type as OrderType,
    qty: shares(r.qty),
    price: krw(r.price),
    tradingDate: tradingDate(r.trading_date),
    status: r.status as OrderStatus,
    venueOrderId: r.venue_order_id,
    branch: r.branch,
    filledQty: shares(r.filled_qty),
    rejectCode: r.reject_code,
    rejectMessage: r.reject_message,
    decisionId: r.decision_id,
    configHash: r.config_hash,
    reason: r.reason,
    createdAt: epochMs(r.created_at),
    updatedAt: epochMs(r.updated_at),
    submittedAt: r.submitted_at === null ? null : epochMs(r.submitted_at),
  };
}

export function toOrderEvent(r: OrderEventRow): OrderEvent {
  return {
    id: r.id,
    orderId: r.order_id,
    at: epochMs(r.at),
    fromStatus: r.from_status as OrderStatus | null,
    toStatus: r.to_status as OrderStatus,
    event: r.event,
    details: parseJson<Record<string, unknown>>(r.details),
  };
}

export const INSERT_EVENT_SQL = `
  INSERT INTO order_events (order_id, at, from_status, to_status, event, details)
  VALUES (@orderId, @at, @fromStatus, @toStatus, @event, @details)`;

export interface EventParams {
  orderId: number;
  at: number;
  fromStatus: string | null;
  toStatus: string;
  event: string;
  details: string;
}
