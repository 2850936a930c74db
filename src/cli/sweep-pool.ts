import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Command } from 'commander';
import { connectRedis, queuePointRunner, shownRedisUrl } from '../runtime/index.js';
import type { PointBars, PointJob, PointResult, PointRunner } from '../runtime/index.js';
import { UsageError, wholeOption } from './backtest-inputs.js';
import type { SweepReply, SweepWorkerData } from './sweep-worker.js';

/**
 * The worker thread. Built, it is the .js beside this file. Under tsx (npm run cli, the tests) this
 * file is .ts and Node 20 does not apply tsx's `--import` hooks to a worker's entry, so a one-line
 * bootstrap loads the .ts worker through tsx's own API.
 */
function startWorker(data: SweepWorkerData): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./sweep-worker.js', import.meta.url), { workerData: data });
  const api = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const entry = JSON.stringify(new URL('./sweep-worker.ts', import.meta.url).href);
  const code = `import(${api}).then((tsx) => tsx.tsImport(${entry}, ${JSON.stringify(import.meta.url)}))`;
  return new Worker(code, { eval: true, workerData: data });
}

/** The thread pool: jobs one at a time per thread, in the order submitted. */
export interface ThreadPool extends PointRunner {
  submit(job: PointJob): Promise<PointResult>;
}

interface Task { job: PointJob; resolve(r: PointResult): void; reject(e: Error): void }

/**
 * `n` worker threads, started on demand and kept until `close` (a walk-forward runs one grid per
 * window; a `sweep-worker` process serves jobs as they come): each receives the bars once, then one
 * job at a time. A failed point rejects its own promise; a thread that dies takes the pool down.
 */
export function threadPool(data: SweepWorkerData, n: number): ThreadPool {
  const idle: Worker[] = [];
  const busy = new Map<Worker, Task>();
  const queue: Task[] = [];
  let closed: Error | null = null;
  const dispatch = (): void => {
    while (queue.length > 0 && closed === null) {
      let w = idle.pop();
      if (!w && busy.size < n) w = spawn();
      if (!w) return;
      const task = queue.shift()!;
      busy.set(w, task);
      w.postMessage(task.job);
    }
  };
  const shutdown = async (why: Error): Promise<void> => {
    closed ??= why;
    for (const t of [...busy.values(), ...queue.splice(0)]) t.reject(closed);
    const all = [...idle.splice(0), ...busy.keys()];
    busy.clear();
    await Promise.all(all.map((w) => w.terminate()));
  };
  function spawn(): Worker {
    const w = startWorker(data);
    w.on('message', (reply: SweepReply) => {
      const task = busy.get(w);
      if (!task) return;
      busy.delete(w);
      idle.push(w);
      if ('error' in reply) task.reject(new Error(`sweep: point ${reply.index + 1} failed: ${reply.error}`));
      else task.resolve({ hash: reply.hash, summary: reply.summary, universe: reply.universe });
      dispatch();
    });
    w.on('error', (e) => { void shutdown(e); });
    return w;
  }
  const submit = (job: PointJob): Promise<PointResult> => new Promise((resolve, reject) => {
    if (closed) return reject(closed);
    queue.push({ job, resolve, reject });
    dispatch();
  });
  const run = (jobs: readonly PointJob[], onDone?: (done: number) => void): Promise<PointResult[]> => {
    let done = 0;
    return Promise.all(jobs.map((j) => submit(j).then((r) => {
      done += 1;
      onDone?.(done);
      return r;
    })));
  };
  return { submit, run, close: () => shutdown(new Error('the sweep\'s thread pool was closed')) };
}

/** Where the points run, as `sweep` and `walkforward` take it: threads here, or sweep-workers over Redis. */
export function runnerOptions(c: Command): Command {
  return c
    .option('--workers <n>', 'worker threads (default: the available parallelism)')
    .option('--redis <url>', 'run the points on `kis-trader sweep-worker --redis URL` processes over BullMQ instead');
}

export interface RunnerIo {
  err(s: string): void;
  root: string;
  /** resolves on SIGINT or SIGTERM; asked for only over Redis, where an interrupted run must take its points back */
  interrupted(): Promise<string>;
  exit(code: number): never;
}

/** The thread count, or null over Redis (each sweep-worker sets its own --threads). */
export function workersOf(opts: { workers?: string; redis?: string }): number | null {
  if (opts.redis !== undefined && opts.workers !== undefined) {
    throw new UsageError('--workers goes without --redis (each sweep-worker sets its own --threads)');
  }
  if (opts.redis !== undefined) return null;
  return opts.workers === undefined ? availableParallelism() : wholeOption('--workers', opts.workers, 1);
}

/**
 * The runner of `--workers` / `--redis`. Over Redis the points are BullMQ jobs for `sweep-worker`
 * processes (docs/backtest.md, distributed sweep); the connection is closed with the runner, and
 * Ctrl-C takes the run's points and bars out of Redis before the process exits.
 */
export async function pointRunner(
  io: RunnerIo, opts: { redis?: string; workers: number | null; prefix: string; command: string }, data: PointBars,
): Promise<PointRunner> {
  if (opts.redis === undefined) return threadPool({ ...data, root: io.root }, opts.workers ?? availableParallelism());
  const url = opts.redis;
  const connection = await connectRedis(url, 'check --redis, and that the sweep-workers use the same URL');
  const queued = queuePointRunner({
    connection, prefix: opts.prefix, data,
    onIdle: (ms) => io.err(`${opts.command}: no sweep-worker has taken a point in ${Math.round(ms / 1000)} s; `
      + `start one with \`kis-trader sweep-worker --redis ${shownRedisUrl(url)}\` (same redis.prefix "${opts.prefix}")`),
  });
  const runner: PointRunner = {
    run: (jobs, onDone) => queued.run(jobs, onDone),
    close: async () => {
      try { await queued.close(); } finally { connection.disconnect(); }
    },
  };
  void io.interrupted().then(async (signal) => {
    io.err(`${opts.command}: ${signal}: taking its points and bars out of Redis`);
    await runner.close().catch(() => undefined);
    io.exit(130);
  });
  return runner;
}
