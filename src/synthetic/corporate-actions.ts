import { AppError, krw, shares, stockCode } from '../domain/index.js';
import type { DailyBar, StockCode, TradingDate } from '../domain/index.js';
import { foldSeed, hash32 } from './hash-random.js';
import type { SimCalendar } from './sim-calendar.js';
import type { SimSymbol } from './universe.js';

/**
 * Stock splits, bonus issues and reverse splits of the simulated exchange, pure.
 *
 * From the ex-date on a symbol trades in new units: its base price is the previous close ÷ ratio
 * (KRX sets the 기준가 that way, docs/kis-wire.md §11.2), its home price and volume follow, and every
 * account holding it holds quantity × ratio at the same purchase amount. Daily bars are kept in
 * the units they traded in (the original prices, `FID_ORG_ADJ_PRC=1`); the adjusted history
 * (`FID_ORG_ADJ_PRC=0`, docs/kis-wire.md §6.3) divides every bar before an ex-date that has come by its
 * ratio, rounded to the won, and multiplies its volume.
 *
 * Off by default (`splits: 'none'`), so no other test's prices move. `'seeded'` splits
 * SEEDED_SPLITS symbols (never the anchor large caps) 1 to 5 trading days after the simulator's
 * start day by 2, 5 or 10, all from the seed; a list names them explicitly.
 */
export interface SimSplit {
  symbol: StockCode;
  /** the ex-date: the first trading day in new units */
  date: TradingDate;
  /** new shares per `den` old ones */
  num: number;
  den: number;
}

export type SplitOption = 'none' | 'seeded' | readonly SimSplit[];

export const SEEDED_SPLITS = 2;
const SPLIT_STREAM = 0x5b117;
const SEEDED_RATIOS = [2, 5, 10] as const;
const ANCHOR_COUNT = 3;
const MAX_TERM = 50;

function invalid(message: string): never {
  throw new AppError('SIM_INVALID_OPTIONS', `simulator options: splits: ${message}`);
}

function isSplitList(x: unknown): x is readonly SimSplit[] {
  return Array.isArray(x);
}

/** The splits the simulator runs, sorted by ex-date; validated when given explicitly. */
export function resolveSplits(opts: {
  seed: number; option: SplitOption | undefined; universe: readonly SimSymbol[]; calendar: SimCalendar; startDay: TradingDate;
}): SimSplit[] {
  const { option, universe, calendar } = opts;
  if (option === undefined || option === 'none') return [];
  if (option === 'seeded') {
    const seed = foldSeed(opts.seed);
    const pool = universe.filter((s) => s.index >= ANCHOR_COUNT);
    const out: SimSplit[] = [];
    for (let k = 0; out.length < Math.min(SEEDED_SPLITS, pool.length); k++) {
      const s = pool[hash32(seed, SPLIT_STREAM, k, 1) % pool.length];
      if (!s || out.some((o) => o.symbol === s.code)) continue;
      const ratio = SEEDED_RATIOS[hash32(seed, SPLIT_STREAM, k, 2) % SEEDED_RATIOS.length] ?? 2;
      const date = calendar.addTradingDays(calendar.isTradingDay(opts.startDay) ? opts.startDay : calendar.next(opts.startDay), 1 + (hash32(seed, SPLIT_STREAM, k, 3) % 5));
      out.push({ symbol: s.code, date, num: ratio, den: 1 });
    }
    return out.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  }
  const list: unknown = option;
  if (!isSplitList(list)) invalid(`must be 'none', 'seeded' or a list, got ${typeof list}`);
  const codes = new Set(universe.map((s) => s.code as string));
  const seen = new Set<string>();
  for (const s of list) {
    if (!codes.has(s.symbol)) invalid(`no such symbol ${s.symbol}`);
    if (!calendar.isTradingDay(s.date)) invalid(`${s.date} is not a trading day`);
    const ok = (x: number) => Number.isInteger(x) && x >= 1 && x <= MAX_TERM;
    if (!ok(s.num) || !ok(s.den) || s.num === s.den) invalid(`ratio ${s.num}/${s.den} of ${s.symbol} must be whole numbers within 1..${MAX_TERM}, not 1`);
    const key = `${s.symbol}:${s.date}`;
    if (seen.has(key)) invalid(`two splits of ${s.symbol} on ${s.date}`);
    seen.add(key);
  }
  return list.map((s) => ({ ...s, symbol: stockCode(s.symbol) })).sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
}

/** The cumulative ratio of the splits of a bar's symbol after `barDate` and on or before `asOf`. */
export function adjustmentFor(splits: readonly SimSplit[], barDate: TradingDate, asOf: TradingDate): { num: number; den: number } {
  let num = 1;
  let den = 1;
  for (const s of splits) {
    if (s.date > barDate && s.date <= asOf) {
      num *= s.num;
      den *= s.den;
    }
  }
  return { num, den };
}

/** A bar in the units of `asOf`: prices ÷ ratio rounded to the won, volume × ratio, value unchanged. */
export function adjustBar(bar: DailyBar, splits: readonly SimSplit[], asOf: TradingDate): DailyBar {
  const { num, den } = adjustmentFor(splits, bar.date, asOf);
  if (num === den) return bar;
  const p = (x: number) => krw(Math.max(1, Math.round((x * den) / num)));
  return {
    ...bar, open: p(bar.open), high: p(bar.high), low: p(bar.low), close: p(bar.close), volume: shares(Math.round((bar.volume * num) / den)),
  };
}
