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

function checkPeriod(period: number): void {
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

/** Upper, middle and lower Bollinger band. */
export interface BollingerValue {
  upper: number;
  middle: number;
  lower: number;
}

/**
 * Bollinger bands: middle = SMA of the last `period` values, upper/lower = middle ± `multiplier`
 * standard deviations of those values. The deviation is the population one (divided by
 * `period`, not period − 1), as Bollinger defines it and as TA-Lib and trading-signals compute it.
 * Mean and deviation are computed afresh over the window on each add (two passes), so no rounding
 * error accumulates over a long series.
 */
export class BollingerBands {
  readonly period: number;
  readonly multiplier: number;
  private readonly window: number[];
  private next = 0;
  private count = 0;
  private current: BollingerValue | null = null;

  constructor(period = 20, multiplier = 2) {
    checkPeriod(period);
    if (!Number.isFinite(multiplier) || multiplier < 0) throw new RangeError(`Bollinger multiplier must be a non-negative number, got ${multiplier}`);
    this.period = period;
    this.multiplier = multiplier;
    this.window = new Array<number>(period).fill(0);
  }

  add(value: number): BollingerValue | null {
    this.window[this.next] = value;
    this.next = (this.next + 1) % this.period;
    if (this.count < this.period) this.count += 1;
    if (this.count < this.period) return null;
    let sum = 0;
    for (const v of this.window) sum += v;
    const middle = sum / this.period;
    let squares = 0;
    for (const v of this.window) squares += (v - middle) * (v - middle);
    const width = Math.sqrt(squares / this.period) * this.multiplier;
    this.current = { upper: middle + width, middle, lower: middle - width };
    return this.current;
  }

  get value(): BollingerValue | null {
    return this.current;
  }
}

/** MACD line (fast EMA − slow EMA), its signal line (EMA of the line) and histogram (line − signal). */
export interface MacdValue {
  macd: number;
  signal: number;
  histogram: number;
}

/**
 * Moving average convergence/divergence, 12/26/9 by default. All three EMAs are this module's
 * SMA-seeded Ema: the line exists from the `slow`-th value, the signal line is seeded with the
 * SMA of the first `signal` line values, so `value` is null until slow + signal − 1 values.
 *
 * Differs from trading-signals' MACD (built from its EMAs), which starts every EMA from its first
 * input and so reports from the `slow`-th value on; the two converge as the EMAs do (see Ema).
 */
export class Macd {
  readonly fast: number;
  readonly slow: number;
  readonly signalPeriod: number;
  private readonly fastEma: Ema;
  private readonly slowEma: Ema;
  private readonly signalEma: Ema;
  private current: MacdValue | null = null;

  constructor(fast = 12, slow = 26, signal = 9) {
    checkPeriod(fast);
    checkPeriod(slow);
    checkPeriod(signal);
    if (fast >= slow) throw new RangeError(`MACD fast period must be below the slow one, got ${fast} and ${slow}`);
    this.fast = fast;
    this.slow = slow;
    this.signalPeriod = signal;
    this.fastEma = new Ema(fast);
    this.slowEma = new Ema(slow);
    this.signalEma = new Ema(signal);
  }

  add(value: number): MacdValue | null {
    const fast = this.fastEma.add(value);
    const slow = this.slowEma.add(value);
    if (fast === null || slow === null) return null;
    const macd = fast - slow;
    const signal = this.signalEma.add(macd);
    if (signal === null) return null;
    this.current = { macd, signal, histogram: macd - signal };
    return this.current;
  }

  get value(): MacdValue | null {
    return this.current;
  }
}

/**
 * Rate of change in percent: (x − x[period values ago]) / x[period values ago] × 100, so it needs
 * period + 1 values. trading-signals' ROC is the same ratio as a fraction (×1, not ×100). Null
 * when the older value is 0, where the ratio has no meaning (prices are never 0).
 */
export class RateOfChange {
  readonly period: number;
  private readonly window: number[];
  private next = 0;
  private count = 0;
  private current: number | null = null;

  constructor(period: number) {
    checkPeriod(period);
    this.period = period;
    this.window = new Array<number>(period + 1).fill(0);
  }

  add(value: number): number | null {
    this.window[this.next] = value;
    this.next = (this.next + 1) % this.window.length;
    if (this.count < this.window.length) this.count += 1;
    if (this.count < this.window.length) return null;
    // after the write, `next` points at the oldest value: the one `period` values ago
    const base = this.window[this.next] ?? 0;
    this.current = base === 0 ? null : ((value - base) / base) * 100;
    return this.current;
  }

  get value(): number | null {
    return this.current;
  }
}

/**
 * Volume ratio in percent: the latest volume against the mean of the `period` volumes before it
 * (the latest one not included, so a spike does not dampen itself). Needs period + 1 values;
 * null while that mean is 0 (e.g. a suspended stock). trading-signals' RVOL is the same ratio
 * as a fraction. The strategy's live volume ratio compares a projected intraday volume
 * (projectDayVolume) with completed days instead; this one is over completed bars only.
 */
export class VolumeRatio {
  readonly period: number;
  private readonly prior: Sma;
  private current: number | null = null;

  constructor(period: number) {
    checkPeriod(period);
    this.period = period;
    this.prior = new Sma(period);
  }

  add(volume: number): number | null {
    const baseline = this.prior.value;
    this.current = baseline === null || baseline === 0 ? null : (volume * 100) / baseline;
    this.prior.add(volume);
    return this.current;
  }

  get value(): number | null {
    return this.current;
  }
}

/** The price fields of a bar N-day high/low reads. */
export interface HlBar {
  high: number;
  low: number;
}

/** Highest high and lowest low of a window of bars. */
export interface HighLowValue {
  high: number;
  low: number;
}

/**
 * Highest high and lowest low of the last `period` bars, the latest one included (the upper and
 * lower Donchian channel, as trading-signals' DonchianChannels). For a breakout over the prior
 * N days, feed the completed days and compare today's price with the result. Kept with two
 * monotonic queues, so each add is O(1) amortised rather than a scan of the window.
 */
export class HighLow {
  readonly period: number;
  private seen = 0;
  // indexes (in input order) and values of candidate maxima (decreasing) and minima (increasing)
  private readonly highIdx: number[] = [];
  private readonly highs: number[] = [];
  private readonly lowIdx: number[] = [];
  private readonly lows: number[] = [];
  private current: HighLowValue | null = null;

  constructor(period: number) {
    checkPeriod(period);
    this.period = period;
  }

  add(bar: HlBar): HighLowValue | null {
    const i = this.seen;
    this.seen += 1;
    while (this.highs.length > 0 && (this.highs[this.highs.length - 1] ?? 0) <= bar.high) { this.highs.pop(); this.highIdx.pop(); }
    this.highs.push(bar.high);
    this.highIdx.push(i);
    while (this.lows.length > 0 && (this.lows[this.lows.length - 1] ?? 0) >= bar.low) { this.lows.pop(); this.lowIdx.pop(); }
    this.lows.push(bar.low);
    this.lowIdx.push(i);
    const oldest = i - this.period + 1;
    while ((this.highIdx[0] ?? oldest) < oldest) { this.highIdx.shift(); this.highs.shift(); }
    while ((this.lowIdx[0] ?? oldest) < oldest) { this.lowIdx.shift(); this.lows.shift(); }
    if (this.seen < this.period) return null;
    this.current = { high: this.highs[0] ?? bar.high, low: this.lows[0] ?? bar.low };
    return this.current;
  }

  get value(): HighLowValue | null {
    return this.current;
  }
}

/** The price fields of a bar the gap reads. */
export interface OcBar {
  open: number;
  close: number;
}

/**
 * Opening gap in percent: (open − previous close) / previous close × 100 of the latest bar; null
 * on the first bar (no previous close) and if the previous close was 0. trading-signals has no
 * gap indicator (its GAPO is a range index); the comparison test checks it against the library's
 * one-period ROC from the previous close to the open.
 */
export class Gap {
  private prevClose: number | null = null;
  private current: number | null = null;

  add(bar: OcBar): number | null {
    const prev = this.prevClose;
    this.current = prev === null || prev === 0 ? null : ((bar.open - prev) / prev) * 100;
    this.prevClose = bar.close;
    return this.current;
  }

  get value(): number | null {
    return this.current;
  }
}

/* Helpers over whole series (oldest first): the indicator value after the last element. */

export function smaOf(values: readonly number[], period: number): number | null {
  const sma = new Sma(period);
  for (const v of values) sma.add(v);
  return sma.value;
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

export function bollingerOf(values: readonly number[], period = 20, multiplier = 2): BollingerValue | null {
  const bands = new BollingerBands(period, multiplier);
  for (const v of values) bands.add(v);
  return bands.value;
}

export function macdOf(values: readonly number[], fast = 12, slow = 26, signal = 9): MacdValue | null {
  const macd = new Macd(fast, slow, signal);
  for (const v of values) macd.add(v);
  return macd.value;
}

export function rateOfChangeOf(values: readonly number[], period: number): number | null {
  const roc = new RateOfChange(period);
  for (const v of values) roc.add(v);
  return roc.value;
}

export function volumeRatioOf(bars: readonly { volume: number }[], period: number): number | null {
  const ratio = new VolumeRatio(period);
  for (const b of bars) ratio.add(b.volume);
  return ratio.value;
}

export function highLowOf(bars: readonly HlBar[], period: number): HighLowValue | null {
  const hl = new HighLow(period);
  for (const b of bars) hl.add(b);
  return hl.value;
}

export function gapOf(bars: readonly OcBar[]): number | null {
  const gap = new Gap();
  for (const b of bars) gap.add(b);
  return gap.value;
}
