import { describe, expect, it } from 'vitest';
import { sha256Of } from '../../../src/backtest/index.js';
import type { BacktestResult, BacktestSummary } from '../../../src/backtest/index.js';
import { krw, tradingDate } from '../../../src/domain/index.js';
import type { DailyPnl, RoundTrip, TradingDate } from '../../../src/domain/index.js';
import { stitch, walkWindows } from '../../../src/cli/walkforward-plan.js';
import type { WalkWindow } from '../../../src/cli/walkforward-plan.js';

/** `kis-trader walkforward`'s arithmetic (docs/backtest.md §8): the windows, and the stitched curve. */
const DAYS: TradingDate[] = Array.from(
  { length: 30 }, (_, i) => tradingDate(`202601${String(i + 1).padStart(2, '0')}`),
);
const at = (d: TradingDate): number => DAYS.indexOf(d);
const span = (w: WalkWindow): number[][] => [[at(w.train.from), at(w.train.to)], [at(w.test.from), at(w.test.to)]];

describe('walkWindows', () => {
  it('trains on [i, i + train), tests on the next days, steps by test; the last test takes what is left', () => {
    const windows = walkWindows(DAYS, 10, 7) as WalkWindow[];
    expect(windows.map(span)).toEqual([
      [[0, 9], [10, 16]],
      [[7, 16], [17, 23]],
      [[14, 23], [24, 29]],
    ]);
    expect(windows.map((w) => [w.train.days, w.test.days])).toEqual([[10, 7], [10, 7], [10, 6]]);
  });

  it('tiles the days after the first train window with test windows, each after its own train', () => {
    for (const [train, test] of [[1, 1], [5, 5], [20, 10], [3, 27], [29, 1], [12, 4]] as const) {
      const windows = walkWindows(DAYS, train, test) as WalkWindow[];
      const tested = windows.flatMap((w) => DAYS.slice(at(w.test.from), at(w.test.to) + 1));
      expect(tested).toEqual(DAYS.slice(train));
      for (const w of windows) {
        expect(at(w.test.from)).toBe(at(w.train.to) + 1);
        expect(w.train.days).toBe(train);
      }
    }
  });

  it('refuses days that do not hold one whole window, naming the numbers', () => {
    expect(walkWindows(DAYS, 25, 6)).toBe('--train 25 + --test 6 need 31 trading days; the period has 30');
    expect(walkWindows(DAYS, 25, 5)).toHaveLength(1);
  });
});

const row = (date: string, equity: number, peak: number): DailyPnl => ({
  date: tradingDate(date), realised: krw(0), unrealised: krw(0), fees: krw(10), tax: krw(0), equity: krw(equity),
  peakEquity: krw(peak), drawdown: krw(peak - equity), drawdownBp: 0,
});
const trip = (id: number, net: number, status: 'open' | 'closed' = 'closed'): RoundTrip => ({
  id, symbol: '005930', strategy: 's', status, openedAt: 0 as RoundTrip['openedAt'], closedAt: null,
  holdingSeconds: null, qty: 1, closedQty: status === 'closed' ? 1 : 0, entryPrice: krw(1), exitPrice: null,
  gross: krw(net), commission: krw(0), tax: krw(0), net: krw(net), returnBp: null, exitRule: null,
  openQty: status === 'closed' ? 0 : 1, openCost: krw(0), tradingDate: tradingDate('20260101'),
  unrealised: status === 'closed' ? null : krw(5), mark: null,
});
const result = (daily: DailyPnl[], trips: RoundTrip[], held: number, hash: string): BacktestResult => ({
  daily, roundTrips: trips, fills: [], hash, universe: { mode: 'all', snapshotDays: 0, rebuiltDays: 0, candidatesWithoutBar: 0 },
  summary: {
    exposure: held / daily.length, days: daily.length, evaluations: 3, orders: 2, unfilled: 1,
  } as BacktestSummary,
});

describe('stitch', () => {
  // Two test runs, the second started with the first's end equity (1,100): each has its own peak.
  const first = result(
    [row('20260105', 1200, 1200), row('20260106', 1100, 1200)], [trip(1, 100), trip(2, 0, 'open')], 1, 'a',
  );
  const second = result([row('20260107', 1000, 1100), row('20260108', 1300, 1300)], [trip(1, -50)], 2, 'b');

  it('chains the daily rows, taking peak and drawdown over the whole curve from the starting cash', () => {
    const s = stitch([first, second], 1000);
    expect(s.daily.map((d) => [d.date, d.equity, d.peakEquity, d.drawdown, d.drawdownBp])).toEqual([
      ['20260105', 1200, 1200, 0, 0], ['20260106', 1100, 1200, 100, 833],
      ['20260107', 1000, 1200, 200, 1666], ['20260108', 1300, 1300, 0, 0],
    ]);
    expect(s.summary.totalReturn).toBeCloseTo(0.3, 12);
    expect(s.summary).toMatchObject({
      startEquity: 1000, endEquity: 1300, days: 4, exposure: 0.75, maxDrawdown: 200,
      trades: 2, net: 50, open: 1, unrealised: 5, evaluations: 6, orders: 4, unfilled: 2, fees: 40,
    });
  });

  it('keeps round trip ids unique and hashes the test hashes in order', () => {
    const s = stitch([first, second], 1000);
    expect(s.roundTrips.map((t) => t.id)).toEqual([1, 2, 3]);
    expect(s.hash).toBe(sha256Of(['a', 'b']));
    expect(stitch([second, first], 1000).hash).not.toBe(s.hash);
  });
});
