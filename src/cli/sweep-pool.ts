import { Worker } from 'node:worker_threads';
import type { PointJob, PointResult } from '../runtime/index.js';
import type { SweepReply, SweepWorkerData } from './sweep-worker.js';

/**
 * Where a sweep's points run: worker threads here (threadPool), or `sweep-worker` processes over
 * BullMQ (runtime/sweep-queue.ts). Results come back by the job's place in the list, never by arrival,
 * so whatever runs them the answer is the same.
 */
export interface PointRunner {
  run(jobs: readonly PointJob[], onDone?: (done: number) => void): Promise<PointResult[]>;
  close(): Promise<void>;
}

/**
 * What makes a runner from the bars and a worker count: threadPool, or another runner of the same
 * interface (registerWalkforwardCommand takes one, so a distributed runner needs no change there).
 */
export type PointRunnerFactory = (data: SweepWorkerData, workers: number) => PointRunner;

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

/**
 * `n` worker threads, started on the first run and kept for the next (a walk-forward runs one grid
 * per window): each receives the bars once, then is fed its next job when it answers.
 */
export function threadPool(data: SweepWorkerData, n: number): PointRunner {
  let workers: Worker[] = [];
  const close = async (): Promise<void> => {
    const all = workers;
    workers = [];
    await Promise.all(all.map((w) => w.terminate()));
  };
  const run = (jobs: readonly PointJob[], onDone?: (done: number) => void): Promise<PointResult[]> => {
    if (jobs.length === 0) return Promise.resolve([]);
    while (workers.length < Math.min(n, jobs.length)) workers.push(startWorker(data));
    const results = new Array<PointResult>(jobs.length);
    const place = new Map(jobs.map((j, i) => [j.index, i]));
    let next = 0;
    let done = 0;
    return new Promise((resolveAll, reject) => {
      const active = workers.slice(0, Math.min(n, jobs.length));
      const detach = (): void => { for (const w of active) w.removeAllListeners('message').removeAllListeners('error'); };
      const fail = (e: Error): void => { detach(); void close(); reject(e); };
      const feed = (w: Worker): void => {
        if (next < jobs.length) w.postMessage(jobs[next++]);
      };
      for (const w of active) {
        w.on('message', (reply: SweepReply) => {
          if ('error' in reply) return fail(new Error(`sweep: point ${reply.index + 1} failed: ${reply.error}`));
          results[place.get(reply.index)!] = { hash: reply.hash, summary: reply.summary };
          done += 1;
          onDone?.(done);
          if (done === jobs.length) {
            detach();
            resolveAll(results);
          } else feed(w);
        });
        w.on('error', fail);
        feed(w);
      }
    });
  };
  return { run, close };
}
