import { describeError, epochMs, isAppError } from '../domain/index.js';
import type { Broker, Clock, EpochMs, KeyValueRepo, Logger, OrderRecord, OrderRepo } from '../domain/index.js';
import { sessionBounds } from '../market/index.js';
import type { TradingCalendar } from '../market/index.js';

/**
 * The unfilled-order policy: a working order of ours older than `afterMs` is cancelled (its
 * remaining quantity); the broker's row then says 'cancelled' and reconcile records it. Orders
 * adopted as external are never touched (Ouroboros cancelled every open order in the account,
 * manual ones too: never again). With `afterMs` 0 orders are kept until the close, when the
 * exchange expires them.
 *
 * A cancel that fails is tried again until the order is gone or its session closes:
 * 1. Sent and acknowledged → done ('cancel-requested'); reconcile sees the cancel row.
 * 2. Refused because nothing is left to cancel (kis details.nothingToCancel: already filled,
 *    expired or cancelled) → done ('cancel-refused', nothingToCancel); reconcile records why.
 *    Any other definitive business refusal is done too ('cancel-refused'): sending the same
 *    request again would get the same answer.
 * 3. Transient — a gateway refusal (EGW00201, token codes, 429: details.retryable), a request
 *    that never left, or an outcome we could not read (5xx, timeout: 'unknown') → the next
 *    attempt is due after an exponential backoff on the injected clock ('cancel-failed').
 *    Sending a cancel twice is harmless: the second one is refused with nothing left to cancel.
 * 4. At the close of the order's session the exchange ends the order itself: no attempt is made
 *    from then on ('cancel-abandoned' once, if earlier attempts failed).
 * The state lives in the kv under cancelRequestedKey(orderId), so a restart keeps the schedule.
 * Attempts happen when this runs (each reconcile, and the fill poll every few seconds while an
 * order is open), at the first run after the attempt is due.
 */
export interface CancelDeps {
  orders: OrderRepo;
  broker: Broker;
  kv: KeyValueRepo;
  clock: Clock;
  calendar: TradingCalendar;
  log: Logger;
  afterMs: number;
}

export const cancelRequestedKey = (orderId: number): string => `cancel-requested.${orderId}`;

/** first wait after a failed cancel; doubles with each failure up to CANCEL_RETRY_MAX_MS */
export const CANCEL_RETRY_BASE_MS = 5_000;
export const CANCEL_RETRY_MAX_MS = 120_000;

export type CancelDone = 'requested' | 'nothing-to-cancel' | 'refused' | 'session-over';

export interface CancelState {
  attempts: number;
  /** when the next attempt is due; null once done */
  nextAt: EpochMs | null;
  done: CancelDone | null;
  lastError?: string;
  cancelOrderId?: string;
}

export type CancelFailure = 'transient' | 'nothing-to-cancel' | 'refused';

/** Sorts a thrown cancel failure by what it proves (see the policy above). */
export function classifyCancelFailure(err: unknown): CancelFailure {
  if (!isAppError(err)) return 'transient';
  const d = err.details;
  if (d.nothingToCancel === true) return 'nothing-to-cancel';
  if (d.outcome === 'unknown' || d.retryable === true) return 'transient';
  if (d.outcome === 'rejected') return 'refused';
  // Not a broker answer at all (our own code, the store): try again later rather than give up.
  return 'transient';
}

export function cancelBackoffMs(failures: number): number {
  return Math.min(CANCEL_RETRY_BASE_MS * 2 ** Math.max(0, failures - 1), CANCEL_RETRY_MAX_MS);
}

/** The state after one failed attempt. Pure. */
export function afterCancelFailure(prev: CancelState | null, failure: CancelFailure, now: EpochMs, error: string): CancelState {
  const attempts = (prev?.attempts ?? 0) + 1;
  if (failure === 'transient') return { attempts, nextAt: epochMs(now + cancelBackoffMs(attempts)), done: null, lastError: error };
  return { attempts, nextAt: null, done: failure, lastError: error };
}

/** State written before this policy existed ({at, cancelOrderId} or {at, error}) counts as done. */
export function cancelStateOf(raw: unknown): CancelState | null {
  if (raw === null || typeof raw !== 'object') return null;
  const s = raw as Partial<CancelState> & { error?: string };
  if (typeof s.attempts !== 'number') {
    return typeof s.cancelOrderId === 'string'
      ? { attempts: 1, nextAt: null, done: 'requested', cancelOrderId: s.cancelOrderId }
      : { attempts: 1, nextAt: null, done: 'refused', ...(s.error ? { lastError: s.error } : {}) };
  }
  const lastError = s.lastError ? { lastError: s.lastError } : {};
  return { attempts: s.attempts, nextAt: s.nextAt ?? null, done: s.done ?? null, ...lastError };
}

function isStale(o: OrderRecord, now: EpochMs, afterMs: number): boolean {
  return o.origin === 'daemon' && o.venueOrderId !== null && o.branch !== null && now - (o.submittedAt ?? o.createdAt) >= afterMs;
}

export async function runCancelStale(deps: CancelDeps): Promise<number> {
  if (deps.afterMs <= 0) return 0;
  const now = deps.clock.now();
  let sent = 0;
  for (const o of deps.orders.withStatus(['accepted', 'partial'])) {
    if (!isStale(o, now, deps.afterMs) || !o.venueOrderId || !o.branch) continue;
    const key = cancelRequestedKey(o.id);
    const state = cancelStateOf(deps.kv.get(key));
    if (state?.done) continue;
    if (state?.nextAt !== undefined && state.nextAt !== null && now < state.nextAt) continue;
    if (!deps.calendar.isTradingDay(o.tradingDate) || now >= sessionBounds(o.tradingDate, deps.calendar).close) {
      // The exchange expires what is left at the close; reconcile records it.
      if (state) {
        deps.kv.set(key, { ...state, nextAt: null, done: 'session-over' }, now);
        const details = { attempts: state.attempts, reason: 'session closed', lastError: state.lastError ?? null };
        deps.orders.note?.(o.id, 'cancel-abandoned', details, now);
        deps.log.warn({ intentKey: o.intentKey, attempts: state.attempts }, 'cancel not done before the close: the exchange ends the order');
      }
      continue;
    }
    const attempt = (state?.attempts ?? 0) + 1;
    try {
      const ack = await deps.broker.cancelOrder({ venueOrderId: o.venueOrderId, branch: o.branch });
      const at = deps.clock.now();
      const done: CancelState = { attempts: attempt, nextAt: null, done: 'requested', cancelOrderId: ack.venueOrderId };
      deps.kv.set(key, done, at);
      deps.orders.note?.(o.id, 'cancel-requested', { cancelOrderId: ack.venueOrderId, afterMs: deps.afterMs, attempt }, at);
      deps.log.info({ intentKey: o.intentKey, venueOrderId: o.venueOrderId, attempt }, 'unfilled order cancelled by policy');
      sent++;
    } catch (err) {
      const at = deps.clock.now();
      const failure = classifyCancelFailure(err);
      const error = describeError(err);
      const next = afterCancelFailure(state, failure, at, error);
      deps.kv.set(key, next, at);
      if (failure === 'transient') {
        deps.orders.note?.(o.id, 'cancel-failed', { attempt, transient: true, error, nextAt: next.nextAt }, at);
        deps.log.warn({ intentKey: o.intentKey, attempt, nextAt: next.nextAt, err: error }, 'cancel failed: trying again after a backoff');
      } else {
        deps.orders.note?.(o.id, 'cancel-refused', { attempt, nothingToCancel: failure === 'nothing-to-cancel', error }, at);
        deps.log.warn({ intentKey: o.intentKey, attempt, err: error }, failure === 'nothing-to-cancel'
          ? 'cancel refused: nothing left to cancel (reconcile records the fill or cancel)'
          : 'cancel refused definitively: not trying again');
      }
    }
  }
  return sent;
}
