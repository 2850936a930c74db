import { describeError, OPEN_STATUSES } from '../domain/index.js';
import type { Logger, OrderRepo } from '../domain/index.js';
import type { OrderDesk } from './order-desk.js';

/** The fill poll: a reconcile, but only while an order of ours may still change at the broker. */
export async function runFillsPoll(deps: { orders: OrderRepo; desk: Pick<OrderDesk, 'reconcile'> }): Promise<boolean> {
  if (deps.orders.withStatus(OPEN_STATUSES.filter((st) => st !== 'pending')).length === 0) return false;
  await deps.desk.reconcile('fill poll');
  return true;
}

/**
 * A fill notice from the WebSocket (docs/kis-wire.md §10.5) is a trigger, not a record: it carries
 * this execution's quantity, never the order's total, so recording it directly would double a fill
 * that a poll had already seen (a late or repeated notice). It runs the same reconcile as the poll
 * at once instead — the broker's cumulative totals make that idempotent. Notices that arrive while
 * one runs are folded into one more run after it, so a burst of partial fills costs two reads.
 */
export function noticeReconciler(reconcile: (reason: string) => Promise<unknown>, log: Logger): (reason: string) => Promise<void> {
  let running: Promise<void> | null = null;
  let again: string | null = null;
  const go = (reason: string): Promise<void> => {
    if (running !== null) {
      again = reason;
      return running;
    }
    running = reconcile(reason).then(() => undefined, (err: unknown) => {
      log.error({ err: describeError(err), reason }, 'reconcile after a fill notice failed: the poll will find the fill');
    }).finally(() => {
      running = null;
      if (again !== null) {
        const next = again;
        again = null;
        void go(next);
      }
    });
    return running;
  };
  return go;
}
