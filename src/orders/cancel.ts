import { describeError } from '../domain/index.js';
import type { Broker, Clock, KeyValueRepo, Logger, OrderRepo } from '../domain/index.js';

/**
 * The unfilled-order policy: a working order of ours older than `afterMs` is cancelled (its
 * remaining quantity); the broker's row then says 'cancelled' and reconcile records it. Orders
 * adopted as external are never touched (Ouroboros cancelled every open order in the account,
 * manual ones too: never again). With `afterMs` 0 orders are kept until the close, when the
 * exchange expires them.
 */
export interface CancelDeps {
  orders: OrderRepo;
  broker: Broker;
  kv: KeyValueRepo;
  clock: Clock;
  log: Logger;
  afterMs: number;
}

export const cancelRequestedKey = (orderId: number): string => `cancel-requested.${orderId}`;

export async function runCancelStale(deps: CancelDeps): Promise<number> {
  if (deps.afterMs <= 0) return 0;
  const now = deps.clock.now();
  let sent = 0;
  for (const o of deps.orders.withStatus(['accepted', 'partial'])) {
    if (o.origin !== 'daemon' || !o.venueOrderId || !o.branch) continue;
    if (now - (o.submittedAt ?? o.createdAt) < deps.afterMs) continue;
    if (deps.kv.get(cancelRequestedKey(o.id)) !== null) continue;
    try {
      const ack = await deps.broker.cancelOrder({ venueOrderId: o.venueOrderId, branch: o.branch });
      deps.kv.set(cancelRequestedKey(o.id), { at: now, cancelOrderId: ack.venueOrderId }, now);
      deps.orders.note?.(o.id, 'cancel-requested', { cancelOrderId: ack.venueOrderId, afterMs: deps.afterMs }, now);
      deps.log.info({ intentKey: o.intentKey, venueOrderId: o.venueOrderId }, 'unfilled order cancelled by policy');
      sent++;
    } catch (err) {
      // Already filled or cancelled in the meantime is the usual reason; reconcile will tell.
      deps.kv.set(cancelRequestedKey(o.id), { at: now, error: describeError(err) }, now);
      deps.log.warn({ intentKey: o.intentKey, err: describeError(err) }, 'cancel refused');
    }
  }
  return sent;
}
