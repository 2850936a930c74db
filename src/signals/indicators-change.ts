import { checkPeriod, Sma } from './indicators.js';

/**
 * Change and range indicators over completed bars: rate of change, volume ratio, N-day high/low
 * and the opening gap. Same conventions as indicators.ts (plain numbers, `add()` oldest first,
 * null until warmed up); percentages here are percent, as the strategy's `…Pct` settings are.
 */

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
