import { describe, it, expect } from 'vitest';
import { epochMs, isAppError, krw, shares, stockCode } from '../../../src/domain/index.js';
import type { RankingKind, RankingRow, RankingSnapshot } from '../../../src/domain/index.js';
import { defaultConfig } from '../../../src/config/index.js';
import { compileNamePatterns, matchNamePattern, rankPoints, selectCandidates } from '../../../src/scan/index.js';
import type { UniverseFilter } from '../../../src/scan/index.js';

const code = (n: number) => stockCode(String(n).padStart(6, '0'));

function row(rank: number, symbol: number, over: Partial<RankingRow> = {}): RankingRow {
  return {
    rank, symbol: code(symbol), name: `종목${symbol}`, price: krw(10_000), changeBp: 300,
    volume: shares(1_000_000), tradedValue: krw(10_000_000_000), volumeIncreaseBp: null, ...over,
  };
}

function snap(kind: RankingKind, rows: RankingRow[], at = 1_000): RankingSnapshot {
  return { kind, params: {}, rows, raw: null, fetchedAt: epochMs(at) };
}

const filter: UniverseFilter = {
  minPrice: krw(1_000), maxPrice: krw(500_000), minTradedValue: krw(1_000_000_000), topN: 10, exclude: [], excludeNamePatterns: [],
};

describe('rankPoints', () => {
  it('gives 30 to first place, 1 to 30th and never less than 1', () => {
    expect([1, 2, 30, 31, 99].map(rankPoints)).toEqual([30, 29, 1, 1, 1]);
  });
});

describe('selectCandidates', () => {
  it('merges both rankings, one candidate per symbol, scored by summed rank points', () => {
    const { candidates, rejected } = selectCandidates([
      snap('volume', [row(1, 1), row(2, 2, { volumeIncreaseBp: 15_000 }), row(3, 3)], 1_000),
      snap('fluctuation', [row(1, 2, { price: krw(10_300), changeBp: 2_990, volume: shares(1_200_000), tradedValue: krw(0) }), row(2, 4)], 2_000),
    ], filter, []);
    expect(rejected).toEqual([]);
    // 2: 29 + 30 = 59; 1: 30; 4: 29; 3: 28
    expect(candidates.map((c) => [c.symbol, c.score])).toEqual([['000002', 59], ['000001', 30], ['000004', 29], ['000003', 28]]);
    expect(candidates[0]).toEqual({
      symbol: '000002', name: '종목2', price: 10_300, changeBp: 2_990, volume: 1_200_000,
      tradedValue: 10_000_000_000, tradedValueEstimated: false, volumeIncreaseBp: 15_000,
      sources: ['volume', 'fluctuation'], ranks: { volume: 2, fluctuation: 1 }, score: 59,
    });
  });

  it('keeps the best rank when a ranking lists a symbol twice (e.g. KOSPI and KOSDAQ snapshots)', () => {
    const { candidates } = selectCandidates([snap('volume', [row(2, 1)]), snap('volume', [row(7, 1)])], filter, []);
    expect(candidates).toHaveLength(1);
    expect(candidates[0]).toMatchObject({ ranks: { volume: 2, fluctuation: null }, sources: ['volume'], score: 29 });
  });

  it('estimates the traded value when only the fluctuation ranking lists the symbol', () => {
    const { candidates } = selectCandidates([snap('fluctuation', [row(1, 5, { price: krw(2_000), volume: shares(600_000), tradedValue: krw(0) })])], filter, []);
    expect(candidates[0]).toMatchObject({ tradedValue: 1_200_000_000, tradedValueEstimated: true });
    const strict = { ...filter, minTradedValue: krw(1_200_000_001) };
    expect(selectCandidates([snap('fluctuation', [row(1, 5, { price: krw(2_000), volume: shares(600_000), tradedValue: krw(0) })])], strict, []).rejected)
      .toEqual([{ symbol: '000005', reason: 'traded-value-below-min' }]);
  });

  it.each<{ reason: string; r: RankingRow; f?: Partial<UniverseFilter> }>([
    { reason: 'held', r: row(1, 9) },
    { reason: 'excluded', r: row(1, 8), f: { exclude: [code(8)] } },
    { reason: 'name-pattern:스팩', r: row(1, 7, { name: '하나스팩27호' }), f: { excludeNamePatterns: ['스팩'] } },
    { reason: 'kind:etn', r: row(1, 7, { symbol: stockCode('Q500001'), name: '신한 WTI원유 선물' }), f: { excludeKinds: defaultConfig().scan.excludeKinds } },
    { reason: 'kind:preferred', r: row(1, 7, { symbol: stockCode('005935'), name: '삼성전자' }), f: { excludeKinds: defaultConfig().scan.excludeKinds } },
    { reason: 'kind:preferred', r: row(1, 7, { symbol: stockCode('00088K'), name: '한화' }), f: { excludeKinds: defaultConfig().scan.excludeKinds } },
    { reason: 'no-price', r: row(1, 6, { price: krw(0) }) },
    { reason: 'price-below-min', r: row(1, 6, { price: krw(999) }) },
    { reason: 'price-above-max', r: row(1, 6, { price: krw(500_001) }) },
    { reason: 'traded-value-below-min', r: row(1, 6, { tradedValue: krw(999_999_999) }) },
  ])('rejects with reason $reason', ({ reason, r, f }) => {
    const { candidates, rejected } = selectCandidates([snap('volume', [r])], { ...filter, ...f }, [code(9)]);
    expect(candidates).toEqual([]);
    expect(rejected).toEqual([{ symbol: r.symbol, reason }]);
  });

  it('includes both ends of the price band and the traded-value floor', () => {
    const rows = [row(1, 1, { price: krw(1_000) }), row(2, 2, { price: krw(500_000) }), row(3, 3, { tradedValue: krw(1_000_000_000) })];
    expect(selectCandidates([snap('volume', rows)], filter, []).candidates).toHaveLength(3);
  });

  it('lists a held symbol as held even when other filters would also drop it', () => {
    const { rejected } = selectCandidates([snap('volume', [row(1, 9, { price: krw(1) })])], filter, [code(9)]);
    expect(rejected).toEqual([{ symbol: '000009', reason: 'held' }]);
  });

  it('keeps the top N and rejects the rest as below-top-n', () => {
    const rows = [1, 2, 3, 4].map((n) => row(n, n));
    const { candidates, rejected } = selectCandidates([snap('volume', rows)], { ...filter, topN: 2 }, [code(1)]);
    expect(candidates.map((c) => c.symbol)).toEqual(['000002', '000003']);
    expect(rejected).toEqual([{ symbol: '000001', reason: 'held' }, { symbol: '000004', reason: 'below-top-n' }]);
    expect(selectCandidates([snap('volume', rows)], { ...filter, topN: 0 }, []).candidates).toEqual([]);
  });

  it('breaks score ties by traded value, then by code, whatever the input order', () => {
    const a = row(1, 3, { tradedValue: krw(5_000_000_000) });
    const b = row(1, 2, { tradedValue: krw(9_000_000_000) });
    const c = row(1, 1, { tradedValue: krw(5_000_000_000) });
    const one = selectCandidates([snap('volume', [a]), snap('volume', [b]), snap('volume', [c])], filter, []);
    const two = selectCandidates([snap('volume', [c]), snap('volume', [a]), snap('volume', [b])], filter, []);
    expect(one.candidates.map((x) => x.symbol)).toEqual(['000002', '000001', '000003']);
    expect(two.candidates).toEqual(one.candidates);
  });

  it('rejects an invalid name pattern with a code the config check can report', () => {
    let caught: unknown;
    try {
      selectCandidates([], { ...filter, excludeNamePatterns: ['('] }, []);
    } catch (err) {
      caught = err;
    }
    expect(isAppError(caught, 'SCAN_INVALID_PATTERN')).toBe(true);
  });
});

describe('code kinds (the second line for rankings that cannot exclude kinds, docs/kis-wire.md §6.6)', () => {
  it('keeps common shares, and ETNs and preferred shares when their kind is not excluded', () => {
    const rows = [row(1, 10), row(2, 10, { symbol: stockCode('Q500001') }), row(3, 10, { symbol: stockCode('005935') })];
    const kinds = { ...defaultConfig().scan.excludeKinds, etn: false, preferred: false };
    expect(selectCandidates([snap('fluctuation', rows)], { ...filter, excludeKinds: kinds }, []).rejected).toEqual([]);
    expect(selectCandidates([snap('fluctuation', rows)], { ...filter, excludeKinds: defaultConfig().scan.excludeKinds }, []).rejected)
      .toEqual([{ symbol: 'Q500001', reason: 'kind:etn' }, { symbol: '005935', reason: 'kind:preferred' }]);
  });
});

describe('default name patterns (scan.excludeNamePatterns)', () => {
  const patterns = compileNamePatterns(defaultConfig().scan.excludeNamePatterns);

  it.each([
    ['삼성전자우', true], ['현대차2우B', true], ['LG화학우', true], ['미래에셋증권2우B', true], ['대한항공우(전환)', true],
    ['하나금융스팩27호', true], ['신한 레버리지 WTI원유 선물 ETN', true],
    ['우리기술', false], ['우리금융지주', false], ['삼성전자', false], ['SK하이닉스', false],
    // ETF brands as listed now: ARIRANG → PLUS, KOSEF → KIWOOM, KBSTAR → RISE, KINDEX → ACE, and the rest
    ['KODEX 200', true], ['TIGER 미국S&P500', true], ['PLUS 고배당주', true], ['KIWOOM 200', true], ['RISE 2차전지TOP10', true],
    ['ACE KRX금현물', true], ['SOL 조선TOP3플러스', true], ['TIME 코스피액티브', true], ['KoAct 배당성장액티브', true],
    ['HANARO Fn K-반도체', true], ['1Q 미국S&P500', true], ['WON 200', true], ['UNICORN SK하이닉스밸류체인액티브', true],
    ['BNK 주주가치액티브', true], ['DAISHIN343 AI반도체&인프라액티브', true], ['HK 하이볼액티브', true], ['KCGI 코리아', true],
    ['ITF K100', true], ['VITA MZ소비액티브', true], ['TRUSTON 주주가치액티브', true], ['FOCUS AI코리아액티브', true],
    ['마이다스 KoAct', true], ['에셋플러스 글로벌플랫폼액티브', true], ['파워 200', true], ['ARIRANG 고배당주', true], ['KBSTAR 200', true],
    // companies whose names start with a brand's letters are not ETFs
    ['HK이노엔', false], ['BNK금융지주', false], ['에이스테크', false], ['SOLUM', false], ['파워로직스', false],
  ])('%s excluded: %s', (name, excluded) => {
    expect(matchNamePattern(name, patterns) !== null).toBe(excluded);
  });
});
