import type { Database } from 'better-sqlite3';
import { epochMs, tradingDate } from '../domain/index.js';
import type { EpochMs, RankingKind, RankingRow, RankingSnapshot, ScanRepo, TradingDate } from '../domain/index.js';
import { parseJson } from './sqlite-errors.js';
import type { ScanRecord } from './types.js';

/** Ranking snapshots as received: the audit trail of every scan and the input of backtests. */
export interface ScanRepository extends ScanRepo {
  /** returns the snapshot id, which decisions cite in their inputs */
  insert(snapshot: RankingSnapshot, tradingDate: TradingDate): number;
  latest(kind: RankingKind): ScanRecord | null;
  byId(id: number): ScanRecord | null;
  /** oldest first, optionally of one kind */
  forDate(date: TradingDate, kind?: RankingKind): ScanRecord[];
  /** the trading dates from `from` to `to` with any snapshot, oldest first */
  datesBetween(from: TradingDate, to: TradingDate): TradingDate[];
  /**
   * The last snapshot of `kind` on `date` fetched at or before `at` (the backtest's universe,
   * docs/backtest.md §3), without its raw response (`raw` null): a day holds a scan every few minutes.
   */
  latestBefore(date: TradingDate, kind: RankingKind, at: EpochMs): ScanRecord | null;
}

interface ScanRow {
  id: number;
  at: number;
  trading_date: string;
  kind: string;
  params: string;
  response: string;
  parsed_rows: string;
  row_count: number;
}

function toScanRecord(r: ScanRow): ScanRecord {
  return {
    id: r.id,
    tradingDate: tradingDate(r.trading_date),
    kind: r.kind as RankingKind,
    params: parseJson<Record<string, string>>(r.params),
    // Rows were domain values when written; JSON keeps numbers and strings exactly.
    rows: parseJson<RankingRow[]>(r.parsed_rows),
    raw: parseJson<unknown>(r.response),
    fetchedAt: epochMs(r.at),
  };
}

export function createScanRepository(db: Database): ScanRepository {
  const insert = db.prepare<Record<string, unknown>>(`
    INSERT INTO scan_snapshots (at, trading_date, kind, params, response, parsed_rows, row_count)
    VALUES (@at, @tradingDate, @kind, @params, @response, @rows, @rowCount)`);
  const selectLatest = db.prepare<[string], ScanRow>('SELECT * FROM scan_snapshots WHERE kind = ? ORDER BY id DESC LIMIT 1');
  const selectById = db.prepare<[number], ScanRow>('SELECT * FROM scan_snapshots WHERE id = ?');
  const selectForDate = db.prepare<{ date: string; kind: string | null }, ScanRow>(
    'SELECT * FROM scan_snapshots WHERE trading_date = @date AND (@kind IS NULL OR kind = @kind) ORDER BY id');
  const selectDates = db.prepare<[string, string], { trading_date: string }>(
    'SELECT DISTINCT trading_date FROM scan_snapshots WHERE trading_date BETWEEN ? AND ? ORDER BY trading_date');
  const selectLatestBefore = db.prepare<{ date: string; kind: string; at: number }, ScanRow>(`
    SELECT id, at, trading_date, kind, params, 'null' AS response, parsed_rows, row_count FROM scan_snapshots
    WHERE trading_date = @date AND kind = @kind AND at <= @at ORDER BY at DESC, id DESC LIMIT 1`);
  return {
    insert: (s, date) => {
      const res = insert.run({
        at: s.fetchedAt, tradingDate: date, kind: s.kind, params: JSON.stringify(s.params),
        // undefined would not be JSON; an empty body is still worth recording as null
        response: JSON.stringify(s.raw ?? null), rows: JSON.stringify(s.rows), rowCount: s.rows.length,
      });
      return Number(res.lastInsertRowid);
    },
    latest: (kind) => {
      const row = selectLatest.get(kind);
      return row ? toScanRecord(row) : null;
    },
    byId: (id) => {
      const row = selectById.get(id);
      return row ? toScanRecord(row) : null;
    },
    forDate: (date, kind) => selectForDate.all({ date, kind: kind ?? null }).map(toScanRecord),
    datesBetween: (from, to) => selectDates.all(from, to).map((r) => tradingDate(r.trading_date)),
    latestBefore: (date, kind, at) => {
      const row = selectLatestBefore.get({ date, kind, at });
      return row ? toScanRecord(row) : null;
    },
  };
}
