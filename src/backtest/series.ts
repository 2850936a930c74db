import { AppError } from '../domain/index.js';
import type { DailyBar, Krw, StockCode, TradingDate } from '../domain/index.js';
import { barSumsOf } from '../signals/index.js';
import type { SeriesSums } from '../signals/index.js';

/**
 * One symbol's bars, oldest first, with a cursor the day loop moves forward: `at` is the index of
 * today's bar (−1 when the symbol has none today: a halt or a gap in the data) and `last` the index
 * of the newest bar up to today, so nothing later than today is ever within reach.
 */
export interface Series {
  symbol: StockCode;
  bars: readonly DailyBar[];
  at: number;
  last: number;
  /**
   * the index in the run's trading days of each bar's date (numberDays; beyond the last day: the
   * day count), so the day loop moves the cursors by comparing numbers, not date strings
   */
  dayNo: Int32Array;
  /** running sums of the closes and volumes (signals/indicators.ts SeriesSums); null when they would not be exact */
  sums: SeriesSums | null;
  /**
   * Today's bar (`bars[at]`) and its close, or null and NaN without one; set by advance, whose loop
   * does nothing else, so every symbol's bar of the day is fetched from memory at once instead of
   * one at a time between decisions (bench/README.md, backtest.ts).
   */
  today: DailyBar | null;
  close: number;
}

const inOrder = (bars: readonly DailyBar[]): boolean => {
  for (let i = 1; i < bars.length; i++) if (!(bars[i - 1]!.date < bars[i]!.date)) return false;
  return true;
};

function checkBars(symbol: StockCode, bars: readonly DailyBar[]): readonly DailyBar[] {
  // Bars already in order (every source's usual case) are taken as they are; the run only reads them.
  const sorted = inOrder(bars) ? bars : [...bars].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  for (let i = 0; i < sorted.length; i++) {
    const b = sorted[i]!;
    if (b.symbol !== symbol) {
      throw new AppError('BACKTEST_INVALID_INPUT', `a bar of ${b.symbol} among the bars of ${symbol}`);
    }
    if (i > 0 && sorted[i - 1]!.date === b.date) throw new AppError('BACKTEST_INVALID_INPUT', `two bars for ${symbol} ${b.date}`);
    const ok = b.low > 0 && b.low <= b.open && b.low <= b.close && b.high >= b.open && b.high >= b.close
      && b.volume >= 0;
    if (!ok) {
      const ohlcv = `O ${b.open} H ${b.high} L ${b.low} C ${b.close} V ${b.volume}`;
      throw new AppError('BACKTEST_INVALID_INPUT', `impossible bar ${symbol} ${b.date}: ${ohlcv}`);
    }
  }
  return sorted;
}

/** Symbols in code order: the order entries are decided in, so a run never depends on the input's order. */
export function buildSeries(bars: ReadonlyMap<StockCode, readonly DailyBar[]>): Series[] {
  return [...bars.keys()].sort().map((symbol) => {
    const checked = checkBars(symbol, bars.get(symbol) ?? []);
    return {
      symbol, bars: checked, at: -1, last: -1, dayNo: new Int32Array(0), sums: barSumsOf(checked), today: null,
      close: Number.NaN,
    };
  });
}

/** Numbers every bar by its date's index in `days` (tradingDays), once before the day loop. */
export function numberDays(series: readonly Series[], days: readonly TradingDate[]): void {
  for (const s of series) {
    // both in date order, and every bar's date up to the last day is one of the days: a merge
    const n = new Int32Array(s.bars.length).fill(days.length);
    for (let i = 0, d = 0; i < s.bars.length; i++) {
      const date = s.bars[i]!.date;
      while (d < days.length && days[d]! < date) d += 1;
      if (d < days.length && days[d] === date) n[i] = d;
    }
    s.dayNo = n;
  }
}

/** Moves every cursor to the day numbered `day` (numberDays). Days only go forward, so this is a step, not a search. */
export function advance(series: readonly Series[], day: number): void {
  for (const s of series) {
    const n = s.dayNo;
    while (s.last + 1 < n.length && n[s.last + 1]! <= day) s.last += 1;
    s.at = s.last >= 0 && n[s.last] === day ? s.last : -1;
    s.today = s.at >= 0 ? s.bars[s.at]! : null;
    s.close = s.today?.close ?? Number.NaN;
  }
}

/** The last close known today: what an open position is marked at. */
export const markOf = (s: Series): Krw => s.bars[s.last]!.close;

export function tradingDays(series: readonly Series[], to: TradingDate): TradingDate[] {
  const days = new Set<TradingDate>();
  let before: readonly DailyBar[] = [];
  for (const s of series) {
    // Most symbols trade the days the one before traded: a date already added is skipped cheaply.
    for (let i = 0; i < s.bars.length; i++) {
      const date = s.bars[i]!.date;
      if (date !== before[i]?.date && date <= to) days.add(date);
    }
    before = s.bars;
  }
  return [...days].sort();
}
