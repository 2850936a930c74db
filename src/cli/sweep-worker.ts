import { parentPort, workerData } from 'node:worker_threads';
import { runBacktest } from '../backtest/index.js';
import type { BacktestSummary } from '../backtest/index.js';
import { jobSettings } from '../config/index.js';
import type { Config } from '../config/index.js';
import { krw } from '../domain/index.js';
import type { DailyBar, StockCode, TradingDate } from '../domain/index.js';
import { feeRatesOf, resolveStrategies } from '../runtime/index.js';

/**
 * A worker thread of `kis-trader sweep` (sweep-command.ts): it gets the bars once, then a config per
 * point, and answers each with the backtest's summary and hash. The points were validated by the
 * command before any worker started, so a failure here is a bug, reported with the point's index.
 */
export interface SweepWorkerData {
  bars: Map<StockCode, DailyBar[]>;
  names: Record<string, string>;
  from: TradingDate;
  to: TradingDate;
  root: string;
}

export interface SweepJob { index: number; config: Config }

export type SweepReply =
  | { index: number; hash: string; summary: BacktestSummary }
  | { index: number; error: string };

const data = workerData as SweepWorkerData;
const port = parentPort!;

async function runPoint(job: SweepJob): Promise<SweepReply> {
  try {
    const { config } = job;
    const jobs = jobSettings(config);
    const result = runBacktest({
      settings: {
        strategies: await resolveStrategies(jobs.strategies, data.root), signals: jobs.signals,
        slippageTicks: config.backtest.slippageTicks, initialCash: krw(config.backtest.initialCash),
      },
      bars: data.bars, names: data.names, from: data.from, to: data.to, fees: feeRatesOf(config.market),
    });
    return { index: job.index, hash: result.hash, summary: result.summary };
  } catch (e) {
    return { index: job.index, error: e instanceof Error ? e.message : String(e) };
  }
}

port.on('message', (job: SweepJob) => {
  void runPoint(job).then((reply) => port.postMessage(reply));
});
