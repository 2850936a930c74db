import { OPEN_STATUSES } from '../domain/index.js';
import type { OrderRepo } from '../domain/index.js';
import type { OrderDesk } from './order-desk.js';

/** The fill poll: a reconcile, but only while an order of ours may still change at the broker. */
export async function runFillsPoll(deps: { orders: OrderRepo; desk: Pick<OrderDesk, 'reconcile'> }): Promise<boolean> {
  if (deps.orders.withStatus(OPEN_STATUSES.filter((st) => st !== 'pending')).length === 0) return false;
  await deps.desk.reconcile('fill poll');
  return true;
}
