import { canonicalOrderNumber, krw, makeFillKey, ORDER_NUMBER_WIDTH, shares } from '../domain/index.js';
import type { EpochMs, Krw, OrderRecord, OrderStatus, Shares, TradingDate, VenueOrder } from '../domain/index.js';
import { canTransition, UNRESOLVED_STATUSES } from '../domain/index.js';

/**
 * Reconciliation as a pure diff of the trade log against the broker's list of today's orders
 * (docs/kis-wire.md §7.4 inquire-daily-ccld, §7.8). The runner applies the events in order and may
 * call the diff again: applying its own output twice changes nothing.
 *
 * Policy (the written rules the runner enforces):
 * 1. A local order with a venue order id follows the broker's row: fills are the increase of
 *    the broker's cumulative filled quantity/amount over what we recorded; status follows
 *    from the row's quantities.
 * 2. A 'submitting' or 'unknown' order (a POST whose answer we never saw) is matched to the
 *    earliest broker row nobody claims with the same symbol, side, type, quantity and price,
 *    placed no earlier than our submit time minus `skewMs`. Found → linked, then rule 1.
 *    Not found once `graceMs` has passed since the submit → 'failed' (proven never placed),
 *    but only when no broker row of ANY shape (an amendment row, a row we could not classify)
 *    could be that order: "absent" must mean absent. Such a row is reported as an anomaly and
 *    the order stays unresolved. Never re-sent.
 * 3. A broker row nobody claims, and no unresolved order could claim, is adopted as an
 *    'external' order (placed by a person or another program): recorded, never cancelled.
 *    While any unresolved order is still inside its grace window, adoption waits, so our own
 *    order is never mistaken for an external one.
 * 4. A local order with a venue id that the broker does not list, or a broker total that went
 *    backwards, cannot be explained: it is reported as an anomaly and the runner halts entries.
 * 5. Order numbers are compared as numbers: paper acknowledgements have been seen unpadded
 *    ("51378") while inquiries pad to ten digits (docs/kis-wire.md §7.9).
 */
export interface ReconcileInput {
  date: TradingDate;
  now: EpochMs;
  /** how long after its submit an unresolved order must be absent before we call it failed */
  graceMs: number;
  /** tolerance between our clock and the broker's order time (KIS reports whole seconds) */
  skewMs: number;
  /** the day's continuous session is over: working quantity will not fill any more */
  sessionOver: boolean;
  /** every local order of `date` */
  local: readonly OrderRecord[];
  /** value of the fills already recorded, per local order id */
  recordedValue: ReadonlyMap<number, Krw>;
  /** the broker's orders of `date` */
  venue: readonly VenueOrder[];
}

export interface DerivedFill {
  fillKey: string;
  qty: Shares;
  value: Krw;
  price: Krw;
  cumulativeQty: Shares;
  at: EpochMs;
}

export type ReconcileEvent =
  | { kind: 'link'; orderId: number; venueOrderId: string; branch: string; from: OrderStatus; to: OrderStatus; venue: VenueOrder }
  | { kind: 'fill'; orderId: number; fill: DerivedFill }
  | { kind: 'status'; orderId: number; from: OrderStatus; to: OrderStatus; reason: string }
  | { kind: 'absent'; orderId: number; from: OrderStatus; waitedMs: number }
  | { kind: 'adopt'; venue: VenueOrder }
  | { kind: 'anomaly'; reason: string; details: Record<string, unknown> };

/**
 * The status a broker row implies (docs/kis-wire.md §7.4 "order state derivation"). A cancel shows as
 * cncl_cfrm_qty plus a cancel row pointing at the order. How KIS shows a day order that ended
 * unfilled at the close is not documented (§7.8 point 4): the rest may appear as cncl_cfrm_qty
 * with no cancel row, as rjct_qty, or simply vanish; after the close each of those is an expiry.
 * During the session, rjct_qty covering an unfilled order is a rejection after acceptance; with
 * some quantity filled the order ended with its rest unfilled, which is recorded as expired.
 */
export function statusFromVenue(v: VenueOrder, sessionOver: boolean, hasCancelRow = false): OrderStatus {
  if (v.filledQty >= v.qty) return 'filled';
  if (v.remainingQty > 0) {
    if (sessionOver) return 'expired';
    return v.filledQty > 0 ? 'partial' : 'accepted';
  }
  if (v.cancelledQty > 0 && (hasCancelRow || !sessionOver)) return 'cancelled';
  if (v.rejectedQty > 0 && v.filledQty === 0 && !sessionOver) return 'rejected';
  return 'expired';
}

/** The one spelling of an order number used for comparisons (rule 5). */
export function venueKey(id: string): string {
  return canonicalOrderNumber(id, ORDER_NUMBER_WIDTH) ?? id;
}

function sameOrder(o: OrderRecord, v: VenueOrder): boolean {
  return v.symbol === o.symbol && v.side === o.side && v.type === o.type && v.qty === o.qty
    && (o.type === 'market' || v.price === o.price);
}

export function reconcileOrders(input: ReconcileInput): ReconcileEvent[] {
  const events: ReconcileEvent[] = [];
  const venue = input.venue.filter((v) => !v.isAmendment);
  const cancelled = new Set(input.venue.flatMap((v) => (v.isAmendment && v.originalOrderId ? [venueKey(v.originalOrderId)] : [])));
  const implied = (v: VenueOrder): OrderStatus => statusFromVenue(v, input.sessionOver, cancelled.has(venueKey(v.venueOrderId)));
  const byVenueId = new Map(venue.map((v) => [venueKey(v.venueOrderId), v]));
  const claimed = new Set(input.local.flatMap((o) => (o.venueOrderId ? [venueKey(o.venueOrderId)] : [])));

  /** Emits the fill the broker row shows beyond what we recorded, then (unless `status` is null) the status change. */
  const follow = (o: OrderRecord, v: VenueOrder, status: OrderStatus | null): void => {
    const recordedValue = input.recordedValue.get(o.id) ?? krw(0);
    if (v.filledQty < o.filledQty || (v.filledQty === o.filledQty && v.filledValue < recordedValue)) {
      events.push({ kind: 'anomaly', reason: 'broker fill total went backwards', details: { orderId: o.id, venueOrderId: v.venueOrderId, localQty: o.filledQty, brokerQty: v.filledQty } });
      return;
    }
    if (v.filledQty > o.filledQty) {
      const qty = v.filledQty - o.filledQty;
      const value = v.filledValue - recordedValue;
      events.push({
        kind: 'fill',
        orderId: o.id,
        fill: {
          fillKey: makeFillKey(input.date, v.venueOrderId, v.filledQty),
          qty: shares(qty),
          value: krw(value),
          price: krw(Math.round(value / qty)),
          cumulativeQty: v.filledQty,
          at: input.now,
        },
      });
    }
    if (status === null) return;
    const to = implied(v);
    if (to !== status && canTransition(status, to)) {
      events.push({ kind: 'status', orderId: o.id, from: status, to, reason: 'broker' });
    }
  };

  // Rule 1: orders we hold a venue id for.
  for (const o of input.local) {
    if (!o.venueOrderId || o.status === 'filled' || o.status === 'rejected' || o.status === 'failed') continue;
    const v = byVenueId.get(venueKey(o.venueOrderId));
    if (!v) {
      if (o.status !== 'cancelled' && o.status !== 'expired') {
        events.push({ kind: 'anomaly', reason: 'broker does not list an order we hold a venue id for', details: { orderId: o.id, venueOrderId: o.venueOrderId, status: o.status } });
      }
      continue;
    }
    if (o.status === 'cancelled' || o.status === 'expired') {
      // A late fill can still arrive for an order we thought ended; record it, keep the status.
      if (v.filledQty > o.filledQty) follow(o, v, null);
      continue;
    }
    follow(o, v, o.status);
  }

  // Rule 2: unresolved orders, oldest first, each claiming the earliest matching free row.
  const unresolved = input.local
    .filter((o) => UNRESOLVED_STATUSES.includes(o.status) && !o.venueOrderId)
    .sort((a, b) => (a.submittedAt ?? a.createdAt) - (b.submittedAt ?? b.createdAt));
  let waiting = false;
  for (const o of unresolved) {
    const since = o.submittedAt ?? o.updatedAt;
    const fits = (v: VenueOrder): boolean => !claimed.has(venueKey(v.venueOrderId)) && sameOrder(o, v) && v.orderedAt >= since - input.skewMs;
    const match = venue.filter(fits).sort((a, b) => a.orderedAt - b.orderedAt || a.venueOrderId.localeCompare(b.venueOrderId))[0];
    if (match) {
      claimed.add(venueKey(match.venueOrderId));
      events.push({ kind: 'link', orderId: o.id, venueOrderId: match.venueOrderId, branch: match.branch, from: o.status, to: implied(match), venue: match });
      follow({ ...o, venueOrderId: match.venueOrderId }, match, null);
      continue;
    }
    const waited = input.now - since;
    const lookalike = input.venue.find((v) => v.isAmendment && fits(v));
    if (lookalike) {
      waiting = true;
      events.push({
        kind: 'anomaly', reason: 'a broker row looks like an unresolved order but cannot be linked to it',
        details: { orderId: o.id, venueOrderId: lookalike.venueOrderId, originalOrderId: lookalike.originalOrderId },
      });
    } else if (waited >= input.graceMs) {
      events.push({ kind: 'absent', orderId: o.id, from: o.status, waitedMs: waited });
    } else {
      waiting = true;
    }
  }

  // Rule 3: what is left at the broker is somebody else's — unless one of ours may still claim it.
  if (!waiting) {
    for (const v of venue) {
      if (!claimed.has(venueKey(v.venueOrderId))) events.push({ kind: 'adopt', venue: v });
    }
  }
  return events;
}
