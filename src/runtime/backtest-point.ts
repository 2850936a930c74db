import { runBacktest } from '../backtest/index.js';
import type {
  BacktestResult, BacktestSettings, BacktestSummary, BacktestUniverse, UniverseReport,
} from '../backtest/index.js';
import { jobSettings } from '../config/index.js';
import type { Config } from '../config/index.js';
import { krw } from '../domain/index.js';
import type { DailyBar, StockCode, TradingDate } from '../domain/index.js';
import { feeRatesOf } from './market.js';
import { resolveStrategies } from './strategies.js';

/**
 * One backtest of a config over bars already loaded: what `backtest`, each point of `sweep` (on a
 * worker thread or a `sweep-worker` process) and each window of `walkforward` run (docs/backtest.md).
 */
export interface PointBars {
  bars: ReadonlyMap<StockCode, readonly DailyBar[]>;
  names: Readonly<Record<string, string>>;
  /** each day's candidates (docs/backtest.md §3); absent: every symbol, unranked */
  universe?: BacktestUniverse;
}

/** A point of a sweep: its config (validated by the command) and the period to run it over. */
export interface PointJob { index: number; config: Config; from: TradingDate; to: TradingDate }

/** What a sweep keeps of a point's run. */
export interface PointResult { hash: string; summary: BacktestSummary; universe: UniverseReport }

/**
 * Where a sweep's points run: worker threads here (cli/sweep-pool.ts), or `sweep-worker` processes
 * over BullMQ (sweep-queue.ts). Results come back in the order of the jobs given, never by arrival,
 * so whatever runs them the answer is the same.
 */
export interface PointRunner {
  run(jobs: readonly PointJob[], onDone?: (done: number) => void): Promise<PointResult[]>;
  close(): Promise<void>;
}

/** The backtest's settings as a config gives them (strategies resolved against the installation root). */
export async function backtestSettingsOf(config: Config, root: string): Promise<BacktestSettings> {
  const jobs = jobSettings(config);
  return {
    strategies: await resolveStrategies(jobs.strategies, root), signals: jobs.signals,
    slippageTicks: config.backtest.slippageTicks, initialCash: krw(config.backtest.initialCash),
    scan: { kinds: jobs.scan.kinds, filter: jobs.scan.filter },
  };
}

export async function backtestPoint(data: PointBars, job: PointJob, root: string): Promise<BacktestResult> {
  return runBacktest({
    settings: await backtestSettingsOf(job.config, root), bars: data.bars, names: data.names,
    from: job.from, to: job.to, fees: feeRatesOf(job.config.market),
    ...(data.universe ? { universe: data.universe } : {}),
  });
}
