import { describe, expect, it } from 'vitest';
import { krw, tradingDate } from '../../../src/domain/index.js';
import type { DailyPnl } from '../../../src/domain/index.js';
import { drawdowns, isoWeek, renderReport, summarize } from '../../../src/review/index.js';

const day = (date: string, equity: number, logPeak: number): DailyPnl => ({
  date: tradingDate(date), realised: krw(0), unrealised: krw(0), fees: krw(0), tax: krw(0), equity: krw(equity),
  peakEquity: krw(logPeak), drawdown: krw(logPeak - equity), drawdownBp: Math.trunc(((logPeak - equity) * 10_000) / logPeak),
});

describe('drawdowns', () => {
  // The log's peak was 1,200,000 before the period; the period starts at 1,000,000.
  const daily = [day('20261201', 1_000_000, 1_200_000), day('20261202', 900_000, 1_200_000), day('20261203', 950_000, 1_200_000)];

  it('measures from the peak within the period, not the log\'s earlier one', () => {
    expect(drawdowns(daily)).toEqual([{ won: 0, bp: 0 }, { won: 100_000, bp: 1000 }, { won: 50_000, bp: 500 }]);
    expect(summarize([], daily)).toMatchObject({ maxDrawdown: 100_000, maxDrawdownBp: 1000 });
  });

  it('draws the same figures as the max-drawdown tile', () => {
    const html = renderReport({ title: 't', from: null, to: null, roundTrips: [], daily, guards: [], configs: [], names: {}, generatedAt: 0 as never });
    expect(html).toContain('drawdown -100,000 won');
    expect(html).not.toContain('drawdown -300,000 won');
  });
});

describe('isoWeek', () => {
  it('numbers weeks as ISO 8601 does, across a year end', () => {
    expect(isoWeek(tradingDate('20261203'))).toBe('2026-W49');
    expect(isoWeek(tradingDate('20261231'))).toBe('2026-W53');
    expect(isoWeek(tradingDate('20270104'))).toBe('2027-W01');
    expect(isoWeek(tradingDate('20250101'))).toBe('2025-W01');
  });
});
