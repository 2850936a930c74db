/**
 * Streaming indicators: feed values oldest first with `add()`, read `value` (null until the
 * indicator has seen enough input). They take plain numbers and return plain numbers: indicator
 * values are not money, so no won rounding happens here; whoever turns one into a price rounds
 * it explicitly onto the tick grid.
 *
 * Own code rather than a package: signals/ is a pure folder that may import no packages
 * (docs/architecture.md §4). Each indicator is checked against `trading-signals` 8 (a dev
 * dependency) in test/unit/signals/indicators-vs-trading-signals.test.ts, and timed against it by
 * bench/indicators.ts. Where a definition here differs from the library's on purpose, the class
 * comment says how, and that test checks the difference.
 *
 * Ratios (rate of change, gap, volume ratio) are percentages, like the strategy's `…Pct` params.
 */

/** The price fields of a bar the range-based indicators read. */
export interface HlcBar {
  high: number;
  low: number;
  close: number;
}

export function checkPeriod(period: number): void {
  if (!Number.isInteger(period) || period < 1) throw new RangeError(`indicator period must be a positive integer, got ${period}`);
}

/** Simple moving average of the last `period` values. */
export class Sma {
  readonly period: number;
  private readonly window: number[] = [];
  private sum = 0;

  constructor(period: number) {
    checkPeriod(period);
    this.period = period;
  }

  add(value: number): number | null {
    this.window.push(value);
    this.sum += value;
    if (this.window.length > this.period) this.sum -= this.window.shift() ?? 0;
    return this.value;
  }

  get value(): number | null {
    return this.window.length < this.period ? null : this.sum / this.period;
  }
}

/**
 * Rolling average daily volume. The same arithmetic as an SMA, named separately so the strategy
 * reads as what it means and so the volume window can diverge from the price MA later.
 */
export class AverageVolume extends Sma {}

/**
 * Exponential moving average with k = 2 / (period + 1). It is seeded with the SMA of the first
 * `period` values (the common convention, also used by TA-Lib), so it is null until then.
 *
 * Differs from trading-signals' EMA, which starts from the first value and only reports once it
 * has seen `period` values: from then on both apply the same recursion, so the gap between them
 * shrinks by (1 − k) with every value and is below 1e-9 relative after a few hundred values.
 */
export class Ema {
  readonly period: number;
  private readonly k: number;
  private readonly seed: Sma;
  private current: number | null = null;

  constructor(period: number) {
    checkPeriod(period);
    this.period = period;
    this.k = 2 / (period + 1);
    this.seed = new Sma(period);
  }

  add(value: number): number | null {
    if (this.current === null) {
      this.current = this.seed.add(value);
    } else {
      this.current = value * this.k + this.current * (1 - this.k);
    }
    return this.current;
  }

  get value(): number | null {
    return this.current;
  }
}

/**
 * Wilder's smoothing: the first value is the plain mean of `period` inputs, then
 * avg = (avg × (period − 1) + x) / period. Shared by ATR and RSI.
 */
class WilderAverage {
  private count = 0;
  private sum = 0;
  private current: number | null = null;

  constructor(private readonly period: number) {}

  add(x: number): number | null {
    if (this.current === null) {
      this.count += 1;
      this.sum += x;
      if (this.count === this.period) this.current = this.sum / this.period;
    } else {
      this.current = (this.current * (this.period - 1) + x) / this.period;
    }
    return this.current;
  }

  get value(): number | null {
    return this.current;
  }
}

/**
 * Average true range (Wilder). True range = max(high − low, |high − prevClose|, |low − prevClose|);
 * the first bar has no previous close, so its true range is high − low.
 */
export class Atr {
  readonly period: number;
  private readonly avg: WilderAverage;
  private prevClose: number | null = null;

  constructor(period: number) {
    checkPeriod(period);
    this.period = period;
    this.avg = new WilderAverage(period);
  }

  add(bar: HlcBar): number | null {
    const range = bar.high - bar.low;
    const tr = this.prevClose === null
      ? range
      : Math.max(range, Math.abs(bar.high - this.prevClose), Math.abs(bar.low - this.prevClose));
    this.prevClose = bar.close;
    return this.avg.add(tr);
  }

  get value(): number | null {
    return this.avg.value;
  }
}

/**
 * Relative strength index with Wilder's smoothing over `period` close-to-close changes, so it
 * needs period + 1 closes. When there were no losses RSI is 100; when the price did not move at
 * all (no gains and no losses) it is 50, rather than a division by zero.
 *
 * Same as trading-signals' RSI (whose default smoothing is Wilder's, seeded with the SMA) except
 * for that flat case, where the library says 100: a stock that did not move is not overbought.
 */
export class Rsi {
  readonly period: number;
  private readonly gains: WilderAverage;
  private readonly losses: WilderAverage;
  private prev: number | null = null;

  constructor(period: number) {
    checkPeriod(period);
    this.period = period;
    this.gains = new WilderAverage(period);
    this.losses = new WilderAverage(period);
  }

  add(close: number): number | null {
    if (this.prev !== null) {
      const change = close - this.prev;
      this.gains.add(Math.max(change, 0));
      this.losses.add(Math.max(-change, 0));
    }
    this.prev = close;
    return this.value;
  }

  get value(): number | null {
    const gain = this.gains.value;
    const loss = this.losses.value;
    if (gain === null || loss === null) return null;
    if (loss === 0) return gain === 0 ? 50 : 100;
    return 100 - 100 / (1 + gain / loss);
  }
}

export function smaOf(values: readonly number[], period: number): number | null {
  const sma = new Sma(period);
  for (const v of values) sma.add(v);
  return sma.value;
}

/**
 * Running sums of one series' closes and volumes, side by side (so one read finds both):
 * `at[2k]` is the sum of the first k closes and `at[2k + 1]` of the first k volumes (k = 0…n).
 * Made only when every close and volume is a whole number and every sum stays a safe integer
 * (barSumsOf), so each sum is exact and the difference of two is exactly the sum a loop over those
 * bars makes: the same bits (test/unit/signals/indicators.test.ts).
 */
export interface SeriesSums {
  at: Float64Array;
}

/** A snapshot's window within its series' sums: `bars` are the series' bars [end − bars.length, end). */
export interface BarSums {
  series: SeriesSums;
  end: number;
}

/** The running sums of `bars`, or null when they would not be exact (see SeriesSums). */
export function barSumsOf(bars: readonly { close: number; volume: number }[]): SeriesSums | null {
  const at = new Float64Array(2 * (bars.length + 1));
  for (let i = 0; i < bars.length; i++) {
    const b = bars[i]!;
    if (!Number.isInteger(b.close) || !Number.isInteger(b.volume)) return null;
    at[2 * i + 2] = at[2 * i]! + b.close;
    at[2 * i + 3] = at[2 * i + 1]! + b.volume;
    if (!Number.isSafeInteger(at[2 * i + 2]) || !Number.isSafeInteger(at[2 * i + 3])) return null;
  }
  return { at };
}

/**
 * smaOf of the last `period` closes (none: fewer bars), without mapping or slicing the bars: the
 * same additions in the same order as an Sma fed exactly those closes, so the same bits
 * (test/unit/signals/indicators.test.ts). With the series' running sums (`sums`, the backtest's) it
 * reads two of them instead of `period` bars. It and lastAverageVolumeOf run on every evaluation
 * of a backtest, so they allocate nothing and read as little as they can (bench/README.md, backtest.ts).
 */
export function lastCloseSmaOf(bars: readonly { close: number }[], period: number, sums?: BarSums): number | null {
  checkPeriod(period);
  if (bars.length < period) return null;
  if (sums !== undefined) return (sums.series.at[2 * sums.end]! - sums.series.at[2 * (sums.end - period)]!) / period;
  let sum = 0;
  for (let i = bars.length - period; i < bars.length; i++) sum += bars[i]!.close;
  return sum / period;
}

export function emaOf(values: readonly number[], period: number): number | null {
  const ema = new Ema(period);
  for (const v of values) ema.add(v);
  return ema.value;
}

export function atrOf(bars: readonly HlcBar[], period: number): number | null {
  const atr = new Atr(period);
  for (const b of bars) atr.add(b);
  return atr.value;
}

export function rsiOf(closes: readonly number[], period: number): number | null {
  const rsi = new Rsi(period);
  for (const c of closes) rsi.add(c);
  return rsi.value;
}

export function averageVolumeOf(bars: readonly { volume: number }[], period: number): number | null {
  const avg = new AverageVolume(period);
  for (const b of bars) avg.add(b.volume);
  return avg.value;
}

/** averageVolumeOf the last `period` bars (see lastCloseSmaOf). */
export function lastAverageVolumeOf(bars: readonly { volume: number }[], period: number, sums?: BarSums): number | null {
  checkPeriod(period);
  if (bars.length < period) return null;
  if (sums !== undefined) return (sums.series.at[2 * sums.end + 1]! - sums.series.at[2 * (sums.end - period) + 1]!) / period;
  let sum = 0;
  for (let i = bars.length - period; i < bars.length; i++) sum += bars[i]!.volume;
  return sum / period;
}
