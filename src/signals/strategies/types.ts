import type { z } from 'zod';
import type { DailyBar, Krw, Quote, Shares, StockCode, StrategySlice, TradingDate } from '../../domain/index.js';
import type { BarSums } from '../indicators.js';
import type { SessionWindow } from '../volume.js';

/** What a decision reports it computed from: written to `decisions.inputs` whatever the outcome. */
export type SignalValues = Record<string, number | string | boolean | null>;

/** What the scan said of a candidate (scan/universe.ts Candidate), for strategies that read the rankings. */
export interface ScanFields {
  name: string;
  /** the best rank over the rankings that listed it (1 = top); null when it came from the watch list */
  rank: number | null;
  /** change vs the previous close as the ranking reported it, in basis points */
  changeBp: number;
  tradedValue: Krw;
  volume: Shares;
}

/** The position an exit is decided for. */
export interface PositionFields {
  qty: Shares;
  avgPrice: Krw;
  openedDate: TradingDate;
  /** trading days since the opening day (0 on the day it was bought) */
  daysHeld: number;
  /** the highest price seen since entry: quotes the exit evaluations read, and completed bars' highs */
  peakPrice: Krw;
  /** price vs the average price in basis points; null without a usable price */
  unrealisedBp: number | null;
}

/**
 * One symbol at one instant, as every strategy sees it. The job gathers it (quote, cached daily
 * bars, scan row, position) and the backtester builds the same thing from history, so a strategy
 * cannot tell the two apart.
 */
export interface Snapshot {
  symbol: StockCode;
  today: TradingDate;
  quote: Quote;
  /** completed days before today, oldest first */
  bars: readonly DailyBar[];
  /** when volume accrues today (calendar.sessionTimesFor) */
  session: SessionWindow;
  scan: ScanFields | null;
  position: PositionFields | null;
  /**
   * false: nobody records this decision, so the decision code may skip what only the decision log
   * reads (`values`, `detail`, the review indicators) and return NO_VALUES. Only the action and the
   * rule count then, and they are the same either way (test/unit/backtest/explain.test.ts). The
   * daemon and replay leave it unset (explain), since replay compares the recorded values; the
   * backtest sets it false when it has no decision listener (docs/backtest.md §5).
   */
  explain?: boolean;
  /**
   * true: the caller vouches that `bars` are the symbol's own, completed before today and strictly
   * oldest first, so the decision code skips checking it bar by bar (decide-entry.ts checkSymbols,
   * completedBars). Only the backtest sets it: its windows are slices of series checked once when
   * built (backtest/series.ts checkBars), and those checks were a sixth of its time (bench/README.md).
   */
  barsChecked?: boolean;
  /**
   * The running sums of the series `bars` were cut from (indicators.ts BarSums), when the caller
   * keeps them (the backtest): the strategy's means then read two sums instead of N bars, with the
   * same bits. Absent: they read the bars.
   */
  sums?: BarSums | undefined;
}

/** The values of a decision nobody records (Snapshot.explain false): one shared, empty, frozen object. */
export const NO_VALUES: SignalValues = Object.freeze({});

/** A strategy's verdict: `rule` names the condition that decided (the first failing one, or the one that fired). */
export interface StrategySignal {
  fire: boolean;
  rule: string;
  values: SignalValues;
  /** the comparison that decided, in words a reader checks at a glance: "change 1.20 % < 2.00 %" */
  detail?: string;
}

/**
 * A strategy: pure and deterministic over the snapshot and its parsed params, no I/O, no clock.
 * `params` validates what the config file says (percents, days) and outputs what the evaluation
 * reads (basis points); an invalid params object is a config error with its path.
 */
export interface Strategy<P = unknown> {
  readonly name: string;
  /** one line for `config check` and the README */
  readonly summary: string;
  readonly params: z.ZodType<P, unknown>;
  /** completed daily bars before today the evaluation reads (the job fetches at least this many) */
  barsNeeded: (params: P) => number;
  entry: (snapshot: Snapshot, params: P) => StrategySignal;
  /**
   * An exit of the strategy's own (RSI back above 70, say), checked after the protective exits of
   * the exit machine (signals/decide-exit.ts) and before the time stop; none when absent.
   */
  exit?: (snapshot: Snapshot & { position: PositionFields }, params: P) => StrategySignal;
}

/**
 * A strategy bound to its parsed params and its slice of the config (universe, budget, exits): what
 * the jobs and the backtester call. `id` is the config's name for it (`strategies.<id>`), recorded
 * with every decision, order and position; `use` says which strategy it runs.
 */
export interface StrategyInstance extends Omit<StrategySlice, 'params' | 'module'> {
  readonly barsNeeded: number;
  entry: (snapshot: Snapshot) => StrategySignal;
  exit: (snapshot: Snapshot & { position: PositionFields }) => StrategySignal | null;
}
