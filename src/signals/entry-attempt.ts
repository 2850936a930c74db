import type { EpochMs, OrderRecord } from '../domain/index.js';

/**
 * Attempts of one day's entry into one symbol. The entry's intent key is deterministic (one per
 * strategy, symbol and trading day, signal 'entry'), so a re-run of an evaluation can never buy
 * twice. But an attempt that was proven never placed — a transient refusal such as EGW00201 or
 * the paper "market not open yet", which orders/submit.ts ends 'failed', or an unknown outcome
 * that reconciliation found absent after its grace window ('failed') — must not end the day's
 * entry: a later evaluation decides it afresh under the next attempt key ('entry-2', 'entry-3'…).
 *
 * Design (exactly-once): a retry is a fresh evaluation, never a re-send of an old intent. So the
 * new attempt has its own decision, its own price and size, and its own age limit
 * (orders.maxIntentAgeSeconds) measured from that decision; the old attempt's row stays as it
 * ended. The rules, applied to today's daemon orders of the family (the key and its '-N' forms):
 * 1. No attempt yet → 'entry'.
 * 2. Every attempt was proven never placed (neverPlaced) → the next attempt key, once the backoff
 *    after the latest one has passed and fewer than MAX_ENTRY_ATTEMPTS were made; otherwise no
 *    order now (a 'blocked' decision with the guard 'entry-retry').
 * 3. Any attempt is open (pending, submitting, unknown, accepted, partial) or ended any other way
 *    (filled, cancelled, expired, or a definitive rejection by the broker) → no order now (a
 *    'blocked' decision with the guard 'entry-made-today' naming that attempt): an unknown outcome
 *    is never retried (reconcile decides), two attempts are never live at once, and an entry that
 *    was placed or refused for good ends the day's entry. (Recording its key again as an 'order'
 *    would claim an order the worker then refuses as a duplicate.)
 * Two evaluations racing compute the same next key from the same rows, so the UNIQUE intent key
 * still lets only one of them through.
 */
export const MAX_ENTRY_ATTEMPTS = 10;
/** wait after the n-th failed attempt: ENTRY_RETRY_BASE_MS · 2^(n−1), at most ENTRY_RETRY_MAX_MS */
export const ENTRY_RETRY_BASE_MS = 30_000;
export const ENTRY_RETRY_MAX_MS = 600_000;

export type EntryAttempt =
  /** `after`: how the earlier attempts ended (intent key and reject code), for the decision row */
  | { ok: true; signal: string; attempt: number; after?: Array<{ intentKey: string; status: string; rejectCode: string | null }> }
  /** `guard`: 'entry-retry' (not placed: wait or no more attempts) or 'entry-made-today' (rule 3) */
  | { ok: false; guard: 'entry-retry' | 'entry-made-today'; reason: string; context: Record<string, unknown> };

/**
 * Proven never placed: 'failed' (a transient refusal before the order system, or absent at the
 * broker after the grace window), or refused by our own checks before it was ever submitted
 * (orders/submit.ts refuse(): 'rejected' from 'pending', so no submit time and no venue id —
 * e.g. LOCAL_STALE after a slow queue). A rejection by the broker always has a submit time.
 */
export function neverPlaced(o: OrderRecord): boolean {
  if (o.status === 'failed') return true;
  return o.status === 'rejected' && o.submittedAt === null && o.venueOrderId === null;
}

/** The attempt number of `intentKey` in the family of `baseKey`, or null when it is not one. */
export function attemptOf(baseKey: string, intentKey: string): number | null {
  if (intentKey === baseKey) return 1;
  if (!intentKey.startsWith(`${baseKey}-`)) return null;
  const rest = intentKey.slice(baseKey.length + 1);
  return /^[1-9]\d*$/.test(rest) ? Number(rest) : null;
}

export const attemptSignal = (base: string, attempt: number): string => (attempt <= 1 ? base : `${base}-${attempt}`);

export function entryRetryBackoffMs(failures: number): number {
  return Math.min(ENTRY_RETRY_BASE_MS * 2 ** Math.max(0, failures - 1), ENTRY_RETRY_MAX_MS);
}

/**
 * Which attempt an evaluation that wants to enter may use. `baseKey` is the intent key of the
 * first attempt (signal `baseSignal`); `orders` are today's orders (any symbol, any origin).
 */
export function nextEntryAttempt(input: {
  baseKey: string; baseSignal: string; orders: readonly OrderRecord[]; now: EpochMs;
}): EntryAttempt {
  const family = input.orders
    .filter((o) => o.origin === 'daemon')
    .map((o) => ({ o, n: attemptOf(input.baseKey, o.intentKey) }))
    .filter((x): x is { o: OrderRecord; n: number } => x.n !== null)
    .sort((a, b) => a.n - b.n);
  const latest = family.at(-1);
  if (!latest) return { ok: true, signal: input.baseSignal, attempt: 1 };
  const holder = family.find((x) => !neverPlaced(x.o));
  if (holder) {
    // Rule 3: the attempt that was placed, is open or was refused for good keeps the day's entry.
    const { intentKey, status } = holder.o;
    return {
      ok: false, guard: 'entry-made-today',
      reason: `today's entry ${intentKey} is ${status}: one entry per strategy, symbol and day`,
      context: { intentKey, status, attempt: holder.n },
    };
  }
  if (latest.n >= MAX_ENTRY_ATTEMPTS) {
    return {
      ok: false, guard: 'entry-retry', reason: `${latest.n} attempts of today's entry were not placed: no more today`,
      context: { attempts: latest.n, max: MAX_ENTRY_ATTEMPTS },
    };
  }
  const dueAt = latest.o.updatedAt + entryRetryBackoffMs(latest.n);
  if (input.now < dueAt) {
    return {
      ok: false, guard: 'entry-retry', reason: `attempt ${latest.n} was not placed (${latest.o.rejectCode ?? 'absent'}): next attempt after a backoff`,
      context: { attempts: latest.n, lastRejectCode: latest.o.rejectCode, dueAt },
    };
  }
  return {
    ok: true, signal: attemptSignal(input.baseSignal, latest.n + 1), attempt: latest.n + 1,
    after: family.map(({ o }) => ({ intentKey: o.intentKey, status: o.status, rejectCode: o.rejectCode })),
  };
}

/**
 * Does an order count toward risk.maxOrdersPerDay? Only what the daemon placed or may have
 * placed: an order rejected by the broker or refused locally ('rejected') or proven never placed
 * ('failed') is no order at the exchange (issue 8 §3).
 */
export function countsAsOrderToday(o: OrderRecord): boolean {
  return o.origin === 'daemon' && o.status !== 'rejected' && o.status !== 'failed';
}
