import { describe, expect, it } from 'vitest';
import { krw, shares } from '../../../../src/domain/index.js';
import type { DailyBar, Quote } from '../../../../src/domain/index.js';
import { BUILT_IN_STRATEGIES } from '../../../../src/signals/index.js';
import { breakoutAtr } from '../../../../src/signals/strategies/breakout-atr.js';
import type { BreakoutAtrParams } from '../../../../src/signals/strategies/breakout-atr.js';
import { bars } from '../builders.js';
import { expectOwnKeysOnly, held, ranged, rejectedPaths, snapshot } from './snapshot.js';

const defaults = breakoutAtr.params.parse({});

// 20 days closing at 10,000 with highs 10,100 and lows 9,900: every true range is 200, so the
// ATR is 200 and the channel top 10,100; 100,000 shares a day. The default quote (12:15, half the
// session) has 150,000 shares traded: 300,000 projected, 300 % of the average.
const channel = ranged(bars(Array<number>(20).fill(10_000)), 100);

function entry(q: Partial<Quote>, b: DailyBar[] = channel, p: BreakoutAtrParams = defaults) {
  return breakoutAtr.entry(snapshot({ quote: q, bars: b }), p);
}

function exit(q: Partial<Quote>, b: DailyBar[] = channel, p: BreakoutAtrParams = defaults) {
  return breakoutAtr.exit!({ ...snapshot({ quote: q, bars: b }), position: held() }, p);
}

/** `b` with the bar `back` days before the last one (0 = the last) changed. */
function withBar(b: DailyBar[], back: number, over: Partial<DailyBar>): DailyBar[] {
  return b.map((bar, i) => (i === b.length - 1 - back ? { ...bar, ...over } : bar));
}

describe('breakout-atr entry: every rule path', () => {
  const cases: { name: string; q: Partial<Quote>; b?: DailyBar[]; rule: string }[] = [
    { name: 'half an ATR past the 20-day high on 3× volume', q: { price: krw(10_200) }, rule: 'breakout-atr' },
    { name: 'exactly 1.5 ATR past the high', q: { price: krw(10_400) }, rule: 'breakout-atr' },
    { name: 'fewer bars than barsNeeded', q: { price: krw(10_200) }, b: channel.slice(1), rule: 'insufficient-history' },
    { name: 'no range in the window (ATR 0)', q: { price: krw(10_200) }, b: bars(Array<number>(20).fill(10_000)), rule: 'insufficient-history' },
    { name: 'no volume in the window', q: { price: krw(10_200) }, b: ranged(bars(Array<number>(20).fill(10_000), 0), 100), rule: 'insufficient-history' },
    { name: 'at the high is not above it', q: { price: krw(10_100) }, rule: 'no-breakout' },
    { name: 'below an earlier, higher high', q: { price: krw(10_200) }, b: withBar(channel, 12, { high: krw(10_300) }), rule: 'no-breakout' },
    { name: 'at the upper limit', q: { price: krw(10_200), upperLimit: krw(10_200) }, rule: 'at-upper-limit' },
    { name: '2 ATR past the high', q: { price: krw(10_500) }, rule: 'extended' },
    // 70,000 shares by 12:15: 140,000 projected, 140 %
    { name: 'volume below 1.5× the average', q: { price: krw(10_200), volume: shares(70_000) }, rule: 'volume-ratio-below-min' },
  ];

  it.each(cases)('$name → $rule', ({ q, b, rule }) => {
    const signal = entry(q, b);
    expect(signal.rule).toBe(rule);
    expect(signal.fire).toBe(rule === 'breakout-atr');
  });
});

describe('breakout-atr entry: values', () => {
  it('reports every value it decided on, whichever rule decided', () => {
    const fired = entry({ price: krw(10_200) });
    expect(fired.values).toEqual({
      breakoutLevel: 10_100, breakoutAtr: 200, extensionAtr: 0.5, avgVolume: 100_000, sessionElapsedPct: 50,
      volumeDivisorPct: 50, projectedVolume: 300_000, volumeRatioPct: 300, atUpperLimit: false, barsUsed: 20,
      breakoutDays: 20, atrPeriod: 14, maxExtensionAtr: 1.5, minVolumeRatioPct: 150,
    });
    const refused = entry({ price: krw(10_000) });
    expect(refused.values).toMatchObject({ breakoutLevel: 10_100, extensionAtr: -0.5, volumeRatioPct: 300 });
    expectOwnKeysOnly(fired.values);
  });

  it('reports null for what it cannot compute without enough bars', () => {
    expect(entry({ price: krw(10_200) }, channel.slice(-10)).values).toMatchObject({
      breakoutLevel: null, breakoutAtr: null, extensionAtr: null, avgVolume: null, volumeRatioPct: null, barsUsed: 10,
    });
  });

  it('reads only the last breakoutDays bars for the channel', () => {
    const older = [...ranged(bars([20_000], 100_000, '20260201'), 100), ...channel];
    const signal = entry({ price: krw(10_200) }, older);
    expect(signal.rule).toBe('breakout-atr');
    expect(signal.values.breakoutLevel).toBe(10_100);
    const longer = breakoutAtr.params.parse({ breakoutDays: 21 });
    expect(entry({ price: krw(10_200) }, older, longer)).toMatchObject({ rule: 'no-breakout', values: { breakoutLevel: 20_100 } });
  });

  it('reads its own thresholds', () => {
    expect(entry({ price: krw(10_500) }, channel, breakoutAtr.params.parse({ maxExtensionAtr: 2 })).rule).toBe('breakout-atr');
    const volume = breakoutAtr.params.parse({ minVolumeRatio: 3.5 });
    expect(entry({ price: krw(10_200) }, channel, volume).rule).toBe('volume-ratio-below-min');
  });
});

describe('breakout-atr exit', () => {
  it.each([
    { name: 'below the 10-day low', price: 9_890, rule: 'channel-exit', fire: true },
    { name: 'at the 10-day low', price: 9_900, rule: 'hold', fire: false },
  ])('$name → $rule', ({ price, rule, fire }) => {
    const signal = exit({ price: krw(price) });
    expect(signal).toEqual({ rule, fire, values: { channelLow: 9_900, exitDays: 10 } });
  });

  it('reads only the last exitDays bars', () => {
    const dip = withBar(channel, 10, { low: krw(9_000) });
    expect(exit({ price: krw(9_800) }, dip).rule).toBe('channel-exit');
    expect(exit({ price: krw(9_800) }, dip, breakoutAtr.params.parse({ exitDays: 11 }))).toMatchObject({
      rule: 'hold', values: { channelLow: 9_000 },
    });
  });

  it('holds without enough bars to judge', () => {
    expect(exit({ price: krw(9_000) }, channel.slice(-9))).toMatchObject({ rule: 'insufficient-history', fire: false });
  });
});

describe('breakout-atr params', () => {
  it('has the documented defaults and is registered', () => {
    expect(defaults).toEqual({
      breakoutDays: 20, minVolumeRatioPct: 150, maxExtensionAtr: 1.5, atrPeriod: 14, exitDays: 10, minSessionFractionPct: 25,
    });
    expect(breakoutAtr.barsNeeded(defaults)).toBe(20);
    expect(breakoutAtr.barsNeeded(breakoutAtr.params.parse({ breakoutDays: 10, atrPeriod: 20 }))).toBe(21);
    expect(breakoutAtr.barsNeeded(breakoutAtr.params.parse({ exitDays: 30 }))).toBe(30);
    expect(BUILT_IN_STRATEGIES.get('breakout-atr')).toBe(breakoutAtr);
  });

  it.each([
    [{ breakoutDays: 4 }, ['breakoutDays']],
    [{ breakoutDays: 101 }, ['breakoutDays']],
    [{ minVolumeRatio: 0 }, ['minVolumeRatio']],
    [{ maxExtensionAtr: -1 }, ['maxExtensionAtr']],
    [{ atrPeriod: 1 }, ['atrPeriod']],
    [{ exitDays: '10' }, ['exitDays']],
    [{ trailAtrMultiple: 2 }, []],
  ])('refuses %j at its path', (input, path) => {
    expect(rejectedPaths(breakoutAtr.params, input)).toEqual([path]);
  });
});
