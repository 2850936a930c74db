import { epochMs, kstInstant } from '../domain/index.js';
import type { DailyBar, EpochMs, StockCode, TradingDate } from '../domain/index.js';
import type { TradingCalendar } from '../market/index.js';
import { createSimCalendar, createSyntheticMarket } from '../synthetic/index.js';
import type { SyntheticMarket } from '../synthetic/index.js';
import type { DayPath } from './types.js';

/** History before `from` for the indicators: at most 100 bars are read (docs/kis-wire.md §6.3), and a margin. */
const HISTORY_DAYS = 120;

/**
 * Daily bars of the simulator's synthetic market (the same seeded listings and prices `sim` mode
 * trades), so a backtest runs with no data at all: `--source sim --seed S`. The bars are the
 * market's own daily bars up to `to`, adjusted for its seeded splits as KIS adjusts them; `paths`
 * gives the intraday path each bar was made from, for the fills (docs/backtest.md §1–§2).
 */
export function syntheticMarketBars(o: {
  seed: number; symbols: number; from: TradingDate; to: TradingDate; calendar: TradingCalendar;
}): {
  bars: Map<StockCode, DailyBar[]>; names: Record<string, string>;
  paths: (symbol: StockCode, date: TradingDate) => DayPath | null;
} {
  const { market, calendar, at } = marketOf(o);
  let days = HISTORY_DAYS;
  for (let d = o.to; d >= o.from; d = calendar.previous(d)) days += 1;
  const bars = new Map<StockCode, DailyBar[]>();
  const names: Record<string, string> = {};
  for (const s of market.symbols()) {
    bars.set(s.code, market.dailyBars(s.code, { count: days, end: o.to, at }));
    names[s.code] = s.name;
  }
  return { bars, names, paths: (symbol, date) => dayPath(market, symbol, date) };
}

interface MarketSpec { seed: number; symbols: number; to: TradingDate; calendar: TradingCalendar }

function marketOf(o: MarketSpec): { market: SyntheticMarket; calendar: ReturnType<typeof createSimCalendar>; at: EpochMs } {
  const calendar = createSimCalendar(o.calendar);
  // After the close of `to`: its bar is complete, and nothing later exists yet.
  const at = kstInstant(o.to, '235959');
  return { market: createSyntheticMarket({ seed: o.seed, symbols: o.symbols, clock: { now: () => at }, calendar }), calendar, at };
}

/**
 * The intraday paths of the market `syntheticMarketBars` gives the bars of, from its seed alone: a
 * sweep's worker (a thread, or a sweep-worker on another machine) makes its own instead of receiving
 * them. The market is a pure function of its seed, so both give the same paths.
 */
export function syntheticPaths(o: MarketSpec): (symbol: StockCode, date: TradingDate) => DayPath | null {
  const { market } = marketOf(o);
  return (symbol, date) => dayPath(market, symbol, date);
}

/**
 * One symbol-day of the market as the simulator's exchange meets it (exchange/exchange.ts
 * advanceTo): the same opening auction, minute ticks, halts and closing auction, made on demand
 * (the market keeps a bounded cache of paths), so only the days with a pending order cost anything.
 * The market runs no splits here (none are asked for), so the path is in the units of the bars.
 */
export function dayPath(market: SyntheticMarket, symbol: StockCode, date: TradingDate): DayPath | null {
  if (market.symbol(symbol) === undefined) return null;
  const opening = market.openingAuction(symbol, date);
  const open = opening.at;
  const closing = market.closingAuction(symbol, date);
  return {
    // a suspended symbol (halted before the open too) takes no orders; a temporary halt starts after the open
    opening: market.halted(symbol, epochMs(open - 1)) ? null : opening,
    steps: market.steps(date),
    tick: (k) => (market.halted(symbol, epochMs(open + k * 60_000)) ? null : market.minuteTick(symbol, date, k)),
    // a suspended stock has no closing auction either (exchange.ts advanceTo)
    closing: market.halted(symbol, closing.at) ? { ...closing, volume: 0 } : closing,
  };
}
