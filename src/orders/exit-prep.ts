import { describeError, OPEN_STATUSES } from '../domain/index.js';
import type { Broker, Clock, KeyValueRepo, Logger, OrderRecord, OrderRepo, StockCode } from '../domain/index.js';
import { afterCancelFailure, cancelRequestedKey, cancelStateOf, classifyCancelFailure } from './cancel.js';
import type { CancelState } from './cancel.js';

/**
 * What the order path does before an exit's sell (issue 8 §3, "nothing blocks a protective exit"):
 * the daemon's own entry still open in that symbol is taken off, then the sell goes out.
 *
 * 1. An own buy that is working at the broker (accepted or partial, its order number known) is
 *    cancelled for all that remains. What it filled stays held and is sold by the exit.
 * 2. An own buy intent not sent yet ('pending') is withdrawn: it must not go out after the exit.
 * 3. An own buy whose POST outcome is not known yet ('submitting', 'unknown') cannot be cancelled
 *    without its order number; it is reported, and does not hold the exit back: the sell is
 *    bounded by what the broker says is sellable (holdings.ts), and whatever that buy fills later
 *    is a position the next exit check sells.
 * 4. Orders adopted as external are never touched (cancel.ts: never again the Ouroboros sweep).
 * 5. A cancel that fails (already filled, rate limit, network) is logged and the sell still goes
 *    out. A cancel already requested for the order (the unfilled-order policy) is not sent twice.
 *
 * It never fails: every broker error is caught, so the sell after it is always attempted.
 */
export interface ExitPrepDeps {
  orders: OrderRepo;
  broker: Broker;
  kv: KeyValueRepo;
  clock: Clock;
  log: Logger;
}

export interface ExitPrepResult {
  /** venue order ids whose remaining quantity was cancelled */
  cancelled: string[];
  /** intent keys of unsent buys withdrawn */
  withdrawn: string[];
  /** intent keys of buys that could not be cancelled (cancel refused, or no order number yet) */
  left: string[];
}

export const EXIT_WITHDRAWN_CODE = 'LOCAL_EXIT_WITHDRAWN';

/** One cancel record per order, shared with the unfilled-order policy (cancel.ts). */
function priorCancel(deps: ExitPrepDeps, o: OrderRecord): CancelState | null {
  return cancelStateOf(deps.kv.get(cancelRequestedKey(o.id)));
}

/** `exitFor` names what the entries make way for in the order history: the exit's intent key, or the flatten. */
export async function cancelOwnEntries(deps: ExitPrepDeps, symbol: StockCode, exitFor: string): Promise<ExitPrepResult> {
  const { orders, broker, kv, clock, log } = deps;
  const result: ExitPrepResult = { cancelled: [], withdrawn: [], left: [] };
  const own = orders.withStatus(OPEN_STATUSES).filter((o) => o.symbol === symbol && o.side === 'buy' && o.origin === 'daemon');
  for (const o of own) {
    if (o.status === 'pending') {
      const done = orders.transition(o.id, 'pending', 'rejected',
        { rejectCode: EXIT_WITHDRAWN_CODE, rejectMessage: `withdrawn for ${exitFor}` },
        'refused', { code: EXIT_WITHDRAWN_CODE, exitFor }, clock.now());
      if (done) result.withdrawn.push(o.intentKey);
      continue;
    }
    if ((o.status !== 'accepted' && o.status !== 'partial') || !o.venueOrderId || !o.branch) {
      log.warn({ intentKey: o.intentKey, status: o.status, exitFor }, 'entry outcome not known yet: cannot cancel it, selling what is held');
      result.left.push(o.intentKey);
      continue;
    }
    // A cancel already accepted is not sent again; one that failed or was refused is: the exit needs the entry gone.
    const prior = priorCancel(deps, o);
    if (prior?.done === 'requested') continue;
    const now = clock.now();
    const attempts = (prior?.attempts ?? 0) + 1;
    try {
      const ack = await broker.cancelOrder({ venueOrderId: o.venueOrderId, branch: o.branch });
      const done: CancelState = { attempts, nextAt: null, done: 'requested', cancelOrderId: ack.venueOrderId };
      kv.set(cancelRequestedKey(o.id), done, now);
      orders.note?.(o.id, 'cancel-requested', { cancelOrderId: ack.venueOrderId, exitFor }, now);
      log.info({ intentKey: o.intentKey, venueOrderId: o.venueOrderId, exitFor }, 'entry cancelled before the exit');
      result.cancelled.push(o.venueOrderId);
    } catch (err) {
      kv.set(cancelRequestedKey(o.id), afterCancelFailure(prior, classifyCancelFailure(err), now, describeError(err)), now);
      log.warn({ intentKey: o.intentKey, exitFor, err: describeError(err) }, 'entry cancel before the exit refused: selling anyway');
      result.left.push(o.intentKey);
    }
  }
  return result;
}
