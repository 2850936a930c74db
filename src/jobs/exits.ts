import type { Broker, Clock, EpochMs, KeyValueRepo, Logger, OrderRepo, PositionRepo } from '../domain/index.js';
import { cancelOwnEntries } from '../orders/index.js';
import type { OrderDesk } from './order-desk.js';
import { runEnqueueExits } from './scan.js';
import type { EnqueueSignal } from './scan.js';

export interface FlattenJobDeps {
  positions: PositionRepo;
  orders: OrderRepo;
  broker: Broker;
  risk: KeyValueRepo;
  clock: Clock;
  log: Logger;
  desk: Pick<OrderDesk, 'serial'>;
  ownsAccount: () => boolean;
  enqueueSignal: EnqueueSignal;
}

/**
 * The flatten time has come: every position is evaluated now, and sold as 'flatten-before-close';
 * an entry of ours still working would only open a position after it, so it is cancelled, under
 * the submit/reconcile mutex like every other broker write (exit-prep.ts).
 */
export async function runFlatten(deps: FlattenJobDeps, input: { at: EpochMs }): Promise<void> {
  await runEnqueueExits(deps, input);
  await deps.desk.serial(async () => {
    if (!deps.ownsAccount()) return;
    const symbols = new Set(deps.orders.withStatus(['pending', 'accepted', 'partial'])
      .filter((o) => o.origin === 'daemon' && o.side === 'buy').map((o) => o.symbol));
    const prep = { orders: deps.orders, broker: deps.broker, kv: deps.risk, clock: deps.clock, log: deps.log.child({ job: 'flatten' }) };
    for (const symbol of symbols) await cancelOwnEntries(prep, symbol, 'flatten-before-close');
  });
}
