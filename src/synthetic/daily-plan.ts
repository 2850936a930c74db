import { krw, tradingDate } from '../domain/index.js';
import type { Krw, TradingDate } from '../domain/index.js';
import { priceLimits, roundToTick } from '../market/index.js';
import { STREAM, normal, uniform } from './hash-random.js';
import type { SimCalendar } from './sim-calendar.js';
import type { SimSymbol } from './universe.js';

/**
 * The plan of one symbol's trading day: base price (yesterday's close), today's open and close,
 * the limits, and the day's regime. The intraday path later bridges open → close, so a day's
 * summary is known without walking its minutes, and the chain of closes only needs one cheap
 * step per day. History starts at a fixed anchor so that "yesterday" is the same whenever and
 * in whatever order it is asked for.
 */
export type DayRegime = 'normal' | 'surge' | 'slump';

export interface DayPlan {
  date: TradingDate;
  dayNo: number;
  base: Krw;
  open: Krw;
  close: Krw;
  upper: Krw;
  lower: Krw;
  regime: DayRegime;
  /** where in the session (0..1) the trend of a surge/slump day starts, and how long it takes */
  rampStart: number;
  rampLength: number;
  /** planned shares traded over the day, auction included */
  dayVolume: number;
}

/** The first simulated trading day; everything before it has no history. */
export const HISTORY_ANCHOR: TradingDate = tradingDate('20240102');

/** Pull toward the home price per day: keeps six years of random walk in a plausible range. */
const MEAN_REVERSION = 0.02;
const SURGE_PROBABILITY = 0.07;
const SLUMP_PROBABILITY = 0.025;
/** the mean of the jumps below, taken out again so that surges do not ratchet prices up for ever */
const MEAN_JUMP = SURGE_PROBABILITY * 0.15 - SLUMP_PROBABILITY * 0.1;

function clamp(p: number, lower: Krw, upper: Krw): Krw {
  return krw(Math.min(upper, Math.max(lower, p)));
}

function onGrid(p: number, lower: Krw, upper: Krw): Krw {
  return clamp(roundToTick(Math.max(1, p), 'nearest'), lower, upper);
}

export function planDay(seed: number, sym: SimSymbol, date: TradingDate, dayNo: number, base: Krw): DayPlan {
  const { upper, lower } = priceLimits(base);
  const r = uniform(seed, sym.index, dayNo, STREAM.regime);
  const regime: DayRegime = r < SURGE_PROBABILITY ? 'surge' : r < SURGE_PROBABILITY + SLUMP_PROBABILITY ? 'slump' : 'normal';
  const pull = -MEAN_REVERSION * Math.log(base / sym.homePrice);
  const noise = sym.dailySigma * normal(seed, sym.index, dayNo, STREAM.dailyReturn);
  const jumpU = uniform(seed, sym.index, dayNo, STREAM.dailyReturn, 1);
  const jump = regime === 'surge' ? 0.05 + 0.2 * jumpU : regime === 'slump' ? -(0.05 + 0.1 * jumpU) : 0;
  const logReturn = pull + noise + jump - MEAN_JUMP;
  // most of a normal day's move happens overnight less often than intraday; a trend day opens flat
  const gapShare = regime === 'normal' ? 0.3 : 0;
  const gapLog = gapShare * (pull + noise) + 0.25 * sym.dailySigma * normal(seed, sym.index, dayNo, STREAM.gap);
  const open = onGrid(base * Math.exp(gapLog), lower, upper);
  const close = onGrid(base * Math.exp(logReturn), lower, upper);
  const volumeNoise = Math.exp(0.35 * normal(seed, sym.index, dayNo, STREAM.dayVolume));
  const volumeMult = regime === 'normal' ? 1 : 2.5 + 5 * uniform(seed, sym.index, dayNo, STREAM.dayVolume, 1);
  return {
    date,
    dayNo,
    base,
    open,
    close,
    upper,
    lower,
    regime,
    rampStart: 0.02 + 0.7 * uniform(seed, sym.index, dayNo, STREAM.ramp),
    rampLength: 0.04 + 0.2 * uniform(seed, sym.index, dayNo, STREAM.ramp, 1),
    dayVolume: Math.max(100, Math.round(sym.avgVolume * volumeNoise * volumeMult)),
  };
}

/**
 * The chain of day plans of one symbol from the anchor on, extended lazily and memoized: asking
 * for a day walks forward from the last known one, never backward.
 */
export interface PlanChain {
  /** the plan of a trading day at or after the anchor; null before the anchor or on a closed day */
  plan(date: TradingDate): DayPlan | null;
}

/** The trading days from the anchor on, shared by every symbol's chain. */
export interface TradingDayList {
  /** index of a trading day in the list (extending it as needed); -1 for closed days and days before the anchor */
  indexOf(date: TradingDate): number;
  at(i: number): { date: TradingDate; dayNo: number };
}

export function createTradingDayList(cal: SimCalendar): TradingDayList {
  const days: { date: TradingDate; dayNo: number }[] = [];
  const index = new Map<string, number>();
  const push = (date: TradingDate) => {
    index.set(date, days.length);
    days.push({ date, dayNo: cal.dayNumber(date) });
  };
  push(cal.isTradingDay(HISTORY_ANCHOR) ? HISTORY_ANCHOR : cal.next(HISTORY_ANCHOR));
  return {
    indexOf(date) {
      const first = days[0];
      if (!first || date < first.date || !cal.isTradingDay(date)) return -1;
      for (let last = days[days.length - 1]; last && last.date < date; last = days[days.length - 1]) push(cal.next(last.date));
      return index.get(date) ?? -1;
    },
    at(i) {
      const d = days[i];
      if (!d) throw new Error(`trading day ${i} not computed yet`);
      return d;
    },
  };
}

/**
 * `splits` (this symbol's, corporate-actions.ts): from each ex-date the base is the previous close
 * ÷ ratio on the tick grid, and the home price and volume the plan reverts to follow the ratio.
 */
export function createPlanChain(
  seed: number, sym: SimSymbol, days: TradingDayList, splits: readonly { date: TradingDate; num: number; den: number }[] = [],
): PlanChain {
  const plans: DayPlan[] = [];
  let units = sym;
  return {
    plan(date) {
      const i = days.indexOf(date);
      if (i < 0) return null;
      for (let j = plans.length; j <= i; j++) {
        const day = days.at(j);
        const prevClose = plans[j - 1]?.close;
        let base = prevClose ?? roundToTick(sym.homePrice, 'nearest');
        const split = prevClose === undefined ? undefined : splits.find((s) => s.date === day.date);
        if (split) {
          base = roundToTick(Math.max(1, (base * split.den) / split.num), 'nearest');
          units = { ...units, homePrice: (units.homePrice * split.den) / split.num, avgVolume: Math.round((units.avgVolume * split.num) / split.den) };
        }
        plans.push(planDay(seed, units, day.date, day.dayNo, base));
      }
      return plans[i] ?? null;
    },
  };
}
