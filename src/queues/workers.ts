import { UnrecoverableError, Worker } from 'bullmq';
import type { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../domain/index.js';
import { orderJobSchema, signalJobSchema } from './payloads.js';
import type { OrderJob, SignalJob } from './payloads.js';
import { ORDERS_QUEUE, SIGNALS_QUEUE } from './producers.js';
import { throttled } from './throttle.js';

export interface WorkerHandle {
  readonly worker: Worker;
  run(): void;
  close(): Promise<void>;
}

function handle(worker: Worker, log: Logger): WorkerHandle {
  const warn = throttled(30_000, (msg) => log.warn({ queue: worker.name, err: msg }, 'worker connection error'));
  worker.on('error', (err) => warn(err.message));
  worker.on('failed', (job, err) => log.warn({ queue: worker.name, jobId: job?.id, err: err.message }, 'job failed'));
  return {
    worker,
    run() {
      worker.run().catch((err: unknown) => log.error({ queue: worker.name, err: String(err) }, 'worker stopped'));
    },
    close: () => worker.close(),
  };
}

function parse<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { message: string } } }, job: Job): T {
  const r = schema.safeParse(job.data);
  // A payload that does not validate will not validate on a retry either.
  if (!r.success) throw new UnrecoverableError(`job ${job.id} has an invalid payload: ${r.error.message}`);
  return r.data;
}

export function createSignalWorker(connection: Redis, prefix: string, concurrency: number, process: (job: SignalJob, jobId: string) => Promise<void>, log: Logger): WorkerHandle {
  const worker = new Worker(SIGNALS_QUEUE, async (job) => process(parse(signalJobSchema, job), job.id ?? ''), {
    connection, prefix, concurrency, autorun: false,
  });
  return handle(worker, log);
}

/**
 * The order worker (docs/stack.md §1.2): one at a time, one attempt, and a job that stalled (its
 * worker died mid-job) FAILS instead of running again — a second run could send a second order.
 * The SQLite intent row is the real guard; this keeps BullMQ from even trying.
 */
export function createOrderWorker(connection: Redis, prefix: string, process: (job: OrderJob, jobId: string) => Promise<void>, log: Logger, opts: { lockDurationMs?: number; stalledIntervalMs?: number } = {}): WorkerHandle {
  const worker = new Worker(ORDERS_QUEUE, async (job) => process(parse(orderJobSchema, job), job.id ?? ''), {
    connection,
    prefix,
    concurrency: 1,
    maxStalledCount: 0,
    maxStartedAttempts: 1,
    lockDuration: opts.lockDurationMs ?? 60_000,
    stalledInterval: opts.stalledIntervalMs ?? 30_000,
    autorun: false,
  });
  return handle(worker, log);
}
