import { atrOf, emaOf, rsiOf, smaOf } from '../indicators.js';
import { bollingerOf, macdOf } from '../indicators-bands.js';
import { highLowOf, rateOfChangeOf, volumeRatioOf } from '../indicators-change.js';
import { projectDayVolume } from '../volume.js';
import { changeBp, referencePrice } from './change.js';
import type { Snapshot } from './types.js';

/**
 * What a rules strategy can compare: the fields of the quote, the scan row and the position, and
 * the indicators over completed daily bars. One table, read by the params schema (names, arity,
 * windows, where each is known) and by the evaluation (values). Percent-valued names are in
 * percent, as the config writes them; prices in won. A value that cannot be known (no scan row,
 * too little history, a zero price) is null.
 */

/** Which rule a name may appear in: exits are evaluated without a scan row, entries without a position. */
export type RuleKind = 'entry' | 'exit';

/** The longest window: KIS returns at most 100 daily bars per call (docs/kis-wire.md §6.3). */
export const MAX_BARS = 100;

export interface FieldDef {
  only?: RuleKind;
  value(s: Snapshot): number | null;
}

/** `window`: an integer from 1 to MAX_BARS; `multiplier`: a positive number up to 10. */
export type ArgKind = 'window' | 'multiplier';

export interface IndicatorDef {
  /** how it is written, for messages and the README */
  usage: string;
  args: readonly ArgKind[];
  only?: RuleKind;
  /** completed daily bars it needs before it has a value */
  bars(args: readonly number[]): number;
  /** a problem with the arguments beyond each one's range; null when fine */
  check?(args: readonly number[]): string | null;
  value(s: Snapshot, closes: readonly number[], args: readonly number[]): number | null;
}

const positive = (v: number): number | null => (v > 0 ? v : null);
const pctOf = (bp: number | null): number | null => (bp === null ? null : bp / 100);
const prevClose = (s: Snapshot): number | null => referencePrice(s.quote, s.bars);

function changePctFrom(from: number | null, to: number): number | null {
  return from === null || to <= 0 ? null : pctOf(changeBp(from, to));
}

export const FIELDS: Readonly<Record<string, FieldDef>> = {
  price: { value: (s) => positive(s.quote.price) },
  open: { value: (s) => positive(s.quote.open) },
  high: { value: (s) => positive(s.quote.high) },
  low: { value: (s) => positive(s.quote.low) },
  prevClose: { value: prevClose },
  changePct: { value: (s) => changePctFrom(prevClose(s), s.quote.price) },
  gapPct: { value: (s) => changePctFrom(prevClose(s), s.quote.open) },
  volume: { value: (s) => s.quote.volume },
  tradedValue: { value: (s) => s.quote.tradedValue },
  upperLimit: { value: (s) => positive(s.quote.upperLimit) },
  lowerLimit: { value: (s) => positive(s.quote.lowerLimit) },
  'scan.rank': { only: 'entry', value: (s) => s.scan?.rank ?? null },
  'scan.changePct': { only: 'entry', value: (s) => (s.scan ? s.scan.changeBp / 100 : null) },
  'scan.tradedValue': { only: 'entry', value: (s) => s.scan?.tradedValue ?? null },
  'scan.volume': { only: 'entry', value: (s) => s.scan?.volume ?? null },
  'position.unrealisedPct': { only: 'exit', value: (s) => pctOf(s.position?.unrealisedBp ?? null) },
  'position.daysHeld': { only: 'exit', value: (s) => s.position?.daysHeld ?? null },
  'position.peakPct': { only: 'exit', value: (s) => (s.position ? pctOf(changeBp(s.position.avgPrice, s.position.peakPrice)) : null) },
  'position.fromPeakPct': { only: 'exit', value: (s) => (s.position ? changePctFrom(s.position.peakPrice, s.quote.price) : null) },
  'position.avgPrice': { only: 'exit', value: (s) => (s.position ? positive(s.position.avgPrice) : null) },
  'position.peakPrice': { only: 'exit', value: (s) => (s.position ? positive(s.position.peakPrice) : null) },
};

const n = (args: readonly number[], i = 0): number => args[i] ?? 0;
const window1 = (usage: string, bars: (p: number) => number, value: IndicatorDef['value'], only?: RuleKind): IndicatorDef =>
  ({ usage, args: ['window'], bars: (a) => bars(n(a)), value, ...(only ? { only } : {}) });

const bands = (usage: string, pick: 'upper' | 'middle' | 'lower'): IndicatorDef => ({
  usage, args: ['window', 'multiplier'], bars: (a) => n(a),
  value: (_s, closes, a) => bollingerOf(closes, n(a), n(a, 1))?.[pick] ?? null,
});

// The line exists from the slow-th close, the signal line slow + signal − 1 closes in (indicators-bands.ts Macd).
const macd = (usage: string, pick: 'macd' | 'signal' | 'histogram'): IndicatorDef => ({
  usage, args: ['window', 'window', 'window'], bars: (a) => n(a, 1) + n(a, 2) - 1,
  check: (a) => (n(a) < n(a, 1) ? null : `the fast period must be below the slow one, got ${n(a)} and ${n(a, 1)}`),
  value: (_s, closes, a) => macdOf(closes, n(a), n(a, 1), n(a, 2))?.[pick] ?? null,
});

function projectedVolumeRatio(s: Snapshot, period: number): number | null {
  const window = s.bars.slice(-period);
  if (window.length < period) return null;
  const average = window.reduce((sum, b) => sum + b.volume, 0) / period;
  if (average <= 0) return null;
  return (projectDayVolume(s.quote.volume, s.quote.at, s.session).projectedVolume * 100) / average;
}

export const INDICATORS: Readonly<Record<string, IndicatorDef>> = {
  sma: window1('sma(n)', (p) => p, (_s, closes, a) => smaOf(closes, n(a))),
  ema: window1('ema(n)', (p) => p, (_s, closes, a) => emaOf(closes, n(a))),
  rsi: window1('rsi(n)', (p) => p + 1, (_s, closes, a) => rsiOf(closes, n(a))),
  atr: window1('atr(n)', (p) => p, (s, _c, a) => atrOf(s.bars, n(a))),
  roc: window1('roc(n)', (p) => p + 1, (_s, closes, a) => rateOfChangeOf(closes, n(a))),
  volumeRatio: window1('volumeRatio(n)', (p) => p + 1, (s, _c, a) => volumeRatioOf(s.bars, n(a))),
  projectedVolumeRatio: window1('projectedVolumeRatio(n)', (p) => p, (s, _c, a) => projectedVolumeRatio(s, n(a)), 'entry'),
  high: window1('high(n)', (p) => p, (s, _c, a) => highLowOf(s.bars, n(a))?.high ?? null),
  low: window1('low(n)', (p) => p, (s, _c, a) => highLowOf(s.bars, n(a))?.low ?? null),
  close: window1('close(n)', (p) => p, (_s, closes, a) => closes.at(-n(a)) ?? null),
  bbUpper: bands('bbUpper(n,k)', 'upper'),
  bbMiddle: bands('bbMiddle(n,k)', 'middle'),
  bbLower: bands('bbLower(n,k)', 'lower'),
  macd: macd('macd(fast,slow,signal)', 'macd'),
  macdSignal: macd('macdSignal(fast,slow,signal)', 'signal'),
  macdHistogram: macd('macdHistogram(fast,slow,signal)', 'histogram'),
};
