import { describe, expect, it } from 'vitest';
import { krw } from '../../../../src/domain/index.js';
import type { DailyBar, Quote } from '../../../../src/domain/index.js';
import { BUILT_IN_STRATEGIES } from '../../../../src/signals/index.js';
import { rsi2MeanReversion } from '../../../../src/signals/strategies/rsi2-mean-reversion.js';
import type { Rsi2MeanReversionParams } from '../../../../src/signals/strategies/rsi2-mean-reversion.js';
import { bars } from '../builders.js';
import { expectOwnKeysOnly, held, rejectedPaths, snapshot } from './snapshot.js';

const defaults = rsi2MeanReversion.params.parse({});
const params = (over: Partial<Rsi2MeanReversionParams> = {}) => rsi2MeanReversion.params.parse({ ...defaults, ...over });

// 100 closes rising by 50 a day, 5,000 → 9,950: the 100-day average is 7,475, the 5-day one 9,850.
// Every change is +50, so Wilder's RSI(2) has an average gain of 50 and no loss. Today's price p
// adds one change c = p − 9,950; the averages become (50 + max(c, 0)) / 2 and max(−c, 0) / 2.
const uptrend = (volume: number) => bars(Array.from({ length: 100 }, (_, i) => 5_000 + 50 * i), volume);
// 2,000,000 shares a day at 9,000–9,950: an average traded value of 18,950,000,000 over 20 days.
const liquid = uptrend(2_000_000);

// The uptrend up to 9,700, flat three days, a spike to 11,000 and back to 10,600: at 10,300 today
// RSI(2) is about 39.5 (the spike's gain decays, the last two changes are losses), yet the price is
// above the 5-day average of 10,140 that the strategy's own exit sells above.
const spikeAndFade = bars([...Array.from({ length: 95 }, (_, i) => 5_000 + 50 * i), 9_700, 9_700, 9_700, 11_000, 10_600], 2_000_000);

function entry(q: Partial<Quote>, b: DailyBar[] = liquid, p = defaults) {
  return rsi2MeanReversion.entry(snapshot({ quote: q, bars: b }), p);
}

function exit(q: Partial<Quote>, b: DailyBar[] = liquid, p = defaults) {
  return rsi2MeanReversion.exit!({ ...snapshot({ quote: q, bars: b }), position: held() }, p);
}

describe('rsi2-mean-reversion entry: every rule path', () => {
  const cases: { name: string; q: Partial<Quote>; b?: DailyBar[]; p?: Partial<Rsi2MeanReversionParams>; rule: string }[] = [
    // a drop of 950: gain 25, loss 475, RSI = 100 − 100 / (1 + 25/475) = 5
    { name: 'oversold in an uptrend, liquid', q: { price: krw(9_000) }, rule: 'rsi2-mean-reversion' },
    { name: 'fewer bars than barsNeeded', q: { price: krw(9_000) }, b: liquid.slice(1), rule: 'insufficient-history' },
    { name: 'at the upper limit', q: { price: krw(9_000), upperLimit: krw(9_000) }, rule: 'at-upper-limit' },
    // 500,000 shares a day: 4,737,500,000 average traded value
    { name: 'average traded value below the minimum', q: { price: krw(9_000) }, b: uptrend(500_000), rule: 'illiquid' },
    { name: 'price below the trend average', q: { price: krw(7_000) }, rule: 'below-trend' },
    { name: 'price equal to the trend average', q: { price: krw(7_475) }, rule: 'below-trend' },
    // a drop of 350: gain 25, loss 175, RSI 12.5
    { name: 'RSI 12.5 is not below 10', q: { price: krw(9_600) }, rule: 'rsi-not-oversold' },
    { name: 'RSI 12.5 is below a threshold of 13', q: { price: krw(9_600) }, p: { entryRsiBelow: 13 }, rule: 'rsi2-mean-reversion' },
    { name: 'oversold by a loose threshold but above the exit average', q: { price: krw(10_300) }, b: spikeAndFade, p: { entryRsiBelow: 40 }, rule: 'above-exit-sma' },
    { name: 'the same below the exit average', q: { price: krw(10_100) }, b: spikeAndFade, p: { entryRsiBelow: 40 }, rule: 'rsi2-mean-reversion' },
    { name: 'a lower liquidity floor admits the thin stock', q: { price: krw(9_000) }, b: uptrend(500_000), p: { minAvgTradedValue: 4_000_000_000 }, rule: 'rsi2-mean-reversion' },
  ];

  it.each(cases)('$name → $rule', ({ q, b, p, rule }) => {
    const signal = entry(q, b, params(p));
    expect(signal.rule).toBe(rule);
    expect(signal.fire).toBe(rule === 'rsi2-mean-reversion');
  });
});

describe('rsi2-mean-reversion entry and its own exit', () => {
  it('never buys what its own exit would sell at the next check', () => {
    // without the above-exit-sma rule this entry fires, and the exit sells it (sma-exit) a minute later
    const p = params({ entryRsiBelow: 40 });
    const q = { price: krw(10_300) };
    expect(entry(q, spikeAndFade, p).values).toMatchObject({ exitSma: 10_140 });
    expect(entry(q, spikeAndFade, p).values.signalRsi).toBeLessThan(40);
    expect(exit(q, spikeAndFade, p)).toMatchObject({ fire: true, rule: 'sma-exit' });
    expect(entry(q, spikeAndFade, p).fire).toBe(false);
  });
});

describe('rsi2-mean-reversion entry: values', () => {
  it('reports every value it decided on, whichever rule decided', () => {
    const fired = entry({ price: krw(9_000) });
    expect(fired.values.signalRsi).toBeCloseTo(5, 9);
    expect(fired.values).toMatchObject({
      trendSma: 7_475, avgTradedValue: 18_950_000_000, exitSma: 9_850, barsUsed: 100, atUpperLimit: false,
      rsiPeriod: 2, entryRsiBelow: 10, trendDays: 100, minAvgTradedValue: 10_000_000_000, liquidityDays: 20,
    });
    const refused = entry({ price: krw(7_000) });
    expect(Object.keys(refused.values).sort()).toEqual(Object.keys(fired.values).sort());
    expect(refused.values.signalRsi).toBeCloseTo((100 * 25) / 1_500, 9);
    expectOwnKeysOnly(fired.values);
  });

  it('reports null for what it cannot compute without enough bars', () => {
    const { values } = entry({ price: krw(9_000) }, liquid.slice(-50));
    expect(values).toMatchObject({ signalRsi: null, trendSma: null, avgTradedValue: null, exitSma: null, barsUsed: 50 });
  });

  it('reads only the last barsNeeded bars, however many it is given', () => {
    const older = bars(Array.from({ length: 50 }, () => 20_000), 2_000_000, '20251201');
    const more = entry({ price: krw(9_000) }, [...older, ...liquid]);
    expect(more.values).toEqual(entry({ price: krw(9_000) }).values);
    expect(more.rule).toBe('rsi2-mean-reversion');
  });

  it('computes the RSI with the configured period', () => {
    // RSI(3) over +50 steps then −950: gain 100/3, loss 950/3 → 100 − 100 / (1 + 100/950)
    const { values } = entry({ price: krw(9_000) }, liquid, params({ rsiPeriod: 3 }));
    expect(values.signalRsi).toBeCloseTo(100 - 100 / (1 + 100 / 950), 9);
  });
});

describe('rsi2-mean-reversion exit', () => {
  it.each([
    // +50: gain 50, loss 0 → RSI 100
    { name: 'RSI back above 70', price: 10_000, rule: 'rsi-exit', fire: true },
    // −50: gain 25, loss 25 → RSI 50, but 9,900 is above the 5-day average of 9,850
    { name: 'price above the short average', price: 9_900, rule: 'sma-exit', fire: true },
    { name: 'price at the short average', price: 9_850, rule: 'hold', fire: false },
    { name: 'still weak', price: 9_800, rule: 'hold', fire: false },
  ])('$name → $rule', ({ price, rule, fire }) => {
    const signal = exit({ price: krw(price) });
    expect(signal).toMatchObject({ rule, fire });
    expect(signal.values.exitSma).toBe(9_850);
  });

  it('holds without enough bars to judge', () => {
    expect(exit({ price: krw(10_000) }, liquid.slice(-50))).toMatchObject({ rule: 'insufficient-history', fire: false });
  });

  it('reads its own thresholds', () => {
    expect(exit({ price: krw(9_900) }, liquid, params({ exitSmaDays: 2 })).rule).toBe('hold'); // 2-day average 9,925
    expect(exit({ price: krw(9_900) }, liquid, params({ exitRsiAbove: 50 })).rule).toBe('sma-exit'); // RSI 50 is not above 50
    const { values } = exit({ price: krw(10_000) });
    expect(values).toMatchObject({ signalRsi: 100, exitSma: 9_850, exitRsiAbove: 70, exitSmaDays: 5 });
    expectOwnKeysOnly(values);
  });
});

describe('rsi2-mean-reversion params', () => {
  it('has the documented defaults and is registered', () => {
    expect(defaults).toEqual({
      rsiPeriod: 2, entryRsiBelow: 10, trendDays: 100, minAvgTradedValue: 10_000_000_000, liquidityDays: 20,
      exitRsiAbove: 70, exitSmaDays: 5,
    });
    expect(rsi2MeanReversion.barsNeeded(defaults)).toBe(100);
    expect(rsi2MeanReversion.barsNeeded(params({ trendDays: 20 }))).toBe(20);
    expect(rsi2MeanReversion.barsNeeded(params({ trendDays: 20, rsiPeriod: 5 }))).toBe(50);
    expect(BUILT_IN_STRATEGIES.get('rsi2-mean-reversion')).toBe(rsi2MeanReversion);
  });

  it.each([
    [{ trendDays: 200 }, ['trendDays']],
    [{ trendDays: 20.5 }, ['trendDays']],
    [{ rsiPeriod: 1 }, ['rsiPeriod']],
    [{ entryRsiBelow: 0 }, ['entryRsiBelow']],
    [{ minAvgTradedValue: -1 }, ['minAvgTradedValue']],
    [{ exitRsiAbove: 100 }, ['exitRsiAbove']],
    [{ entryRsiBelow: 50, exitRsiAbove: 50 }, ['entryRsiBelow']],
    [{ minTradedValue: 1 }, []],
  ])('refuses %j at its path', (input, path) => {
    expect(rejectedPaths(rsi2MeanReversion.params, input)).toEqual([path]);
  });
});
