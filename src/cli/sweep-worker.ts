import { parentPort, workerData } from 'node:worker_threads';
import { backtestPoint } from '../runtime/index.js';
import type { PointBars, PointJob, PointResult } from '../runtime/index.js';

/**
 * A worker thread of the sweep's thread pool (sweep-pool.ts): it gets the bars once, then a job per
 * point, and answers each with the backtest's summary and hash. The points were validated by the
 * command before any worker started, so a failure here is a bug, reported with the point's index.
 */
export interface SweepWorkerData extends PointBars { root: string }

export type SweepReply = ({ index: number } & PointResult) | { index: number; error: string };

const data = workerData as SweepWorkerData;
const port = parentPort!;

async function runPoint(job: PointJob): Promise<SweepReply> {
  try {
    const result = await backtestPoint(data, job, data.root);
    return { index: job.index, hash: result.hash, summary: result.summary, universe: result.universe };
  } catch (e) {
    return { index: job.index, error: e instanceof Error ? e.message : String(e) };
  }
}

port.on('message', (job: PointJob) => {
  void runPoint(job).then((reply) => port.postMessage(reply));
});
