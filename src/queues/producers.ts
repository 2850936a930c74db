import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { JobQueue, Logger } from '../domain/index.js';
import type { DecisionJob, OrderJob, SignalJob } from './payloads.js';
import { throttled } from './throttle.js';

export const SIGNALS_QUEUE = 'signals';
export const ORDERS_QUEUE = 'orders';
/** results of signal jobs evaluated by `workers` processes, recorded by the owner (docs/architecture.md §2) */
export const DECISIONS_QUEUE = 'decisions';

/** Finished jobs stay long enough that a replayed jobId inside the same day is still refused (docs/stack.md §1.3). */
const KEEP_COMPLETED = { age: 7 * 86_400, count: 10_000 };
const KEEP_FAILED = { age: 30 * 86_400, count: 10_000 };

/**
 * BullMQ takes a job without a priority (the wait list) before any job with one, and those by
 * priority, each list in the order added. Exits go without one, entries with 1: an exit queued
 * behind a scan's worth of entries runs next (protective exits are never held back).
 */
const ENTRY_PRIORITY = 1;

function producer<T>(
  queue: Queue, attempts: number, priorityOf: (payload: T) => number | undefined = () => undefined,
  /** a failed job under this id did nothing the id guards, so the id may be used again */
  failedIsVoid: (jobId: string) => boolean = () => false,
): JobQueue<T> {
  return {
    async add(jobId: string, payload: T): Promise<boolean> {
      // queue.add with an existing id is ignored but returns a Job holding *our* data, so it
      // cannot tell us whether it added (docs/stack.md §1.3): ask first. A race between the two
      // calls is harmless — the add itself stays idempotent.
      const existing = await queue.getJob(jobId);
      if (existing) {
        if (!(await existing.isFailed()) || !failedIsVoid(jobId)) return false;
        await existing.remove();
      }
      const priority = priorityOf(payload);
      await queue.add(queue.name, payload, {
        jobId,
        ...(priority === undefined ? {} : { priority }),
        attempts,
        ...(attempts > 1 ? { backoff: { type: 'exponential', delay: 1000, jitter: 0.5 } } : {}),
        removeOnComplete: KEEP_COMPLETED,
        removeOnFail: KEEP_FAILED,
      });
      return true;
    },
  };
}

export interface Producers {
  signals: JobQueue<SignalJob>;
  orders: JobQueue<OrderJob>;
  decisions: JobQueue<DecisionJob>;
  counts(): Promise<{ signals: Record<string, number>; orders: Record<string, number>; decisions: Record<string, number> }>;
  /** a `workers` process sent the result of this signal job (evaluated or handed back) */
  resultSent(signalJobId: string): Promise<boolean>;
  /** processes with a worker on the signals queue now (BullMQ CLIENT LIST): the owner and its `workers` */
  signalConsumers(): Promise<number>;
  close(): Promise<void>;
}

/** A job waits whichever list holds it: the wait list or, with a priority, the prioritized set. */
async function depth(queue: Queue): Promise<Record<string, number>> {
  const { prioritized, ...counts } = await queue.getJobCounts('waiting', 'prioritized', 'active', 'completed', 'failed', 'delayed');
  return { ...counts, waiting: (counts['waiting'] ?? 0) + (prioritized ?? 0) };
}

export interface ProducerOptions {
  /**
   * true when the trade log holds the intent of this key. An order job killed with its run before
   * it wrote the intent failed (order jobs never run twice) and sent nothing (the row is committed
   * before any POST); without this its key stayed taken all day, and an exit decided again under
   * the same key was never sent. Absent: a failed order job keeps its key (the `workers` process
   * enqueues no orders).
   */
  orderIntentWritten?: (intentKey: string) => boolean;
}

export function createProducers(connection: Redis, prefix: string, log: Logger, opts: ProducerOptions = {}): Producers {
  const signals = new Queue(SIGNALS_QUEUE, { connection, prefix });
  const orders = new Queue(ORDERS_QUEUE, { connection, prefix });
  const decisions = new Queue(DECISIONS_QUEUE, { connection, prefix });
  for (const q of [signals, orders, decisions]) {
    const warn = throttled(30_000, (msg) => log.warn({ queue: q.name, err: msg }, 'queue connection error'));
    q.on('error', (err) => warn(err.message));
  }
  return {
    // Signals are idempotent reads: retried. Orders: one attempt, ever (docs/stack.md §1.2).
    signals: producer<SignalJob>(signals, 3, (job) => (job.kind === 'entry' ? ENTRY_PRIORITY : undefined)),
    orders: producer<OrderJob>(orders, 1, undefined, (key) => opts.orderIntentWritten !== undefined && !opts.orderIntentWritten(key)),
    // Recording is idempotent (jobs/record-decision.ts): retried.
    decisions: producer<DecisionJob>(decisions, 5),
    async counts() {
      return { signals: await depth(signals), orders: await depth(orders), decisions: await depth(decisions) };
    },
    async resultSent(signalJobId) {
      return (await decisions.getJob(signalJobId)) !== undefined;
    },
    async signalConsumers() {
      return (await signals.getWorkers()).length;
    },
    async close() {
      await Promise.allSettled([signals.close(), orders.close(), decisions.close()]);
    },
  };
}
