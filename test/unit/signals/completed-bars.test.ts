import { describe, expect, it } from 'vitest';
import { completedBars } from '../../../src/signals/decide-entry.js';
import { krw, shares, stockCode, tradingDate } from '../../../src/domain/index.js';
import type { DailyBar } from '../../../src/domain/index.js';

const bar = (date: string): DailyBar => ({
  symbol: stockCode('005930'), date: tradingDate(date), open: krw(1), high: krw(1), low: krw(1), close: krw(1),
  volume: shares(1), value: krw(1),
});
const TODAY = tradingDate('20250110');

describe('completedBars', () => {
  it('returns ordered bars before today as they are, without a copy', () => {
    const bars = [bar('20250106'), bar('20250107'), bar('20250108')];
    expect(completedBars(bars, TODAY)).toBe(bars);
    expect(completedBars([], TODAY)).toEqual([]);
  });
  it('sorts unordered bars and drops today and later, as before', () => {
    const dates = (bs: readonly DailyBar[]) => bs.map((b) => b.date);
    const shuffled = [bar('20250108'), bar('20250106'), bar('20250107')];
    expect(dates(completedBars(shuffled, TODAY))).toEqual(['20250106', '20250107', '20250108']);
    expect(dates(completedBars([bar('20250108'), bar('20250110'), bar('20250113')], TODAY))).toEqual(['20250108']);
    expect(dates(completedBars([bar('20250108'), bar('20250108')], TODAY))).toEqual(['20250108', '20250108']);
  });
});
