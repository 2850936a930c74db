import { describe, expect, it } from 'vitest';
import { krw, kstInstant, shares } from '../../../../src/domain/index.js';
import type { DailyBar, Quote } from '../../../../src/domain/index.js';
import { BUILT_IN_STRATEGIES } from '../../../../src/signals/index.js';
import type { ScanFields, SessionWindow } from '../../../../src/signals/index.js';
import { gapAndGo } from '../../../../src/signals/strategies/gap-and-go.js';
import type { GapAndGoParams } from '../../../../src/signals/strategies/gap-and-go.js';
import { TODAY, bars } from '../builders.js';
import { YESTERDAY, expectOwnKeysOnly, held, rejectedPaths, scanRow, snapshot } from './snapshot.js';

const defaults = gapAndGo.params.parse({});
const at = (hhmmss: string) => kstInstant(TODAY, hhmmss);

// 20 days of 100,000 shares. At 09:15 a quarter of an hour of the session has passed, under the
// 25 % floor of the projection: 60,000 shares project to 240,000, 240 % of the average. The stock
// opened at 10,300 on a base price of 10,000 (a 3 % gap) and trades at 10,400.
const history = bars(Array<number>(20).fill(10_000));
const opening: Partial<Quote> = { at: at('091500'), open: krw(10_300), price: krw(10_400), volume: shares(60_000) };

function entry(
  q: Partial<Quote> = {},
  o: { bars?: DailyBar[]; scan?: ScanFields | null; session?: SessionWindow; p?: GapAndGoParams } = {},
) {
  const scan = o.scan === undefined ? scanRow({ rank: 5 }) : o.scan;
  const base = { quote: { ...opening, ...q }, bars: o.bars ?? history, scan };
  return gapAndGo.entry(snapshot(o.session ? { ...base, session: o.session } : base), o.p ?? defaults);
}

describe('gap-and-go entry: every rule path', () => {
  const cases: { name: string; q?: Partial<Quote>; o?: Parameters<typeof entry>[1]; rule: string }[] = [
    { name: 'a 3 % gap holding above the open at 09:15 on volume', rule: 'gap-and-go' },
    { name: 'at 09:30:00, the last second of the window', q: { at: at('093000') }, rule: 'gap-and-go' },
    { name: 'price at the open holds', q: { price: krw(10_300) }, rule: 'gap-and-go' },
    { name: 'from the watch list (no scan row)', o: { scan: null }, rule: 'gap-and-go' },
    { name: 'from the scan without a rank', o: { scan: scanRow({ rank: null }) }, rule: 'gap-and-go' },
    { name: 'fewer bars than volumeDays', o: { bars: history.slice(1) }, rule: 'insufficient-history' },
    { name: 'no volume in the window', o: { bars: bars(Array<number>(20).fill(10_000), 0) }, rule: 'insufficient-history' },
    { name: 'no base price and no bars', q: { basePrice: krw(0) }, o: { bars: [] }, rule: 'insufficient-history' },
    { name: 'after the window', q: { at: at('093001') }, rule: 'outside-window' },
    { name: 'before the open', q: { at: at('085900') }, rule: 'outside-window' },
    { name: 'before a late open (10:00 session)', o: { session: { openSecond: 36_000, closeSecond: 55_800 } }, rule: 'outside-window' },
    { name: 'no trade yet (open 0)', q: { open: krw(0) }, rule: 'no-open' },
    { name: 'a 1 % gap', q: { open: krw(10_100), price: krw(10_150) }, rule: 'gap-too-small' },
    { name: 'a gap down', q: { open: krw(9_800), price: krw(9_900) }, rule: 'gap-too-small' },
    { name: 'an 11 % gap', q: { open: krw(11_100), price: krw(11_200) }, rule: 'gap-too-large' },
    { name: 'price back below the open', q: { price: krw(10_250) }, rule: 'below-open' },
    { name: 'at the upper limit', q: { upperLimit: krw(10_400) }, rule: 'at-upper-limit' },
    { name: 'ranked 21st', o: { scan: scanRow({ rank: 21 }) }, rule: 'rank-too-low' },
    // 30,000 shares: 120,000 projected, 120 %
    { name: 'volume below 1.5× the average', q: { volume: shares(30_000) }, rule: 'volume-ratio-below-min' },
  ];

  it.each(cases)('$name → $rule', ({ q, o, rule }) => {
    const signal = entry(q, o);
    expect(signal.rule).toBe(rule);
    expect(signal.fire).toBe(rule === 'gap-and-go');
  });
});

describe('gap-and-go entry: values', () => {
  it('reports every value it decided on, whichever rule decided', () => {
    const fired = entry();
    expect(fired.values).toEqual({
      prevClose: 10_000, todayOpen: 10_300, gapBp: 300, minutesSinceOpen: 15, avgVolume: 100_000,
      sessionElapsedPct: (900 / 23_400) * 100, volumeDivisorPct: 25, projectedVolume: 240_000, volumeRatioPct: 240,
      atUpperLimit: false, scanRank: 5, barsUsed: 20, minGapBp: 200, maxGapBp: 1000, windowMinutes: 30,
      minVolumeRatioPct: 150, maxRank: 20,
    });
    const refused = entry({ at: at('100000') });
    expect(refused.values).toMatchObject({ minutesSinceOpen: 60, gapBp: 300, volumeRatioPct: 240 });
    expectOwnKeysOnly(fired.values);
  });

  it('measures the gap from the base price, falling back to the last close', () => {
    expect(entry({ basePrice: krw(10_100) }).values.gapBp).toBeCloseTo((200 * 10_000) / 10_100, 9);
    const noBase = entry({ basePrice: krw(0) }, { bars: bars([...Array<number>(19).fill(10_000), 9_900]) });
    expect(noBase.values).toMatchObject({ prevClose: 9_900, gapBp: (400 * 10_000) / 9_900 });
  });

  it('counts the window from the session it is given', () => {
    const late: SessionWindow = { openSecond: 36_000, closeSecond: 55_800 };
    const signal = entry({ at: at('101000') }, { session: late });
    expect(signal.rule).toBe('gap-and-go');
    expect(signal.values.minutesSinceOpen).toBe(10);
  });

  it('reads its own thresholds', () => {
    const p = (over: Record<string, unknown>) => gapAndGo.params.parse(over);
    expect(entry({ at: at('094500') }, { p: p({ windowMinutes: 45 }) }).rule).toBe('gap-and-go');
    expect(entry({}, { p: p({ minGapPct: 3.5 }) }).rule).toBe('gap-too-small');
    expect(entry({}, { p: p({ maxGapPct: 2.5 }) }).rule).toBe('gap-too-large');
    expect(entry({}, { scan: scanRow({ rank: 21 }), p: p({ maxRank: 21 }) }).rule).toBe('gap-and-go');
    expect(entry({}, { p: p({ minVolumeRatio: 2.5 }) }).rule).toBe('volume-ratio-below-min');
  });
});

describe('gap-and-go exit', () => {
  const exit = (q: Partial<Quote>, openedDate = TODAY) =>
    gapAndGo.exit!({ ...snapshot({ quote: { ...opening, ...q }, bars: history }), position: held({ openedDate, daysHeld: 0 }) }, defaults);

  it.each([
    { name: 'below the open on the entry day', q: { price: krw(10_290) }, openedDate: TODAY, rule: 'gap-fill', fire: true },
    { name: 'at the open on the entry day', q: { price: krw(10_300) }, openedDate: TODAY, rule: 'hold', fire: false },
    { name: 'below today\'s open a day later', q: { price: krw(10_290) }, openedDate: YESTERDAY, rule: 'not-entry-day', fire: false },
    { name: 'no open yet', q: { open: krw(0), price: krw(10_290) }, openedDate: TODAY, rule: 'hold', fire: false },
  ])('$name → $rule', ({ q, openedDate, rule, fire }) => {
    const signal = exit(q, openedDate);
    expect(signal).toEqual({ rule, fire, values: { todayOpen: q.open ?? 10_300, gapFillApplies: openedDate === TODAY } });
    expectOwnKeysOnly(signal.values);
  });
});

describe('gap-and-go params', () => {
  it('has the documented defaults and is registered', () => {
    expect(defaults).toEqual({
      minGapBp: 200, maxGapBp: 1000, windowMinutes: 30, minVolumeRatioPct: 150, volumeDays: 20, maxRank: 20,
      minSessionFractionPct: 25,
    });
    expect(gapAndGo.barsNeeded(defaults)).toBe(20);
    expect(gapAndGo.barsNeeded(gapAndGo.params.parse({ volumeDays: 60 }))).toBe(60);
    expect(BUILT_IN_STRATEGIES.get('gap-and-go')).toBe(gapAndGo);
  });

  it.each([
    [{ minGapPct: -1 }, ['minGapPct']],
    [{ maxGapPct: 31 }, ['maxGapPct']],
    [{ minGapPct: 5, maxGapPct: 5 }, ['minGapPct']],
    [{ windowMinutes: 0 }, ['windowMinutes']],
    [{ maxRank: 31 }, ['maxRank']],
    [{ volumeDays: 4 }, ['volumeDays']],
    [{ minVolumeRatio: null }, ['minVolumeRatio']],
    [{ gapPct: 3 }, []],
  ])('refuses %j at its path', (input, path) => {
    expect(rejectedPaths(gapAndGo.params, input)).toEqual([path]);
  });
});
