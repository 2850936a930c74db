import { describe, expect, it } from 'vitest';
import { addDays, krw, shares, stockCode, tradingDate, weekdayOf } from '../../../src/domain/index.js';
import type { DailyBar, TradingDate } from '../../../src/domain/index.js';
import { MAX_ROWS_PER_CALL, absorbPage, newestOldestFirst, stitchDailyBars, windowFor } from '../../../src/kis/daily-bars.js';
import type { BarsWindow } from '../../../src/kis/daily-bars.js';

const sym = stockCode('005930');
function bar(date: TradingDate, close = 1000): DailyBar {
  return { symbol: sym, date, open: krw(close), high: krw(close), low: krw(close), close: krw(close), volume: shares(1), value: krw(close) };
}

/** Trading days (weekdays minus `holidays`) from `first` to `last`, like a listed stock's history. */
function history(first: TradingDate, last: TradingDate, holidays: ReadonlySet<string> = new Set()): TradingDate[] {
  const out: TradingDate[] = [];
  for (let d = first; d <= last; d = addDays(d, 1)) {
    const wd = weekdayOf(d);
    if (wd !== 0 && wd !== 6 && !holidays.has(d)) out.push(d);
  }
  return out;
}

/** A KIS-like server: newest first, at most 100 rows, the newest ones of the range. */
function fakeKis(days: readonly TradingDate[]) {
  const calls: BarsWindow[] = [];
  return {
    calls,
    fetch: (w: BarsWindow): Promise<DailyBar[]> => {
      calls.push(w);
      const inRange = days.filter((d) => d >= w.start && d <= w.end).reverse().slice(0, MAX_ROWS_PER_CALL);
      return Promise.resolve(inRange.map((d, i) => bar(d, 1000 + i)));
    },
  };
}

describe('daily bars: newest N, oldest first', () => {
  const end = tradingDate('20260312');
  const days = history(tradingDate('20240102'), end);

  it('returns the NEWEST N, oldest first (the seed kept the oldest)', async () => {
    const kis = fakeKis(days);
    const bars = await stitchDailyBars(20, end, kis.fetch);
    expect(bars).toHaveLength(20);
    expect(bars.map((b) => b.date)).toEqual(days.slice(-20));
    expect(bars[19]?.date).toBe(end);
  });

  it('stitches calls backwards for more than 100 bars without gaps or duplicates', async () => {
    const kis = fakeKis(days);
    const bars = await stitchDailyBars(250, end, kis.fetch);
    expect(bars.map((b) => b.date)).toEqual(days.slice(-250));
    expect(kis.calls.length).toBeGreaterThanOrEqual(3);
    for (let i = 1; i < kis.calls.length; i++) expect(kis.calls[i]!.end < kis.calls[i - 1]!.start).toBe(true);
  });

  it('never asks a window that could hold more than 100 trading days', () => {
    for (const need of [1, 5, 10, 11, 50, 99, 100, 250]) {
      const w = windowFor(end, need);
      expect(history(w.start, w.end).length).toBeLessThanOrEqual(MAX_ROWS_PER_CALL);
    }
  });

  it('stops with what exists for a recent listing', async () => {
    const young = history(tradingDate('20260201'), end);
    const bars = await stitchDailyBars(100, end, fakeKis(young).fetch);
    expect(bars.map((b) => b.date)).toEqual(young);
  });

  it('continues across a long holiday (Seollal)', async () => {
    const seollal = new Set(['20260216', '20260217', '20260218']);
    const d = history(tradingDate('20251001'), tradingDate('20260220'), seollal);
    const bars = await stitchDailyBars(5, tradingDate('20260220'), fakeKis(d).fetch);
    expect(bars.map((b) => b.date)).toEqual(['20260211', '20260212', '20260213', '20260219', '20260220']);
  });

  it('continues below the oldest row when a server cuts a range at 100 rows', () => {
    const byDate = new Map<TradingDate, DailyBar>();
    const w: BarsWindow = { start: tradingDate('20250101'), end };
    const page = days.filter((x) => x >= w.start).reverse().slice(0, 100).map((x) => bar(x));
    const { added, nextEnd } = absorbPage(byDate, w, page);
    expect(added).toBe(100);
    expect(nextEnd).toBe(addDays(page[99]!.date, -1));
  });

  it('ignores rows outside the requested window and duplicates', () => {
    const byDate = new Map<TradingDate, DailyBar>();
    const w: BarsWindow = { start: tradingDate('20260302'), end: tradingDate('20260306') };
    absorbPage(byDate, w, [bar(tradingDate('20260309')), bar(tradingDate('20260306')), bar(tradingDate('20260306'))]);
    expect([...byDate.keys()]).toEqual(['20260306']);
  });

  it('returns [] for count 0 and all for a count beyond what exists', () => {
    const m = new Map([[tradingDate('20260311'), bar(tradingDate('20260311'))], [tradingDate('20260310'), bar(tradingDate('20260310'))]]);
    expect(newestOldestFirst(m, 0)).toEqual([]);
    expect(newestOldestFirst(m, 5).map((b) => b.date)).toEqual(['20260310', '20260311']);
  });
});
