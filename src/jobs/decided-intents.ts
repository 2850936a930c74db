import type { Clock, EpochMs, OrderIntent, OrderRecord, OrderRepo, OrderStatus } from '../domain/index.js';

/**
 * Buys decided in this process whose intent row the order worker has not written yet. Entry
 * evaluations run concurrently (daemon.signalConcurrency), each checking the positions caps and
 * the strategy budget against the open orders; the intent row only appears when the single order
 * worker takes the job, so until then a second evaluation would not see the first one's buy and
 * both could pass a cap of one. Each evaluation's guard check and decision insert run without an
 * await between them, and `note` is called before the next I/O callback can run
 * (jobs/signal.ts), so reading the orders through `view` makes check-and-decide atomic in the
 * process. A note lapses when its row exists or after `ttlMs` (a job lost with a flushed Redis
 * must not hold a slot all day).
 */
export interface DecidedIntents {
  note(intent: OrderIntent): void;
  /** the orders port evaluations read: the trade log plus the noted buys with no row yet, as pending orders */
  view(orders: OrderRepo): OrderRepo;
}

export function createDecidedIntents(clock: Clock, ttlMs = 5 * 60_000): DecidedIntents {
  const noted = new Map<string, { intent: OrderIntent; at: EpochMs }>();

  const pending = (orders: OrderRepo): OrderRecord[] => {
    const now = clock.now();
    const out: OrderRecord[] = [];
    for (const [key, { intent, at }] of noted) {
      if (now - at > ttlMs || orders.byIntentKey(key) !== null) {
        noted.delete(key);
        continue;
      }
      out.push({
        ...intent, id: -1, origin: 'daemon', status: 'pending', venueOrderId: null, branch: null, filledQty: 0 as OrderRecord['filledQty'],
        rejectCode: null, rejectMessage: null, createdAt: at, updatedAt: at, submittedAt: null,
      });
    }
    return out;
  };

  return {
    note(intent) {
      if (intent.side === 'buy') noted.set(intent.intentKey, { intent, at: clock.now() });
    },
    view(orders) {
      return {
        ...orders,
        withStatus: (statuses: readonly OrderStatus[]) => {
          const rows = orders.withStatus(statuses);
          return statuses.includes('pending') ? [...rows, ...pending(orders)] : rows;
        },
        forDate: (date) => [...orders.forDate(date), ...pending(orders).filter((o) => o.tradingDate === date)],
      };
    },
  };
}
