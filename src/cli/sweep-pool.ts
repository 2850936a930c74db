import { Worker } from 'node:worker_threads';
import type { PointJob, PointResult, PointRunner } from '../runtime/index.js';
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
