import { sha256Of } from '../backtest/index.js';
import type { BacktestResult, BacktestSummary } from '../backtest/index.js';
import { krw } from '../domain/index.js';
import type { DailyBar, DailyPnl, RoundTrip, StockCode, TradingDate } from '../domain/index.js';
import { performanceMetrics, summarize } from '../review/index.js';

/**
 * The arithmetic of `kis-trader walkforward` (docs/backtest.md §8), pure: the windows over the
 * trading days, and the out-of-sample test runs stitched into one curve.
 */
export interface Period { from: TradingDate; to: TradingDate; days: number }
export interface WalkWindow { train: Period; test: Period }

/** The dates the bars trade on within from…to, oldest first: the days the windows count. */
export function tradingDaysIn(
  bars: ReadonlyMap<StockCode, readonly DailyBar[]>, from: TradingDate, to: TradingDate,
): TradingDate[] {
  const days = new Set<TradingDate>();
  for (const list of bars.values()) for (const b of list) if (b.date >= from && b.date <= to) days.add(b.date);
  return [...days].sort();
}

const period = (days: readonly TradingDate[], start: number, end: number): Period => (
  { from: days[start]!, to: days[end - 1]!, days: end - start }
);

/**
 * Train on days [i, i + train), test on the next `test` days, then step by `test`: the test windows
 * follow each other without gap or overlap. The last test window takes what is left when fewer than
 * `test` days remain, so the out-of-sample curve reaches the last day. A string when the days do
 * not hold one whole window.
 */
export function walkWindows(days: readonly TradingDate[], train: number, test: number): WalkWindow[] | string {
  if (days.length < train + test) {
    return `--train ${train} + --test ${test} need ${train + test} trading days; the period has ${days.length}`;
  }
  const out: WalkWindow[] = [];
  for (let i = 0; i + train < days.length; i += test) {
    const end = Math.min(i + train + test, days.length);
    out.push({ train: period(days, i, i + train), test: period(days, i + train, end) });
  }
  return out;
}

/** The stitched out-of-sample run: what a backtest gives, for the test windows chained. */
export interface Stitched {
  daily: DailyPnl[];
  roundTrips: RoundTrip[];
  summary: BacktestSummary;
  /** sha256 of the canonical JSON of the windows' test hashes, in window order */
  hash: string;
}

/**
 * The test runs in window order, each started with the previous one's end equity as its cash (the
 * command does that): daily rows concatenated with the peak and drawdown taken over the whole
 * curve from `startCash`, round trips concatenated (ids moved past the previous windows' so they
 * stay unique), the summary computed over the stitched series as runBacktest computes its own.
 */
export function stitch(tests: readonly BacktestResult[], startCash: number): Stitched {
  const daily: DailyPnl[] = [];
  const roundTrips: RoundTrip[] = [];
  let peak = startCash;
  let idBase = 0;
  let exposed = 0;
  const sum = (f: (s: BacktestSummary) => number): number => tests.reduce((n, t) => n + f(t.summary), 0);
  for (const t of tests) {
    for (const d of t.daily) {
      peak = Math.max(peak, d.equity);
      const drawdown = peak - d.equity;
      daily.push({
        ...d, peakEquity: krw(peak), drawdown: krw(drawdown),
        drawdownBp: peak > 0 ? Math.trunc((drawdown * 10_000) / peak) : 0,
      });
    }
    for (const r of t.roundTrips) roundTrips.push({ ...r, id: idBase + r.id });
    idBase += t.roundTrips.reduce((m, r) => Math.max(m, r.id), 0);
    // exposure is days held ÷ days, both whole numbers: the count comes back exactly
    exposed += Math.round((t.summary.exposure ?? 0) * t.summary.days);
  }
  const summary: BacktestSummary = {
    ...summarize(roundTrips, daily), ...performanceMetrics(daily, startCash, exposed),
    evaluations: sum((s) => s.evaluations), orders: sum((s) => s.orders), unfilled: sum((s) => s.unfilled),
    fees: daily.reduce((s, d) => s + d.fees, 0),
  };
  return { daily, roundTrips, summary, hash: sha256Of(tests.map((t) => t.hash)) };
}
