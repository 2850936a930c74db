import { isAppError, shares } from '../domain/index.js';
import type {
  Broker, Clock, EpochMs, Logger, OrderIntent, OrderRecord, OrderRepo, PositionRepo,
} from '../domain/index.js';
import { isOrderTypeAllowed, sessionPhase } from '../market/index.js';
import type { TradingCalendar } from '../market/index.js';
import { sellableQty } from './holdings.js';

/**
 * The order worker's job: turn one intent into at most one POST, ever (docs/architecture.md §2).
 *
 *   insert intent (UNIQUE key: a repeat is a no-op) → local checks → CAS pending→submitting
 *   (committed before the POST) → POST → accepted | rejected | unknown.
 *
 * A crash before 'submitting' leaves 'pending': nothing was sent, and the intent may be sent
 * later if still fresh. A crash after it leaves 'submitting': the POST may have gone out, so
 * only reconciliation decides; nothing ever moves an order back to 'pending' or 'submitting'.
 *
 * Rejections come in two kinds (kis/errors.ts isRetryableRejection, carried as details.retryable):
 *  definitive  a business refusal (funds, price, quantity…): 'rejected', the decision is over.
 *  transient   proven not placed and likely to pass later — a gateway refusal (EGW00201, token
 *              codes), a request that never left (connection refused, hashkey/token/budget
 *              failing before the POST), the paper "market not open yet" (40570000): 'failed',
 *              i.e. proven never placed, with the broker's code as rejectCode and a
 *              'rejected-transient' event. This attempt is never sent again; a later evaluation
 *              may decide the entry again under a new attempt key (signals/entry-attempt.ts).
 * An 'unknown' outcome is never retried here nor there: only reconciliation moves it on.
 */
export interface SubmitDeps {
  orders: OrderRepo;
  /** a sell of ours never sells more than the trade log holds now (the decision may be older) */
  positions: Pick<PositionRepo, 'get'>;
  broker: Broker;
  clock: Clock;
  calendar: TradingCalendar;
  log: Logger;
  /** an intent older than this is not sent: the market moved on since the decision */
  maxIntentAgeMs: number;
  /** asks for a reconcile soon (after an unknown outcome) */
  requestReconcile: (reason: string) => void;
  /** runs right after 'submitting' is committed, before the POST: the crash tests' kill point */
  afterSubmitting?: () => void;
  /**
   * runs before a sell that passed the local checks reads the balance: the exit's preparation
   * (exit-prep.ts cancels the daemon's own entry in the symbol). Must not throw.
   */
  beforeSell?: (order: OrderRecord) => Promise<void>;
}

/** 'failed': a transient refusal proven not to have placed the order (see above) */
export type SubmitOutcome = 'accepted' | 'rejected' | 'failed' | 'unknown' | 'duplicate';

export interface SubmitResult {
  outcome: SubmitOutcome;
  order: OrderRecord;
  /** rejected because the market takes no orders now (kis/errors.ts MARKET_CLOSED_CODES) */
  marketClosed?: true;
}

function refuse(deps: SubmitDeps, order: OrderRecord, code: string, message: string): SubmitResult {
  const now = deps.clock.now();
  const next = deps.orders.transition(order.id, 'pending', 'rejected', { rejectCode: code, rejectMessage: message }, 'refused', { code, message }, now);
  deps.log.warn({ intentKey: order.intentKey, code }, `order refused before sending: ${message}`);
  return { outcome: 'rejected', order: next ?? order };
}

function rejectCodeOf(details: Record<string, unknown>, fallback: string): string {
  for (const k of ['msgCode', 'errorCode', 'cause'] as const) {
    const v = details[k];
    if (typeof v === 'string' && v !== '') return v;
  }
  return typeof details.status === 'number' ? `HTTP_${details.status}` : fallback;
}

/** `decidedAt` (default now) becomes the row's creation time: the age check measures from the decision. */
export async function runSubmitOrder(deps: SubmitDeps, intent: OrderIntent, decidedAt?: EpochMs | null): Promise<SubmitResult> {
  const { orders, broker, clock, log } = deps;
  const { inserted, order } = orders.insertIntent(intent, decidedAt ?? clock.now());
  if (!inserted && order.status !== 'pending') {
    log.info({ intentKey: order.intentKey, status: order.status }, 'intent already handled: not sending again');
    return { outcome: 'duplicate', order };
  }

  const now = clock.now();
  if (now - order.createdAt > deps.maxIntentAgeMs) {
    return refuse(deps, order, 'LOCAL_STALE', `intent is ${Math.round((now - order.createdAt) / 1000)} s old (limit ${deps.maxIntentAgeMs / 1000} s)`);
  }
  const phase = sessionPhase(now, deps.calendar);
  if (!isOrderTypeAllowed(phase, order.type)) {
    return refuse(deps, order, 'LOCAL_SESSION', `${order.type} orders are not accepted in the ${phase} phase`);
  }

  let qty = order.qty;
  if (order.side === 'sell') {
    // An exit decided on a position that a sell of ours has closed since (a decision waits for its
    // quote; a workers process decides on a copy of the trade log) must not sell again: the
    // broker's sellable count would let it sell shares that are not the daemon's.
    const held = deps.positions.get(order.symbol)?.qty ?? 0;
    if (held <= 0) {
      const why = `the trade log holds no ${order.symbol} now (sold since the decision)`;
      return refuse(deps, order, 'LOCAL_NO_POSITION', why);
    }
    await deps.beforeSell?.(order);
    // Sell what the broker says is sellable, never what our own rows assume (Ouroboros bug #10).
    const balance = await broker.balance({ lane: 'order' });
    qty = sellableQty(shares(Math.min(order.qty, held)), balance.holdings.find((h) => h.symbol === order.symbol));
    if (qty === 0) return refuse(deps, order, 'LOCAL_NOTHING_TO_SELL', `the broker shows no sellable ${order.symbol}`);
  }

  const submitting = orders.transition(order.id, 'pending', 'submitting', { submittedAt: clock.now(), qty: shares(qty) }, 'submit', { qty }, clock.now());
  if (!submitting) {
    log.warn({ intentKey: order.intentKey }, 'intent moved on while being checked: not sending');
    return { outcome: 'duplicate', order: orders.byId(order.id) ?? order };
  }
  deps.afterSubmitting?.();

  try {
    const ack = await broker.placeOrder({ symbol: order.symbol, side: order.side, type: order.type, qty: shares(qty), price: order.price });
    const accepted = orders.transition(order.id, 'submitting', 'accepted', { venueOrderId: ack.venueOrderId, branch: ack.branch }, 'accepted', { venueOrderId: ack.venueOrderId }, clock.now());
    log.info({ intentKey: order.intentKey, venueOrderId: ack.venueOrderId, symbol: order.symbol, side: order.side, qty }, 'order accepted');
    return { outcome: 'accepted', order: accepted ?? orders.byId(order.id) ?? submitting };
  } catch (err) {
    if (isAppError(err, 'ORDER_REJECTED') && err.details.retryable === true) {
      const code = rejectCodeOf(err.details, 'NOT_SENT');
      const failed = orders.transition(order.id, 'submitting', 'failed', { rejectCode: code, rejectMessage: err.message },
        'rejected-transient', { ...err.details, transient: true }, clock.now());
      log.warn({ intentKey: order.intentKey, code }, `order refused before reaching the exchange (transient, not placed): ${err.message}`);
      return { outcome: 'failed', order: failed ?? orders.byId(order.id) ?? submitting };
    }
    if (isAppError(err, 'ORDER_REJECTED') || (isAppError(err) && err.details.outcome === 'rejected')) {
      const msgCode = rejectCodeOf(err.details, 'REJECTED');
      const rejected = orders.transition(order.id, 'submitting', 'rejected', { rejectCode: msgCode, rejectMessage: err.message }, 'rejected', err.details, clock.now());
      log.warn({ intentKey: order.intentKey, msgCode }, `order rejected: ${err.message}`);
      return { outcome: 'rejected', order: rejected ?? orders.byId(order.id) ?? submitting, ...(err.details.marketClosed === true ? { marketClosed: true as const } : {}) };
    }
    // Anything else — a timeout, a reset, a crash of our own code around the POST — may or may
    // not have placed the order. Only the broker's order list can tell: mark unknown, reconcile.
    const reason = err instanceof Error ? err.message : String(err);
    const unknown = orders.transition(order.id, 'submitting', 'unknown', {}, 'unknown', { reason }, clock.now());
    log.error({ intentKey: order.intentKey, reason }, 'order outcome unknown: reconciling, never re-sending');
    deps.requestReconcile(`unknown outcome of ${order.intentKey}`);
    return { outcome: 'unknown', order: unknown ?? orders.byId(order.id) ?? submitting };
  }
}
