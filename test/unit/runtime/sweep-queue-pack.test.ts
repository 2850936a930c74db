import { describe, expect, it } from 'vitest';
import { packBars, unpackBars } from '../../../src/runtime/index.js';
import type { PointBars } from '../../../src/runtime/index.js';
import type { DailyBar, EpochMs, RankingSnapshot, StockCode, TradingDate } from '../../../src/domain/index.js';

/** What a sweep puts in Redis for its sweep-workers comes back as it was: bars, names, universe. */
const bar = (symbol: string, date: string, close: number): DailyBar => ({
  symbol: symbol as StockCode, date: date as TradingDate, open: close - 10, high: close + 20, low: close - 30, close,
  volume: 1234, value: close * 1234,
} as DailyBar);

describe('packBars / unpackBars', () => {
  it('round-trips the bars, the names, a universe of recorded scans and the spec of the sim market', () => {
    const snapshot = {
      kind: 'volume', params: { a: '1' }, rows: [{ rank: 1, symbol: '005930' }], raw: null, fetchedAt: 5 as EpochMs,
    } as unknown as RankingSnapshot;
    const data: PointBars = {
      bars: new Map([
        ['005930' as StockCode, [bar('005930', '20250102', 70_000), bar('005930', '20250103', 71_000)]],
        ['000660' as StockCode, [bar('000660', '20250102', 150_500)]],
      ]),
      names: { '005930': '삼성전자' },
      universe: { mode: 'snapshots', recorded: new Map([['20250103' as TradingDate, [snapshot]]]) },
      sim: { seed: 7, symbols: 10, to: '20250103' as TradingDate, calendar: { years: [2025] }, sessions: {} as never },
    };
    expect(unpackBars(packBars(data))).toEqual(data);
    const plain: PointBars = { bars: data.bars, names: {} };
    expect(unpackBars(packBars(plain))).toEqual(plain);
  });
});
