import { describe, expect, it } from 'vitest';
import { AppError, epochMs, krw, shares, stockCode, tradingDate } from '../../../src/domain/index.js';
import type { DailyBar, DecisionInput, RankingSnapshot, StockCode } from '../../../src/domain/index.js';
import { createTempStore, TEMP_STORE_START } from '../../helpers/temp-store.js';

const SAMSUNG = stockCode('005930');
const HYNIX = stockCode('000660');
const DATE = tradingDate('20260312');
const T0 = TEMP_STORE_START;

function bar(symbol: StockCode, date: string, close: number): DailyBar {
  return {
    symbol, date: tradingDate(date), open: krw(close - 100), high: krw(close + 200), low: krw(close - 300), close: krw(close),
    volume: shares(1_000_000), value: krw(close * 1_000_000),
  };
}

describe('bars', () => {
  it('range returns the newest N bars, oldest first, up to an optional end date', () => {
    const { store } = createTempStore();
    const dates = ['20260302', '20260303', '20260304', '20260305', '20260306'];
    // inserted out of order on purpose: the order must come from the dates
    store.bars.upsert([3, 0, 4, 1, 2].map((i) => bar(SAMSUNG, dates[i]!, 70000 + i * 100)), T0);
    store.bars.upsert([bar(HYNIX, '20260309', 190000)], T0);
    expect(store.bars.range(SAMSUNG, 3).map((b) => b.date)).toEqual(['20260304', '20260305', '20260306']);
    expect(store.bars.range(SAMSUNG, 3, tradingDate('20260305')).map((b) => b.date)).toEqual(['20260303', '20260304', '20260305']);
    expect(store.bars.range(SAMSUNG, 100)).toHaveLength(5);
    expect(store.bars.range(SAMSUNG, 0)).toEqual([]);
    expect(store.bars.range(SAMSUNG, 1)[0]).toEqual(bar(SAMSUNG, '20260306', 70400));
    expect(store.bars.latestDate(SAMSUNG)).toBe('20260306');
    expect(store.bars.latestDate(stockCode('035420'))).toBeNull();
  });

  it('upsert replaces a bar of the same day and moves lastFetched', () => {
    const { store } = createTempStore();
    expect(store.bars.lastFetched(SAMSUNG)).toBeNull();
    store.bars.upsert([bar(SAMSUNG, '20260312', 70000)], T0);
    store.bars.upsert([bar(SAMSUNG, '20260312', 71000)], epochMs(T0 + 60_000));
    expect(store.bars.range(SAMSUNG, 5).map((b) => b.close)).toEqual([71000]);
    expect(store.bars.lastFetched(SAMSUNG)).toBe(T0 + 60_000);
  });

  it('summary counts each symbol\'s bars with its first and last date; countExisting counts the pairs already held', () => {
    const { store } = createTempStore();
    expect(store.bars.summary()).toEqual([]);
    store.bars.upsert(['20260305', '20260302', '20260306'].map((d) => bar(SAMSUNG, d, 70000)), T0);
    store.bars.upsert([bar(HYNIX, '20260309', 190000)], T0);
    expect(store.bars.summary()).toEqual([
      { symbol: HYNIX, bars: 1, first: '20260309', last: '20260309' },
      { symbol: SAMSUNG, bars: 3, first: '20260302', last: '20260306' },
    ]);
    const key = (symbol: StockCode, date: string) => ({ symbol, date: tradingDate(date) });
    expect(store.bars.countExisting([])).toBe(0);
    expect(store.bars.countExisting([key(SAMSUNG, '20260302'), key(SAMSUNG, '20260303'), key(HYNIX, '20260309'), key(HYNIX, '20260302')])).toBe(2);
  });
});

describe('tokens', () => {
  it('survive close and re-open, so a restart reuses the token', () => {
    const t = createTempStore();
    const key = 'paper.ab12cd34';
    const token = { token: 'eyJ0eXAi.token', expiresAt: epochMs(T0 + 86_400_000), issuedAt: T0 };
    t.store.tokens.recordIssueAttempt(key, epochMs(T0 - 1000));
    t.store.tokens.save(key, token);

    const s = t.reopen();
    expect(s.tokens.load(key)).toEqual(token);
    expect(s.tokens.lastIssueAttempt(key)).toBe(T0 - 1000);
    expect(s.tokens.load('live.ab12cd34')).toBeNull();
    expect(s.tokens.lastIssueAttempt('live.ab12cd34')).toBeNull();
  });

  it('clear drops the token but keeps the last issuance attempt (the one-a-minute rule)', () => {
    const t = createTempStore();
    const key = 'live.ff00';
    t.store.tokens.recordIssueAttempt(key, T0);
    t.store.tokens.save(key, { token: 'tok', expiresAt: epochMs(T0 + 1000), issuedAt: T0 });
    t.store.tokens.clear(key);
    const s = t.reopen();
    expect(s.tokens.load(key)).toBeNull();
    expect(s.tokens.lastIssueAttempt(key)).toBe(T0);
    s.tokens.save(key, { token: 'tok2', expiresAt: epochMs(T0 + 2000), issuedAt: epochMs(T0 + 61_000) });
    expect(s.tokens.load(key)?.token).toBe('tok2');
  });
});

describe('decisions', () => {
  const decision: DecisionInput = {
    at: T0, tradingDate: DATE, symbol: SAMSUNG, kind: 'entry', strategy: 'breakout',
    inputs: { close: 71500, sma20: 70100.25, scanSnapshotId: 3 }, rule: 'close > max(high, 20)',
    guards: [{ guard: 'max-positions', ok: true }, { guard: 'cooldown', ok: false, reason: 'COOLDOWN', context: { until: 123 } }],
    outcome: 'blocked', intentKey: null, configHash: 'cfg-1',
  };

  it('round-trips inputs and guards as JSON and lists a day oldest first', () => {
    const { store } = createTempStore();
    const id = store.decisions.insert(decision);
    const id2 = store.decisions.insert({ ...decision, outcome: 'order', intentKey: 'i.breakout.005930.buy.20260312.x' });
    store.decisions.insert({ ...decision, tradingDate: tradingDate('20260313') });
    expect(store.decisions.byId(id)).toEqual({ id, ...decision });
    expect(store.decisions.forDate(DATE).map((d) => d.id)).toEqual([id, id2]);
    expect(store.decisions.byId(999)).toBeNull();
  });

  it('refuses an unknown outcome', () => {
    const { store } = createTempStore();
    let err: unknown;
    try {
      store.decisions.insert({ ...decision, outcome: 'maybe' as DecisionInput['outcome'] });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('STORE_INVARIANT');
  });
});

describe('scans', () => {
  const snapshot = (kind: RankingSnapshot['kind'], fetchedAt: number, symbol: StockCode): RankingSnapshot => ({
    kind, params: { market: '0000' }, fetchedAt: epochMs(fetchedAt),
    rows: [{ rank: 1, symbol, name: '삼성전자', price: krw(71500), changeBp: 215, volume: shares(12_000_000), tradedValue: krw(858_000_000_000), volumeIncreaseBp: null }],
    raw: { rt_cd: '0', output: [{ mksc_shrn_iscd: symbol, stck_prpr: '71500' }] },
  });

  it('keeps the raw response and rows; latest(kind) is the newest of that kind', () => {
    const { store } = createTempStore();
    const v1 = store.scans.insert(snapshot('volume', T0, SAMSUNG), DATE);
    const f1 = store.scans.insert(snapshot('fluctuation', T0 + 1, HYNIX), DATE);
    const v2 = store.scans.insert(snapshot('volume', T0 + 2, HYNIX), DATE);
    expect(store.scans.latest('volume')).toEqual({ id: v2, tradingDate: DATE, ...snapshot('volume', T0 + 2, HYNIX) });
    expect(store.scans.latest('fluctuation')?.id).toBe(f1);
    expect(store.scans.forDate(DATE).map((s) => s.id)).toEqual([v1, f1, v2]);
    expect(store.scans.forDate(DATE, 'volume').map((s) => s.id)).toEqual([v1, v2]);
    expect(store.db.prepare<[number], { row_count: number }>('SELECT row_count FROM scan_snapshots WHERE id = ?').get(v1)?.row_count).toBe(1);
  });

  it('latestBefore is the last of a kind on a date up to an instant, without the raw response', () => {
    const { store } = createTempStore();
    store.scans.insert(snapshot('volume', T0, SAMSUNG), DATE);
    const v2 = store.scans.insert(snapshot('volume', T0 + 60_000, HYNIX), DATE);
    store.scans.insert(snapshot('volume', T0 + 120_000, SAMSUNG), DATE);
    store.scans.insert(snapshot('volume', T0 + 60_000, SAMSUNG), tradingDate('20260313'));
    expect(store.scans.latestBefore(DATE, 'volume', epochMs(T0 + 119_999))).toEqual({
      id: v2, tradingDate: DATE, ...snapshot('volume', T0 + 60_000, HYNIX), raw: null,
    });
    expect(store.scans.latestBefore(DATE, 'volume', epochMs(T0 - 1))).toBeNull();
    expect(store.scans.latestBefore(DATE, 'fluctuation', epochMs(T0 + 200_000))).toBeNull();
    expect(store.scans.datesBetween(DATE, tradingDate('20260331'))).toEqual([DATE, '20260313']);
    expect(store.scans.datesBetween(tradingDate('20260313'), tradingDate('20260313'))).toEqual(['20260313']);
  });

  it('latest is null before any scan', () => {
    const { store } = createTempStore();
    expect(store.scans.latest('volume')).toBeNull();
  });
});

describe('risk and kv', () => {
  it('store JSON values per key that survive a restart; delete removes them', () => {
    const t = createTempStore();
    const halt = { reason: 'DAILY_LOSS', details: { lossKrw: 512000 }, at: T0 };
    t.store.risk.set('entries-halted', halt, T0);
    t.store.risk.set('day-start-equity.20260312', 10_000_000, T0);
    t.store.kv.set('last-scan', 'v1', T0);
    t.store.kv.set('last-scan', 'v2', epochMs(T0 + 1));
    const s = t.reopen();
    expect(s.risk.get('entries-halted')).toEqual(halt);
    expect(s.risk.get<number>('day-start-equity.20260312')).toBe(10_000_000);
    expect(s.kv.get('last-scan')).toBe('v2');
    expect(s.kv.get('entries-halted')).toBeNull();
    expect(s.risk.list().map((e) => e.key)).toEqual(['day-start-equity.20260312', 'entries-halted']);
    s.risk.delete('entries-halted');
    expect(s.risk.get('entries-halted')).toBeNull();
    expect(s.kv.list()).toEqual([{ key: 'last-scan', value: 'v2', updatedAt: T0 + 1 }]);
  });
});
