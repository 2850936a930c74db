import { addDays, krw, seededRandom, shares, stockCode, tradingDate, weekdayOf } from '../../src/domain/index.js';
import type { DailyBar, StockCode, TradingDate } from '../../src/domain/index.js';
import { priceLimits, roundToTick } from '../../src/market/index.js';

export { seededRandom };

/** `n` weekdays from `start` (holidays ignored: the backtest's calendar is the bars' own dates). */
export function weekdays(start: string, n: number): TradingDate[] {
  const out: TradingDate[] = [];
  for (let d = tradingDate(start); out.length < n; d = addDays(d, 1)) {
    const wd = weekdayOf(d);
    if (wd !== 0 && wd !== 6) out.push(d);
  }
  return out;
}

/**
 * A seeded random walk on the KRX grid inside the daily limits, with volume spikes on up days so a
 * momentum strategy finds entries: the bench's and the tests' market.
 */
export function syntheticBars(symbol: StockCode, dates: readonly TradingDate[], seed: number): DailyBar[] {
  const rand = seededRandom(seed);
  let close = 5_000 + Math.floor(rand() * 60_000);
  const bars: DailyBar[] = [];
  for (const date of dates) {
    const { upper, lower } = priceLimits(krw(roundToTick(close, 'nearest')));
    const clamp = (p: number): number => Math.min(upper, Math.max(lower, roundToTick(Math.max(1, p), 'nearest')));
    const open = clamp(close * (1 + 0.02 * (rand() - 0.5)));
    const move = rand() < 0.08 ? 0.03 + 0.06 * rand() : 0.05 * (rand() - 0.5);
    const next = clamp(open * (1 + move));
    const high = clamp(Math.max(open, next) * (1 + 0.01 * rand()));
    const low = clamp(Math.min(open, next) * (1 - 0.01 * rand()));
    const volume = Math.round(1e5 * (0.5 + rand()) * (move > 0.03 ? 3 : 1));
    bars.push({
      symbol, date, open: krw(open), high: krw(Math.max(high, open, next)), low: krw(Math.min(low, open, next)),
      close: krw(next),
      volume: shares(volume), value: krw(next * volume),
    });
    close = next;
  }
  return bars;
}

/** `symbols` series of `days` bars each, codes 000001…, seeds derived from `seed`. */
export function syntheticMarket(
  symbols: number, days: number, seed: number, start = '20250102',
): Map<StockCode, DailyBar[]> {
  const dates = weekdays(start, days);
  const out = new Map<StockCode, DailyBar[]>();
  for (let i = 1; i <= symbols; i++) {
    const symbol = stockCode(String(i).padStart(6, '0'));
    out.set(symbol, syntheticBars(symbol, dates, seed * 100_003 + i));
  }
  return out;
}
