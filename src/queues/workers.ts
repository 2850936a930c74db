import { UnrecoverableError, Worker } from 'bullmq';
import type { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../domain/index.js';
import { decisionJobSchema, orderJobSchema, signalJobSchema } from './payloads.js';
import type { DecisionJob, OrderJob, SignalJob } from './payloads.js';
import { DECISIONS_QUEUE, ORDERS_QUEUE, SIGNALS_QUEUE } from './producers.js';
import { throttled } from './throttle.js';

export interface WorkerHandle {
  /** the current BullMQ worker (a new one after restart()) */
  readonly worker: Worker;
  run(): void;
  close(): Promise<void>;
  /** jobs this process is running now, and when the last one started (epoch ms, real time) */
  busy(): { active: number; lastStartedAt: number | null; runningSince: number | null };
  /**
   * Closes a worker that stopped fetching and starts a fresh one with the same options: BullMQ can
   * leave a blocking read unsettled for ever when Redis dies right as the worker starts (seen with
   * 6.7.0; watchdog.ts decides when). Only called while this process runs none of its jobs.
   */
  restart(): Promise<void>;
}

/**
 * How long a graceful close of a signal or decision worker may take before it is forced (the
 * shutdown deadline is 15 s); their jobs are safe to run again. The order worker is never forced:
 * the order in flight finishes before it returns.
 */
const CLOSE_WAIT_MS = 5000;

function handle(
  make: (processor: Processor) => Worker, processor: Processor, log: Logger, closeWaitMs: number | null = CLOSE_WAIT_MS,
  concurrencyNow?: () => number,
): WorkerHandle {
  let active = 0;
  let lastStartedAt: number | null = null;
  let runningSince: number | null = null;
  const tracked: Processor = async (job) => {
    active++;
    lastStartedAt = Date.now();
    try {
      return await processor(job);
    } finally {
      active--;
      // an adaptive concurrency follows its source (BullMQ takes the new value for the next fetches)
      const n = concurrencyNow?.();
      if (n !== undefined && n >= 1 && n !== worker.concurrency) worker.concurrency = n;
    }
  };
  const wire = (w: Worker): Worker => {
    const warn = throttled(30_000, (msg) => log.warn({ queue: w.name, err: msg }, 'worker connection error'));
    w.on('error', (err) => warn(err.message));
    w.on('failed', (job, err) => log.warn({ queue: w.name, jobId: job?.id, err: err.message }, 'job failed'));
    return w;
  };
  let worker = wire(make(tracked));
  const run = (): void => {
    runningSince = Date.now();
    const w = worker;
    w.run().catch((err: unknown) => log.error({ queue: w.name, err: String(err) }, 'worker stopped'));
  };
  return {
    get worker() { return worker; },
    run,
    // A graceful close waits for the running job; after a Redis restart BullMQ's close can also wait
    // for ever on its blocking connection, past the shutdown deadline (exit 1). Bounded: then forced.
    async close() {
      const w = worker;
      if (closeWaitMs === null) return w.close();
      const closed = await Promise.race([w.close().then(() => true), new Promise<false>((r) => setTimeout(() => r(false), closeWaitMs).unref())]);
      if (!closed) {
        log.warn({ queue: w.name, waitedMs: closeWaitMs }, 'worker did not close in time: forcing it');
        await w.close(true);
      }
    },
    busy: () => ({ active, lastStartedAt, runningSince }),
    async restart() {
      const old = worker;
      await Promise.race([old.close(true), new Promise((r) => setTimeout(r, 5000).unref())]).catch(() => undefined);
      worker = wire(make(tracked));
      run();
    },
  };
}

type Processor = (job: Job) => Promise<void>;

function parse<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { message: string } } }, job: Job): T {
  const r = schema.safeParse(job.data);
  // A payload that does not validate will not validate on a retry either.
  if (!r.success) throw new UnrecoverableError(`job ${job.id} has an invalid payload: ${r.error.message}`);
  return r.data;
}

/**
 * `concurrency` a number, or a function read at start and after every job (an "auto"
 * daemon.signalConcurrency: the size of the process's read window, domain/read-window.ts), so
 * signal jobs keep about as many reads in flight as the rate budget can pass.
 */
export function createSignalWorker(connection: Redis, prefix: string, concurrency: number | (() => number), process: (job: SignalJob, jobId: string) => Promise<void>, log: Logger, opts: { name?: string } = {}): WorkerHandle {
  const now = typeof concurrency === 'number' ? undefined : concurrency;
  const first = now === undefined ? concurrency as number : Math.max(1, now());
  return handle(
    // The name shows in getWorkers() (Producers.signalConsumers): who is consuming. Redis refuses a client name with spaces.
    (processor) => new Worker(SIGNALS_QUEUE, processor, { connection, prefix, concurrency: first, autorun: false, ...(opts.name ? { name: opts.name } : {}) }),
    (job) => process(parse(signalJobSchema, job), job.id ?? ''),
    log,
    CLOSE_WAIT_MS,
    now,
  );
}

/**
 * The order worker (docs/stack.md §1.2): one at a time, one attempt, and a job that stalled (its
 * worker died mid-job) FAILS instead of running again — a second run could send a second order.
 * The SQLite intent row is the real guard; this keeps BullMQ from even trying.
 */
export function createOrderWorker(connection: Redis, prefix: string, process: (job: OrderJob, jobId: string) => Promise<void>, log: Logger, opts: { lockDurationMs?: number; stalledIntervalMs?: number } = {}): WorkerHandle {
  return handle(
    (processor) => new Worker(ORDERS_QUEUE, processor, {
      connection,
      prefix,
      concurrency: 1,
      maxStalledCount: 0,
      maxStartedAttempts: 1,
      lockDuration: opts.lockDurationMs ?? 60_000,
      stalledInterval: opts.stalledIntervalMs ?? 30_000,
      autorun: false,
    }),
    (job) => process(parse(orderJobSchema, job), job.id ?? ''),
    log,
    null,
  );
}

/** The owner's worker on the results of `workers` processes: one at a time, in SQLite order. */
export function createDecisionWorker(connection: Redis, prefix: string, process: (job: DecisionJob, jobId: string) => Promise<void>, log: Logger): WorkerHandle {
  return handle(
    (processor) => new Worker(DECISIONS_QUEUE, processor, { connection, prefix, concurrency: 1, autorun: false }),
    (job) => process(parse(decisionJobSchema, job), job.id ?? ''),
    log,
  );
}
