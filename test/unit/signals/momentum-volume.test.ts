import { describe, it, expect } from 'vitest';
import { krw, kstDateOf, kstInstant, shares, stockCode, tradingDate } from '../../../src/domain/index.js';
import type { DailyBar, Quote } from '../../../src/domain/index.js';
import { decideEntry, projectDayVolume, REGULAR_SESSION } from '../../../src/signals/index.js';
import { strategyInstance } from '../../helpers/builders.js';
import { SYM, TODAY, bars, quote } from './builders.js';

/** momentum-volume's params as the config file writes them (the defaults but a 5-day lookback) */
type Params = Record<string, unknown>;
const params: Params = { lookbackDays: 5 };

/** the entry decision the signal job makes: the shared checks, then momentum-volume with these params */
function evaluateEntry(input: { symbol: typeof SYM; quote: Quote; bars: DailyBar[]; params: Params }) {
  const strategy = strategyInstance({ params: input.params });
  return decideEntry({
    symbol: input.symbol, today: kstDateOf(input.quote.at), quote: input.quote, bars: input.bars, session: REGULAR_SESSION, scan: null, position: null,
  }, strategy);
}

// Five flat days: MA 10,000, average volume 100,000. The default quote is +500 bp at 12:15 with
// 150,000 shares traded: half the session, so 300,000 projected = 300 % of the average.
const flat = bars([10_000, 10_000, 10_000, 10_000, 10_000]);

describe('momentum-volume entry: every rule path', () => {
  const cases: { name: string; q?: Partial<Quote>; b?: DailyBar[]; p?: Params; rule: string }[] = [
    { name: 'all rules pass', rule: 'momentum-volume' },
    { name: 'zero price is no price, not a −100 % move', q: { price: krw(0) }, rule: 'no-price' },
    { name: 'trading halt', q: { halted: true }, rule: 'halted' },
    { name: 'fewer bars than the lookback', b: flat.slice(1), rule: 'insufficient-history' },
    { name: 'no volume in the whole window', b: bars([10_000, 10_000, 10_000, 10_000, 10_000], 0), rule: 'insufficient-history' },
    { name: 'change below the minimum', q: { price: krw(10_100) }, rule: 'change-below-min' },
    { name: 'change above the maximum', q: { price: krw(11_600) }, rule: 'change-above-max' },
    { name: 'at the upper limit', q: { price: krw(13_000) }, p: { maxChangePct: 30 }, rule: 'at-upper-limit' },
    { name: 'volume ratio below the minimum', q: { volume: shares(90_000) }, rule: 'volume-ratio-below-min' },
    { name: 'price below the moving average', b: bars([12_000, 12_000, 12_000, 11_000, 10_000]), rule: 'below-ma' },
    {
      name: 'below the moving average is fine when not required',
      b: bars([12_000, 12_000, 12_000, 11_000, 10_000]), p: { requireAboveMa: false }, rule: 'momentum-volume',
    },
  ];

  it.each(cases)('$name → $rule', ({ q, b, p, rule }) => {
    const signal = evaluateEntry({ symbol: SYM, quote: quote(q), bars: b ?? flat, params: { ...params, ...p } });
    expect(signal.rule).toBe(rule);
    expect(signal.action).toBe(rule === 'momentum-volume' ? 'enter' : 'none');
  });
});

describe('momentum-volume entry: what failed, in words', () => {
  it.each([
    { q: { price: krw(10_100) }, detail: 'change 1.00 % < 2.00 %' },
    { q: { price: krw(11_600) }, detail: 'change 16.00 % > 15.00 %' },
    { q: { volume: shares(90_000) }, detail: 'projected volume 1.80× < 2× the average' },
  ])('$detail', ({ q, detail }) => {
    expect(evaluateEntry({ symbol: SYM, quote: quote(q), bars: flat, params }).detail).toBe(detail);
  });
  it('has none when it enters', () => {
    expect(evaluateEntry({ symbol: SYM, quote: quote(), bars: flat, params }).detail).toBeNull();
  });
});

describe('momentum-volume entry: values', () => {
  it('reports what it computed from', () => {
    const { values } = evaluateEntry({ symbol: SYM, quote: quote(), bars: flat, params });
    expect(values).toMatchObject({
      strategy: 'momentum-volume', today: '20260312', price: 10_500, prevClose: 10_000, changeBp: 500,
      volume: 150_000, sessionElapsedPct: 50, volumeDivisorPct: 50, projectedVolume: 300_000,
      avgVolume: 100_000, volumeRatioPct: 300, ma: 10_000, barsUsed: 5, barsAvailable: 5, atUpperLimit: false,
    });
    // flat bars: ATR 0 needs 14 bars, RSI needs 15 closes → not warmed up with 5
    expect(values.atr).toBeNull();
    expect(values.rsi).toBeNull();
  });

  it('uses only the last lookbackDays bars for MA and volume, and all bars for ATR/RSI', () => {
    const long = bars([...Array<number>(15).fill(20_000), 10_000, 10_000, 10_000, 10_000, 10_000]);
    const { values, rule } = evaluateEntry({ symbol: SYM, quote: quote(), bars: long, params });
    expect(rule).toBe('momentum-volume');
    expect(values.ma).toBe(10_000);
    expect(values.barsUsed).toBe(5);
    expect(values.barsAvailable).toBe(20);
    expect(values.rsi).toBe(0);
    expect(values.atr).not.toBeNull();
  });

  it('ignores a bar dated today (it is not a completed day)', () => {
    const withToday = [...flat.slice(1), { ...flat[0]!, date: TODAY, close: krw(99_000) }];
    const signal = evaluateEntry({ symbol: SYM, quote: quote(), bars: withToday, params });
    expect(signal.rule).toBe('insufficient-history');
    expect(signal.values.barsAvailable).toBe(4);
  });

  it('measures the change against the base price, falling back to the last close', () => {
    const fromBase = evaluateEntry({ symbol: SYM, quote: quote({ basePrice: krw(10_200) }), bars: flat, params });
    expect(fromBase.values.changeBp).toBeCloseTo((300 * 10_000) / 10_200, 10);
    const fromBar = evaluateEntry({ symbol: SYM, quote: quote({ basePrice: krw(0) }), bars: flat, params });
    expect(fromBar.values.changeBp).toBe(500);
  });

  it('includes both boundaries of the change band and the volume ratio', () => {
    expect(evaluateEntry({ symbol: SYM, quote: quote({ price: krw(10_200) }), bars: flat, params }).rule).toBe('momentum-volume');
    expect(evaluateEntry({ symbol: SYM, quote: quote({ price: krw(11_500) }), bars: flat, params }).rule).toBe('momentum-volume');
    // 100,000 at half the session = 200 % exactly
    expect(evaluateEntry({ symbol: SYM, quote: quote({ volume: shares(100_000) }), bars: flat, params }).rule).toBe('momentum-volume');
    expect(evaluateEntry({ symbol: SYM, quote: quote({ volume: shares(99_999) }), bars: flat, params }).rule).toBe('volume-ratio-below-min');
  });

  it('refuses data of another symbol', () => {
    const other = quote({ symbol: stockCode('000660') });
    expect(() => evaluateEntry({ symbol: SYM, quote: other, bars: flat, params })).toThrow(/000660/);
  });
});

describe('projectDayVolume', () => {
  const at = (hhmmss: string) => kstInstant(tradingDate('20260312'), hhmmss);

  it.each([
    { time: '121500', elapsed: 50, divisor: 50, projected: 300_000 },
    // 09:30 is 30/390 of the session; the 25 % floor keeps the early projection from exploding
    { time: '093000', elapsed: (30 / 390) * 100, divisor: 25, projected: 600_000 },
    { time: '080000', elapsed: 0, divisor: 25, projected: 600_000 },
    { time: '160000', elapsed: 100, divisor: 100, projected: 150_000 },
  ])('at $time', ({ time, elapsed, divisor, projected }) => {
    const p = projectDayVolume(150_000, at(time));
    expect(p.sessionElapsedPct).toBeCloseTo(elapsed, 10);
    expect(p.divisorPct).toBeCloseTo(divisor, 10);
    expect(p.projectedVolume).toBeCloseTo(projected, 6);
  });

  it('takes a special session window and another floor', () => {
    // a 10:00 opening: 12:45 is 165 of 330 minutes
    const p = projectDayVolume(100, at('124500'), { openSecond: 10 * 3600, closeSecond: 15 * 3600 + 1800 }, 60);
    expect(p.sessionElapsedPct).toBeCloseTo(50, 10);
    expect(p.divisorPct).toBe(60);
  });

  it('feeds the entry rule: the same volume early in the day does not pass', () => {
    const early = evaluateEntry({ symbol: SYM, quote: quote({ at: at('093000') }), bars: flat, params });
    // 150,000 / 25 % = 600,000 → 600 %; but 40,000 shares → 160,000 → 160 %
    expect(early.values.volumeRatioPct).toBeCloseTo(600, 6);
    const thin = evaluateEntry({ symbol: SYM, quote: quote({ at: at('093000'), volume: shares(40_000) }), bars: flat, params });
    expect(thin.rule).toBe('volume-ratio-below-min');
  });
});
