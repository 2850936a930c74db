/**
 * Our own indicators (src/signals/indicators.ts) against trading-signals 8 on the same
 * deterministic series. signals/ may import no packages, so the library is only a dev dependency:
 * the reference these tests hold our arithmetic to.
 *
 * Tolerance: |ours − theirs| ≤ REL × max(|ours|, |theirs|, scale), REL = 1e-9. trading-signals 8
 * computes in plain floats (no Big.js), as we do, but sums in a different order (it re-adds the
 * window, our SMA keeps a running sum), so results agree to rounding, not bit for bit. `scale` is
 * the magnitude of the series (the price level for MACD, 1 for percentages) so that values that
 * cross zero are not held to a relative tolerance around zero.
 *
 * Intended differences, each tested below: EMA and MACD seeding (ours SMA-seeded, theirs from the
 * first value; compared after they converge, and the decay of the gap is checked), RSI on a flat
 * series (50, theirs 100), and units (rate of change, volume ratio and gap in percent, theirs as
 * fractions).
 */
import { describe, expect, it } from 'vitest';
import {
  ATR, BollingerBands as TsBollinger, DonchianChannels, EMA, MACD, ROC, RSI, RVOL, SMA,
} from 'trading-signals';
import {
  Atr, BollingerBands, Ema, Gap, HighLow, Macd, RateOfChange, Rsi, Sma, VolumeRatio,
} from '../../../src/signals/index.js';
import { roundToTick } from '../../../src/market/index.js';
import { seededRandom } from '../../helpers/synthetic-bars.js';

const REL = 1e-9;

function near(ours: number, theirs: number, scale = 0): boolean {
  return Math.abs(ours - theirs) <= REL * Math.max(Math.abs(ours), Math.abs(theirs), scale);
}

/** Fails with the first index where the two differ beyond the tolerance. */
function expectSame(ours: readonly (number | null)[], theirs: readonly (number | null)[], scale = 0): void {
  expect(ours.length).toBe(theirs.length);
  for (let i = 0; i < ours.length; i += 1) {
    const a = ours[i] ?? null;
    const b = theirs[i] ?? null;
    if (a === null || b === null) {
      expect({ i, ours: a }).toEqual({ i, ours: b });
    } else if (!near(a, b, scale)) {
      expect({ i, ours: a }).toEqual({ i, ours: b });
    }
  }
}

function normal(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

interface Bar { open: number; high: number; low: number; close: number; volume: number }

/** A plain random walk in floats: log returns N(0, 2 %), small opening gaps, lognormal volume. */
function randomWalk(n: number, seed: number): Bar[] {
  const rand = seededRandom(seed);
  const bars: Bar[] = [];
  let close = 100;
  for (let i = 0; i < n; i += 1) {
    const open = close * Math.exp(0.005 * normal(rand));
    close = open * Math.exp(0.02 * normal(rand));
    const high = Math.max(open, close) * (1 + 0.01 * rand());
    const low = Math.min(open, close) * (1 - 0.01 * rand());
    bars.push({ open, high, low, close, volume: Math.exp(12 + 0.5 * normal(rand)) });
  }
  return bars;
}

/** Nearest price on the KRX tick grid (src/market/tick.ts). */
function onGrid(price: number): number {
  return roundToTick(price, 'nearest');
}

/**
 * A real-looking daily series: integer won prices on the tick grid around 50,000, opening gaps,
 * unchanged days, one +30 % limit-up day, integer volumes with spikes, and a 30-day suspension
 * (no volume, no movement) which exercises zero true ranges, the RSI after a long flat stretch
 * and a volume baseline of 0.
 */
function krxLike(n: number, seed: number): Bar[] {
  const rand = seededRandom(seed);
  const bars: Bar[] = [];
  let close = 50000;
  for (let i = 0; i < n; i += 1) {
    if (i >= 300 && i < 330) {
      bars.push({ open: close, high: close, low: close, close, volume: 0 });
      continue;
    }
    const prev = close;
    const open = onGrid(prev * (1 + 0.01 * normal(rand)));
    if (i === 200) close = roundToTick(prev * 1.3, 'down'); // about the upper limit, +30 % (REFERENCE §11.2)
    else if (rand() < 0.1) close = prev;
    else close = onGrid(open * (1 + 0.025 * normal(rand)));
    const high = onGrid(Math.max(open, close) * (1 + 0.012 * rand()));
    const low = onGrid(Math.min(open, close) * (1 - 0.012 * rand()));
    const spike = rand() < 0.05 ? 5 : 1;
    bars.push({ open, high: Math.max(high, open, close), low: Math.min(low, open, close), close, volume: Math.round(spike * Math.exp(13 + 0.6 * normal(rand))) });
  }
  return bars;
}

const SERIES: [string, Bar[], number][] = [
  ['random walk', randomWalk(1500, 20261206), 100],
  ['KRX-like', krxLike(1500, 7), 50000],
];

function run<I, O>(inputs: readonly I[], add: (input: I) => O | null): (O | null)[] {
  return inputs.map((input) => add(input) ?? null);
}

describe.each(SERIES)('indicators vs trading-signals 8 on a %s series', (_name, bars, scale) => {
  const closes = bars.map((b) => b.close);

  it.each([1, 5, 20, 60])('SMA(%i) is the same', (period) => {
    const ours = new Sma(period);
    const theirs = new SMA(period);
    expectSame(run(closes, (c) => ours.add(c)), run(closes, (c) => theirs.add(c)));
  });

  it.each([3, 12, 26])('EMA(%i) differs only by its seed, and the difference decays by (1 − k) a value', (period) => {
    const ema = new Ema(period);
    const lib = new EMA(period);
    const a = run(closes, (c) => ema.add(c));
    const b = run(closes, (c) => { lib.add(c); return lib.isStable ? lib.getResultOrThrow() : null; });
    // both report from the period-th value on
    expect(a.findIndex((v) => v !== null)).toBe(period - 1);
    expect(b.findIndex((v) => v !== null)).toBe(period - 1);
    // ours starts at the SMA of the first `period` values
    expect(a[period - 1]).toBeCloseTo(closes.slice(0, period).reduce((s, c) => s + c, 0) / period, 9);
    const k = 2 / (period + 1);
    for (let i = period; i < closes.length; i += 1) {
      const diff = a[i]! - b[i]!;
      const expected = (1 - k) * (a[i - 1]! - b[i - 1]!);
      expect(Math.abs(diff - expected)).toBeLessThanOrEqual(REL * scale);
    }
    // after 40 periods the seeds no longer matter
    const from = 40 * period;
    expectSame(a.slice(from), b.slice(from));
  });

  it.each([2, 14])('RSI(%i) (Wilder) is the same', (period) => {
    const ours = new Rsi(period);
    const theirs = new RSI(period);
    expectSame(run(closes, (c) => ours.add(c)), run(closes, (c) => theirs.add(c)), 1);
  });

  it.each([1, 14])('ATR(%i) (Wilder, first true range high − low) is the same', (period) => {
    const ours = new Atr(period);
    const theirs = new ATR(period);
    expectSame(run(bars, (b) => ours.add(b)), run(bars, (b) => theirs.add(b)));
  });

  it.each([[20, 2], [10, 1.5]])('Bollinger(%i, %f) (population deviation) is the same', (period, multiplier) => {
    const ours = new BollingerBands(period, multiplier);
    const theirs = new TsBollinger(period, multiplier);
    const a = run(closes, (c) => ours.add(c));
    const b = run(closes, (c) => theirs.add(c));
    for (const key of ['upper', 'middle', 'lower'] as const) {
      expectSame(a.map((v) => v?.[key] ?? null), b.map((v) => v?.[key] ?? null));
    }
  });

  it('MACD(12, 26, 9) differs only by its EMA seeds and converges', () => {
    const ours = new Macd(12, 26, 9);
    const theirs = new MACD(new EMA(12), new EMA(26), new EMA(9));
    const a = run(closes, (c) => ours.add(c));
    const b = run(closes, (c) => theirs.add(c));
    // theirs reports from the slow-th value; ours once its SMA-seeded signal line exists
    expect(b.findIndex((v) => v !== null)).toBe(25);
    expect(a.findIndex((v) => v !== null)).toBe(25 + 8);
    // the slowest seed error decays by 25/27 a value: gone (below 1e-9 of the price) after 500
    const from = 500;
    for (const key of ['macd', 'signal', 'histogram'] as const) {
      expectSame(a.slice(from).map((v) => v?.[key] ?? null), b.slice(from).map((v) => v?.[key] ?? null), scale);
    }
  });

  it.each([1, 10, 20])('rate of change(%i) is the library ROC in percent', (period) => {
    const ours = new RateOfChange(period);
    const theirs = new ROC(period);
    expectSame(run(closes, (c) => ours.add(c)), run(closes, (c) => { const r = theirs.add(c); return r === null ? null : r * 100; }), 1);
  });

  it.each([5, 20])('volume ratio(%i) is the library RVOL in percent', (period) => {
    const ours = new VolumeRatio(period);
    const theirs = new RVOL(period);
    const a = run(bars, (b) => ours.add(b.volume));
    const b = run(bars, (bar) => { const r = theirs.add(bar.volume); return r === null ? null : r * 100; });
    expectSame(a, b, 1);
  });

  it.each([1, 20, 55])('N-day high/low(%i) is the Donchian channel upper/lower', (period) => {
    const ours = new HighLow(period);
    const theirs = new DonchianChannels(period);
    const a = run(bars, (b) => ours.add(b));
    const b = run(bars, (bar) => theirs.add(bar));
    // max and min pick an input, so these are exact
    expect(a.map((v) => v?.high ?? null)).toEqual(b.map((v) => v?.upper ?? null));
    expect(a.map((v) => v?.low ?? null)).toEqual(b.map((v) => v?.lower ?? null));
  });

  it('gap is the library one-period ROC from the previous close to the open, in percent', () => {
    const ours = new Gap();
    const theirs = new ROC(1);
    const a = run(bars, (b) => ours.add(b));
    // feed open, close, open, close…: the ROC right after an open is that bar's gap
    const b = bars.map((bar) => {
      const r = theirs.add(bar.open);
      theirs.add(bar.close);
      return r === null ? null : r * 100;
    });
    expectSame(a, b, 1);
  });
});

describe('where our definitions differ on purpose', () => {
  it('RSI of a flat series is 50 here, 100 in trading-signals', () => {
    const flat = [5000, 5000, 5000, 5000, 5000];
    const ours = new Rsi(3);
    const theirs = new RSI(3);
    for (const c of flat) { ours.add(c); theirs.add(c); }
    expect(ours.value).toBe(50);
    expect(theirs.getResult()).toBe(100);
  });

  it('the volume ratio is null while the baseline is 0, as RVOL', () => {
    const ours = new VolumeRatio(2);
    const theirs = new RVOL(2);
    for (const v of [0, 0, 100]) { ours.add(v); theirs.add(v); }
    expect(ours.value).toBeNull();
    expect(theirs.getResult()).toBeNull();
  });
});
