import { kstInstant } from '../domain/index.js';
import type { DailyBar, StockCode, TradingDate } from '../domain/index.js';
import type { TradingCalendar } from '../market/index.js';
import { createSimCalendar, createSyntheticMarket } from '../synthetic/index.js';

/** History before `from` for the indicators: at most 100 bars are read (docs/kis-wire.md §6.3), and a margin. */
const HISTORY_DAYS = 120;

/**
 * Daily bars of the simulator's synthetic market (the same seeded listings and prices `sim` mode
 * trades), so a backtest runs with no data at all: `--source sim --seed S`. The bars are the
 * market's own daily bars up to `to`, adjusted for its seeded splits as KIS adjusts them.
 */
export function syntheticMarketBars(o: {
  seed: number; symbols: number; from: TradingDate; to: TradingDate; calendar: TradingCalendar;
}): { bars: Map<StockCode, DailyBar[]>; names: Record<string, string> } {
  const calendar = createSimCalendar(o.calendar);
  // After the close of `to`: its bar is complete, and nothing later exists yet.
  const at = kstInstant(o.to, '235959');
  const market = createSyntheticMarket({ seed: o.seed, symbols: o.symbols, clock: { now: () => at }, calendar });
  let days = HISTORY_DAYS;
  for (let d = o.to; d >= o.from; d = calendar.previous(d)) days += 1;
  const bars = new Map<StockCode, DailyBar[]>();
  const names: Record<string, string> = {};
  for (const s of market.symbols()) {
    bars.set(s.code, market.dailyBars(s.code, { count: days, end: o.to, at }));
    names[s.code] = s.name;
  }
  return { bars, names };
}
