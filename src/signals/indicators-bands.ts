import { checkPeriod, Ema } from './indicators.js';

/**
 * Indicators built on the moving averages of indicators.ts: Bollinger bands and MACD. Same
 * conventions (plain numbers, `add()` oldest first, null until warmed up).
 */

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
