import { runBacktest, syntheticPaths } from '../backtest/index.js';
import type {
  BacktestInput, BacktestResult, BacktestSettings, BacktestSummary, BacktestUniverse, UniverseReport,
} from '../backtest/index.js';
import { jobSettings } from '../config/index.js';
import type { Config } from '../config/index.js';
import { krw } from '../domain/index.js';
import type { DailyBar, StockCode, TradingDate } from '../domain/index.js';
import { createCalendar, parseCalendarData } from '../market/index.js';
import { feeRatesOf, sessionTimesOf } from './market.js';
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
  /** with `--source sim`: the synthetic market's seed, from which each worker makes the intraday paths the fills follow */
  sim?: SimMarketSpec;
}

/**
 * The synthetic market as plain data, to send to a worker thread or through Redis: the calendar is
 * the calendar file's content, not the object made of it.
 */
export interface SimMarketSpec {
  seed: number;
  symbols: number;
  to: TradingDate;
  calendar: unknown;
  sessions: Config['market']['sessions'];
}

// One market per spec: the points a worker runs over the same data share its bounded path cache.
const simPaths = new WeakMap<SimMarketSpec, NonNullable<BacktestInput['paths']>>();

/** The intraday paths of the sim source's market (backtest/synthetic-source.ts syntheticPaths). */
export function pathsOf(spec: SimMarketSpec): NonNullable<BacktestInput['paths']> {
  let paths = simPaths.get(spec);
  if (!paths) {
    const calendar = createCalendar(parseCalendarData(spec.calendar), sessionTimesOf(spec.sessions));
    paths = syntheticPaths({ seed: spec.seed, symbols: spec.symbols, to: spec.to, calendar });
    simPaths.set(spec, paths);
  }
  return paths;
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
    ...(data.universe ? { universe: data.universe } : {}), ...(data.sim ? { paths: pathsOf(data.sim) } : {}),
  });
}
