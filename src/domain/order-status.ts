import { AppError } from './errors.js';
import { TERMINAL_STATUSES } from './order.js';
import type { OrderStatus } from './order.js';

/**
 * The legal transitions of an order (see order.ts for what each status means).
 * Modelled on NautilusTrader's order state table: every move not listed here is a bug.
 * 'unknown' and 'submitting' can move to almost anything, because only reconciliation with the
 * broker tells what really happened to a POST whose answer we never saw.
 * It is the write gate: the store's OrderRepository.transition refuses any move not listed here.
 */
const TRANSITIONS: Record<OrderStatus, readonly OrderStatus[]> = {
  pending: ['submitting', 'rejected', 'failed'],
  submitting: ['accepted', 'partial', 'filled', 'cancelled', 'expired', 'rejected', 'unknown', 'failed'],
  // The exchange can still refuse an order KIS acknowledged (docs/kis-wire.md §7.4).
  accepted: ['partial', 'filled', 'cancelled', 'expired', 'rejected'],
  partial: ['partial', 'filled', 'cancelled', 'expired'],
  unknown: ['accepted', 'partial', 'filled', 'cancelled', 'expired', 'rejected', 'failed'],
  filled: [],
  cancelled: [],
  expired: [],
  rejected: [],
  failed: [],
};

export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** The statuses from which `to` may be reached: the `from` set of a compare-and-set update. */
export function sourcesOf(to: OrderStatus): OrderStatus[] {
  return (Object.keys(TRANSITIONS) as OrderStatus[]).filter((s) => TRANSITIONS[s].includes(to));
}

export function assertTransition(from: OrderStatus, to: OrderStatus): void {
  if (!canTransition(from, to)) {
    throw new AppError('ORDER_INVALID_TRANSITION', `order status cannot move from ${from} to ${to}`, { details: { from, to } });
  }
}

export function isTerminal(status: OrderStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

/**
 * Orders that may still change at the broker, or whose fate at the broker is not yet known.
 * The one spelling of "open": entry guards, exit preparation, fills polling and the CLI use it.
 */
export const OPEN_STATUSES: readonly OrderStatus[] = ['pending', 'submitting', 'accepted', 'partial', 'unknown'];

/** Orders whose POST may have reached the broker without us holding its venue order id. */
export const UNRESOLVED_STATUSES: readonly OrderStatus[] = ['submitting', 'unknown'];
