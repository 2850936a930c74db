import type { Database } from 'better-sqlite3';
import { epochMs, krw, shares, stockCode, tradingDate } from '../domain/index.js';
import type { BarInvalidation, BarRepo, DailyBar, EpochMs, StockCode, TradingDate } from '../domain/index.js';

/** The daily bar cache that signals read before asking KIS (docs/architecture.md §2). */
export interface BarRepository extends BarRepo, BarInvalidation {
  /** inserts or replaces bars by (symbol, date): today's bar changes until the close */
  upsert(bars: readonly DailyBar[], fetchedAt: EpochMs): void;
  /** the newest `count` bars on or before `endDate` (default: all), oldest first */
  range(symbol: StockCode, count: number, endDate?: TradingDate): DailyBar[];
  /** when bars of `symbol` were last written, null if never */
  lastFetched(symbol: StockCode): EpochMs | null;
  /** every bar on or before `endDate`, by symbol then date: what a backtest over the cache reads */
  allUpTo(endDate: TradingDate): DailyBar[];
  /** the newest bar date held for `symbol`, null if none */
  latestDate(symbol: StockCode): TradingDate | null;
  /** drops every cached bar of `symbol`: after a split the whole adjusted history changes */
  invalidate(symbol: StockCode): void;
  /** what the cache holds, per symbol in code order (`data list`) */
  summary(): BarSummary[];
  /** how many of these (symbol, date) pairs already have a bar (`data import` replaces only with --force) */
  countExisting(keys: readonly Pick<DailyBar, 'symbol' | 'date'>[]): number;
}

export interface BarSummary {
  symbol: StockCode;
  bars: number;
  first: TradingDate;
  last: TradingDate;
}

interface BarRow {
  symbol: string;
  date: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  value: number;
}

function toDailyBar(r: BarRow): DailyBar {
  return {
    symbol: stockCode(r.symbol), date: tradingDate(r.date), open: krw(r.open), high: krw(r.high), low: krw(r.low),
    close: krw(r.close), volume: shares(r.volume), value: krw(r.value),
  };
}

export function createBarRepository(db: Database): BarRepository {
  const upsert = db.prepare<Record<string, unknown>>(`
    INSERT INTO daily_bars (symbol, date, open, high, low, close, volume, value, fetched_at)
    VALUES (@symbol, @date, @open, @high, @low, @close, @volume, @value, @fetchedAt)
    ON CONFLICT (symbol, date) DO UPDATE SET
      open = excluded.open, high = excluded.high, low = excluded.low, close = excluded.close,
      volume = excluded.volume, value = excluded.value, fetched_at = excluded.fetched_at`);
  const selectRange = db.prepare<[string, string, number], BarRow>(`
    SELECT symbol, date, open, high, low, close, volume, value FROM daily_bars
    WHERE symbol = ? AND date <= ? ORDER BY date DESC LIMIT ?`);
  const selectAllUpTo = db.prepare<[string], BarRow>(`
    SELECT symbol, date, open, high, low, close, volume, value FROM daily_bars WHERE date <= ? ORDER BY symbol, date`);
  const selectLastFetched = db.prepare<[string], { t: number | null }>(
    'SELECT MAX(fetched_at) AS t FROM daily_bars WHERE symbol = ?');
  const selectLatestDate = db.prepare<[string], { d: string | null }>(
    'SELECT MAX(date) AS d FROM daily_bars WHERE symbol = ?');
  const deleteSymbol = db.prepare<[string]>('DELETE FROM daily_bars WHERE symbol = ?');
  const selectSummary = db.prepare<[], { symbol: string; bars: number; first: string; last: string }>(`
    SELECT symbol, COUNT(*) AS bars, MIN(date) AS first, MAX(date) AS last FROM daily_bars GROUP BY symbol ORDER BY symbol`);
  const selectExists = db.prepare<[string, string], { one: number }>('SELECT 1 AS one FROM daily_bars WHERE symbol = ? AND date = ?');
  const upsertTx = db.transaction((bars: readonly DailyBar[], fetchedAt: EpochMs) => {
    for (const b of bars) upsert.run({ ...b, fetchedAt });
  });
  return {
    upsert: (bars, fetchedAt) => {
      if (bars.length > 0) upsertTx.immediate(bars, fetchedAt);
    },
    range: (symbol, count, endDate) => {
      if (count <= 0) return [];
      // '99999999' sorts after every YYYYMMDD date
      return selectRange.all(symbol, endDate ?? '99999999', count).map(toDailyBar).reverse();
    },
    allUpTo: (endDate) => selectAllUpTo.all(endDate).map(toDailyBar),
    lastFetched: (symbol) => {
      const t = selectLastFetched.get(symbol)?.t ?? null;
      return t === null ? null : epochMs(t);
    },
    latestDate: (symbol) => {
      const d = selectLatestDate.get(symbol)?.d ?? null;
      return d === null ? null : tradingDate(d);
    },
    invalidate: (symbol) => {
      deleteSymbol.run(symbol);
    },
    summary: () => selectSummary.all().map((r) => ({
      symbol: stockCode(r.symbol), bars: r.bars, first: tradingDate(r.first), last: tradingDate(r.last),
    })),
    countExisting: (keys) => keys.reduce((n, k) => n + (selectExists.get(k.symbol, k.date) ? 1 : 0), 0),
  };
}
