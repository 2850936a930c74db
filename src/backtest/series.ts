import { AppError } from '../domain/index.js';
import type { DailyBar, Krw, StockCode, TradingDate } from '../domain/index.js';

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
}

function checkBars(symbol: StockCode, bars: readonly DailyBar[]): DailyBar[] {
  const sorted = [...bars].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  for (let i = 0; i < sorted.length; i++) {
    const b = sorted[i]!;
    const where = `${symbol} ${b.date}`;
    if (b.symbol !== symbol) {
      throw new AppError('BACKTEST_INVALID_INPUT', `a bar of ${b.symbol} among the bars of ${symbol}`);
    }
    if (i > 0 && sorted[i - 1]!.date === b.date) throw new AppError('BACKTEST_INVALID_INPUT', `two bars for ${where}`);
    const ok = b.low > 0 && b.low <= b.open && b.low <= b.close && b.high >= b.open && b.high >= b.close
      && b.volume >= 0;
    if (!ok) {
      const ohlcv = `O ${b.open} H ${b.high} L ${b.low} C ${b.close} V ${b.volume}`;
      throw new AppError('BACKTEST_INVALID_INPUT', `impossible bar ${where}: ${ohlcv}`);
    }
  }
  return sorted;
}

/** Symbols in code order: the order entries are decided in, so a run never depends on the input's order. */
export function buildSeries(bars: ReadonlyMap<StockCode, readonly DailyBar[]>): Series[] {
  return [...bars.keys()].sort().map((symbol) => ({
    symbol, bars: checkBars(symbol, bars.get(symbol) ?? []), at: -1, last: -1,
  }));
}

/** Moves every cursor to `day`. Days only go forward, so this is a step, not a search. */
export function advance(series: readonly Series[], day: TradingDate): void {
  for (const s of series) {
    while (s.last + 1 < s.bars.length && s.bars[s.last + 1]!.date <= day) s.last += 1;
    s.at = s.last >= 0 && s.bars[s.last]!.date === day ? s.last : -1;
  }
}

/** The last close known today: what an open position is marked at. */
export const markOf = (s: Series): Krw => s.bars[s.last]!.close;

export function tradingDays(series: readonly Series[], to: TradingDate): TradingDate[] {
  const days = new Set<TradingDate>();
  for (const s of series) for (const b of s.bars) if (b.date <= to) days.add(b.date);
  return [...days].sort();
}
