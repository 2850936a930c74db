import { krw } from '../domain/index.js';
import type { Krw } from '../domain/index.js';
import { roundToTick } from '../market/index.js';
import type { DayPlan } from './daily-plan.js';
import { STREAM, normal, uniform } from './hash-random.js';
import type { SimSymbol } from './universe.js';

/**
 * One symbol's day on a one-minute grid: step k is the minute starting at open + k min, for
 * the continuous session only (k < steps). The closing call auction prints the planned close
 * with `auctionVolume` at the close. The path is a Brownian bridge in log price from the open to
 * the close, around a drift profile that is linear on normal days and a steep ramp on
 * surge/slump days, so momentum and volume surges appear at different times of the day.
 * Every price is on the tick grid and inside the day's limits.
 */
export interface IntradayPath {
  steps: number;
  prices: Float64Array;
  /** shares traded in each step */
  volumes: Float64Array;
  cumVolume: Float64Array;
  cumValue: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Krw;
  auctionVolume: number;
  /** whole-day totals, auction included */
  dayVolume: number;
  dayValue: number;
  dayHigh: Krw;
  dayLow: Krw;
}

function smoothstep(x: number): number {
  const c = Math.min(1, Math.max(0, x));
  return c * c * (3 - 2 * c);
}

const AUCTION_SHARE = 0.05;

export function buildIntradayPath(seed: number, sym: SimSymbol, plan: DayPlan, steps: number): IntradayPath {
  const n = Math.max(1, steps);
  const si = sym.index;
  const dn = plan.dayNo;
  // the bridge: W_k, then B_k = W_k − (k/n)·W_n pins both ends
  const w = new Float64Array(n + 1);
  for (let k = 1; k <= n; k++) w[k] = (w[k - 1] ?? 0) + normal(seed, si, dn, STREAM.intraday, k);
  const wn = w[n] ?? 0;
  const sigma = (sym.dailySigma * 0.9) / Math.sqrt(n);
  const lo = Math.log(plan.open);
  const lc = Math.log(plan.close);
  const trend = plan.regime !== 'normal';
  const profile = (x: number) => (trend ? smoothstep((x - plan.rampStart) / plan.rampLength) : x);

  const prices = new Float64Array(n);
  const weights = new Float64Array(n);
  let weightSum = 0;
  for (let k = 0; k < n; k++) {
    const x = k / n;
    const logP = lo + (lc - lo) * profile(x) + sigma * ((w[k] ?? 0) - x * wn);
    const p = k === 0 ? plan.open : roundToTick(Math.exp(logP), 'nearest');
    prices[k] = Math.min(plan.upper, Math.max(plan.lower, p));
    // U-shaped volume over the day, with a burst while a trend day is moving
    const uShape = 1 + 1.8 * Math.exp(-k / 12) + 1.2 * Math.exp(-(n - k) / 15);
    const inRamp = trend && x >= plan.rampStart && x <= plan.rampStart + plan.rampLength;
    const burst = inRamp ? 8 : 1;
    const wk = uShape * burst * Math.exp(0.5 * normal(seed, si, dn, STREAM.minuteVolume, k));
    weights[k] = wk;
    weightSum += wk;
  }

  const continuousVolume = plan.dayVolume * (1 - AUCTION_SHARE);
  const volumes = new Float64Array(n);
  const cumVolume = new Float64Array(n);
  const cumValue = new Float64Array(n);
  const high = new Float64Array(n);
  const low = new Float64Array(n);
  let cv = 0;
  let cval = 0;
  let hi = 0;
  let lw = Number.MAX_SAFE_INTEGER;
  for (let k = 0; k < n; k++) {
    // at least a trade a minute, so a price change always comes with volume
    const v = Math.max(1, Math.floor((continuousVolume * (weights[k] ?? 0)) / weightSum));
    const p = prices[k] ?? plan.open;
    volumes[k] = v;
    cv += v;
    cval += v * p;
    hi = Math.max(hi, p);
    lw = Math.min(lw, p);
    cumVolume[k] = cv;
    cumValue[k] = cval;
    high[k] = hi;
    low[k] = lw;
  }
  const auctionVolume = Math.max(1, Math.round(plan.dayVolume * AUCTION_SHARE * (0.6 + 0.8 * uniform(seed, si, dn, STREAM.minuteVolume, -1))));
  return {
    steps: n,
    prices,
    volumes,
    cumVolume,
    cumValue,
    high,
    low,
    close: plan.close,
    auctionVolume,
    dayVolume: cv + auctionVolume,
    dayValue: cval + auctionVolume * plan.close,
    dayHigh: krw(Math.max(hi, plan.close)),
    dayLow: krw(Math.min(lw, plan.close)),
  };
}
