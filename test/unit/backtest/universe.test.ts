import { describe, expect, it } from 'vitest';
import { runBacktest } from '../../../src/backtest/index.js';
import type { BacktestDecision, BacktestSettings, BacktestUniverse } from '../../../src/backtest/index.js';
import {
  entriesOf, latestRecorded, rebuildRankings, RANKING_ROWS,
} from '../../../src/backtest/universe.js';
import type { RankingInput, UniverseScan } from '../../../src/backtest/universe.js';
import { epochMs, krw, shares, stockCode, tradingDate } from '../../../src/domain/index.js';
import type { DailyBar, RankingSnapshot, StockCode, TradingDate } from '../../../src/domain/index.js';
import { DEFAULT_FEE_RATES } from '../../../src/market/index.js';
import type { Candidate } from '../../../src/scan/index.js';
import type { StrategyInstance } from '../../../src/signals/index.js';
import { backtestSettings } from '../../helpers/backtest-settings.js';
import { syntheticMarket, weekdays } from '../../helpers/synthetic-bars.js';

const DAY = tradingDate('20250310');
const PREV = tradingDate('20250307');
const AT = epochMs(1_000);

const NO_KINDS = {
  investmentWarning: false, administrative: false, liquidationTrading: false, unfaithfulDisclosure: false,
  preferred: false, halted: false, etf: false, etn: false, creditNotAllowed: false, spac: false,
};
const SCAN: UniverseScan = {
  kinds: ['volume', 'fluctuation'],
  filter: {
    minPrice: krw(1_000), maxPrice: krw(100_000), minTradedValue: krw(0), topN: 10, exclude: [],
    excludeNamePatterns: [], excludeKinds: { ...NO_KINDS, preferred: true, etn: true },
  },
};

function bar(symbol: string, date: TradingDate, close: number, volume: number): DailyBar {
  return {
    symbol: stockCode(symbol), date, open: krw(close), high: krw(close), low: krw(close), close: krw(close),
    volume: shares(volume), value: krw(close * volume + 7),
  };
}

/** A symbol's bar today, and yesterday's close when it has one. */
function input(symbol: string, close: number, volume: number, prevClose: number | null): RankingInput {
  return {
    bar: bar(symbol, DAY, close, volume), name: `n${symbol}`,
    previous: prevClose === null ? null : bar(symbol, PREV, prevClose, 1_000),
  };
}

const symbolsOf = (s: RankingSnapshot): string[] => s.rows.map((r) => r.symbol);

describe('rankings rebuilt from bars', () => {
  const inputs: RankingInput[] = [
    input('000010', 5_500, 500, 5_000), // +10 %
    input('000020', 2_200, 900, 2_000), // +10 %: ties 000010 on change, 000030 on volume
    input('000030', 10_990, 900, 10_000), // +9.9 %
    input('000040', 200_000, 9_000, 190_000), // above the price band: in neither
    input('000055', 1_300, 5_000, 1_000), // +30 %, a preferred code: left out of the volume ranking only
    input('000060', 900, 9_000, 100), // below the band: in neither
    input('000070', 3_000, 100, null), // a first bar: no change, not in the fluctuation ranking
    input('000080', 4_000, 300, 5_000), // −20 %
    input('Q500010', 5_000, 99_999, 5_000), // an ETN: left out of the volume ranking
  ];

  it('ranks by the day\'s volume, descending, ties by code, within the band and without excluded kinds', () => {
    const [volume] = rebuildRankings(inputs, SCAN, AT);
    expect(volume!.kind).toBe('volume');
    expect(volume!.fetchedAt).toBe(AT);
    expect(symbolsOf(volume!)).toEqual(['000020', '000030', '000010', '000080', '000070']);
    expect(volume!.rows.map((r) => r.rank)).toEqual([1, 2, 3, 4, 5]);
    expect(volume!.rows[0]).toEqual({
      rank: 1, symbol: '000020', name: 'n000020', price: 2_200, changeBp: 1_000, volume: 900,
      tradedValue: 2_200 * 900 + 7, volumeIncreaseBp: 9_000,
    });
    expect(volume!.rows[4]).toMatchObject({ symbol: '000070', changeBp: 0, volumeIncreaseBp: null });
  });

  it('ranks by the change vs the previous close, descending, exact ties by code; value is price × volume', () => {
    const [, fluctuation] = rebuildRankings(inputs, SCAN, AT);
    expect(fluctuation!.kind).toBe('fluctuation');
    expect(symbolsOf(fluctuation!)).toEqual(['000055', '000010', '000020', '000030', 'Q500010', '000080']);
    expect(fluctuation!.rows[0]).toEqual({
      rank: 1, symbol: '000055', name: 'n000055', price: 1_300, changeBp: 3_000, volume: 5_000,
      tradedValue: 1_300 * 5_000, volumeIncreaseBp: null,
    });
    expect(fluctuation!.rows.map((r) => r.changeBp)).toEqual([3_000, 1_000, 1_000, 990, 0, -2_000]);
  });

  it('keeps as many rows as a live ranking returns, and only the configured kinds', () => {
    const code = (i: number): string => String((i + 1) * 10).padStart(6, '0');
    const many = Array.from({ length: 45 }, (_, i) => input(code(i), 5_000 + i, 100 + i, 5_000));
    const [volume, fluctuation] = rebuildRankings(many, SCAN, AT);
    expect(RANKING_ROWS).toBe(30);
    expect(volume!.rows).toHaveLength(30);
    expect(fluctuation!.rows).toHaveLength(30);
    expect(volume!.rows[0]!.symbol).toBe('000450');
    expect(rebuildRankings(many, { ...SCAN, kinds: ['fluctuation'] }, AT).map((s) => s.kind)).toEqual(['fluctuation']);
  });

  it('does not depend on the order of its input', () => {
    expect(rebuildRankings([...inputs].reverse(), SCAN, AT)).toEqual(rebuildRankings(inputs, SCAN, AT));
  });
});

describe('recorded scans', () => {
  const snap = (kind: RankingSnapshot['kind'], at: number, symbol: string): RankingSnapshot => ({
    kind, params: {}, raw: null, fetchedAt: epochMs(at), rows: [{
      rank: 1, symbol: stockCode(symbol), name: '', price: krw(5_000), changeBp: 100, volume: shares(1),
      tradedValue: krw(5_000), volumeIncreaseBp: null,
    }],
  });

  it('takes the latest of each configured kind fetched up to the close, oldest first', () => {
    const recorded = [
      snap('volume', 100, '000010'), snap('fluctuation', 150, '000020'), snap('volume', 200, '000030'),
      snap('volume', 301, '000040'), snap('fluctuation', 120, '000050'),
    ];
    expect(latestRecorded(recorded, ['volume', 'fluctuation'], epochMs(300)).map((s) => s.rows[0]!.symbol))
      .toEqual(['000020', '000030']);
    expect(latestRecorded(recorded, ['fluctuation'], epochMs(300)).map((s) => s.rows[0]!.symbol)).toEqual(['000020']);
    expect(latestRecorded(recorded, ['volume'], epochMs(99))).toEqual([]);
  });
});

describe('the evaluations of a day, as the scan job enqueues them', () => {
  const candidate = (symbol: string, ranks: Candidate['ranks'], price = 5_000): Candidate => ({
    symbol: stockCode(symbol), name: `n${symbol}`, price: krw(price), changeBp: 250, volume: shares(10),
    tradedValue: krw(price * 10), tradedValueEstimated: false, volumeIncreaseBp: null,
    sources: [], ranks, score: 0,
  });

  it('candidates in scan order for each admitting strategy, then the watch lists without a scan row', async () => {
    const [base] = (await backtestSettings()).strategies;
    const universe = base!.universe;
    const a: StrategyInstance = { ...base!, id: 'a', universe: { ...universe, maxRank: 2 } };
    const b: StrategyInstance = {
      ...base!, id: 'b',
      universe: {
        ...universe, minPrice: krw(6_000),
        symbols: ['000030', '000070', '000080', '000090', '000100'].map(stockCode), exclude: [stockCode('000090')],
      },
    };
    const c1 = candidate('000030', { volume: 3, fluctuation: 1 }, 7_000);
    const c2 = candidate('000040', { volume: 5, fluctuation: null }, 7_000);
    const c3 = candidate('000050', { volume: 2, fluctuation: null });
    const held = new Set([stockCode('000080')]);
    const entries = entriesOf([c1, c2, c3], [a, b], [stockCode('000100')], held);
    expect(entries.map((e) => `${e.strategy.id}:${e.symbol}:${e.scan?.rank ?? '-'}`)).toEqual([
      'a:000030:1', 'b:000030:1', 'a:000050:2', 'b:000070:-',
    ]);
    expect(entries[0]!.scan).toEqual({ name: 'n000030', rank: 1, changeBp: 250, tradedValue: 70_000, volume: 10 });
  });
});

describe('a strategy with universe.maxRank', () => {
  const dates = weekdays('20250102', 60);
  const FROM = dates[25]!;
  const TO = dates.at(-1)!;

  async function maxRankSettings(): Promise<BacktestSettings> {
    return backtestSettings((c) => {
      c.strategies['momentum-volume']!.universe.maxRank = 3;
      // the synthetic codes 000001… end in 1–9, which a code says is a preferred share (scan/universe.ts)
      c.scan.excludeKinds.preferred = false;
      c.scan.minTradedValue = 0;
    });
  }

  function run(settings: BacktestSettings, universe: BacktestUniverse, market: Map<StockCode, DailyBar[]>) {
    const decisions: BacktestDecision[] = [];
    const result = runBacktest({
      settings, bars: market, from: FROM, to: TO, fees: DEFAULT_FEE_RATES, universe,
      onDecision: (d) => decisions.push(d),
    });
    return { result, entries: decisions.filter((d) => d.kind === 'entry') };
  }

  /** The top `n` by volume or by change of a day, worked out here from the bars directly. */
  function topOf(market: Map<StockCode, DailyBar[]>, date: TradingDate, n: number): Set<string> {
    const rows = [...market.values()].flatMap((bars) => {
      const i = bars.findIndex((b) => b.date === date);
      return i > 0 ? [{ bar: bars[i]!, change: bars[i]!.close / bars[i - 1]!.close }] : [];
    });
    const code = (x: { bar: DailyBar }, y: { bar: DailyBar }): number => (x.bar.symbol < y.bar.symbol ? -1 : 1);
    const byVolume = [...rows].sort((x, y) => y.bar.volume - x.bar.volume || code(x, y)).slice(0, n);
    const byChange = [...rows].sort((x, y) => y.change - x.change || code(x, y)).slice(0, n);
    return new Set([...byVolume, ...byChange].map((r) => r.bar.symbol));
  }

  it('admits nothing in the `all` universe and trades the top-ranked symbols in the rebuilt one', async () => {
    const settings = await maxRankSettings();
    const market = syntheticMarket(30, 60, 11);
    const all = run(settings, { mode: 'all' }, market);
    expect(all.entries).toEqual([]);
    expect(all.result.universe).toEqual({ mode: 'all', snapshotDays: 0, rebuiltDays: 0, candidatesWithoutBar: 0 });

    const rebuilt = run(settings, { mode: 'rebuilt' }, market);
    expect(rebuilt.result.fills.filter((f) => f.side === 'buy').length).toBeGreaterThan(0);
    expect(rebuilt.entries.length).toBeGreaterThan(50);
    for (const d of rebuilt.entries) expect(topOf(market, d.date, 3).has(d.symbol), `${d.date} ${d.symbol}`).toBe(true);
    const decisionDays = dates.filter((d) => d >= FROM && d < TO).length;
    expect(rebuilt.result.universe).toEqual({
      mode: 'rebuilt', snapshotDays: 0, rebuiltDays: decisionDays, candidatesWithoutBar: 0,
    });
  });

  it('replays the recorded scans of a day and rebuilds the days without any', async () => {
    const settings = await maxRankSettings();
    const market = syntheticMarket(30, 60, 11);
    const day = dates[30]!;
    // On `day` the recorded volume ranking lists 000007; the one fetched after the close is not seen, and
    // the fluctuation ranking's 999990 has no bars (a recorded candidate without a bar)
    const row = (symbol: string, rank: number) => ({
      rank, symbol: stockCode(symbol), name: '', price: krw(10_000), changeBp: 0, volume: shares(1),
      tradedValue: krw(5e9), volumeIncreaseBp: null,
    });
    const closeAt = epochMs(Date.parse(`${day.slice(0, 4)}-${day.slice(4, 6)}-${day.slice(6)}T06:30:00Z`));
    const recorded = new Map<TradingDate, RankingSnapshot[]>([[day, [
      { kind: 'volume', params: {}, raw: null, fetchedAt: epochMs(closeAt - 3_600_000), rows: [row('000007', 1)] },
      { kind: 'volume', params: {}, raw: null, fetchedAt: epochMs(closeAt + 60_000), rows: [row('000008', 1)] },
      { kind: 'fluctuation', params: {}, raw: null, fetchedAt: epochMs(closeAt - 60_000), rows: [row('999990', 1)] },
    ]]]);
    const r = run(settings, { mode: 'snapshots', recorded }, market);
    expect(r.entries.filter((d) => d.date === day).map((d) => d.symbol)).toEqual(['000007']);
    const decisionDays = dates.filter((d) => d >= FROM && d < TO).length;
    expect(r.result.universe).toEqual({
      mode: 'snapshots', snapshotDays: 1, rebuiltDays: decisionDays - 1, candidatesWithoutBar: 1,
    });
    const rebuilt = run(settings, { mode: 'rebuilt' }, market);
    expect(r.entries.filter((d) => d.date < day)).toEqual(rebuilt.entries.filter((d) => d.date < day));
  });
});
