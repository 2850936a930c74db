import type { Database } from 'better-sqlite3';
import { epochMs, krw, tradingDate } from '../domain/index.js';
import type { DailyPnl, EpochMs, RoundTrip, TradingDate } from '../domain/index.js';

/** An inclusive range of trading dates; null ends are open. */
export interface DateRange {
  from: TradingDate | null;
  to: TradingDate | null;
}

/**
 * The review's reads (kis-trader pnl, trades, report, export): the views of migrations 0004–0005,
 * a read-only connection is enough.
 */
export interface ReviewReader {
  /** trips that overlap the range: opened by its end and not closed before its start; oldest first */
  roundTrips(range: DateRange): RoundTrip[];
  dailyPnl(range: DateRange): DailyPnl[];
  /** per strategy and guard over the range's entry decisions */
  guardStats(range: DateRange): { strategy: string; guard: string; checked: number; blocked: number }[];
  /** every config hash on a decision in the range, first seen first */
  configs(range: DateRange): { hash: string; from: EpochMs; to: EpochMs; decisions: number }[];
  /** names the scans saw for these symbols on these dates (Korean, as KIS lists them) */
  names(symbols: readonly string[], dates: readonly TradingDate[]): Record<string, string>;
}

interface TripRow {
  entry_order_id: number; symbol: string; strategy: string | null; status: 'open' | 'closed'; opened_at: number;
  closed_at: number | null; holding_seconds: number | null; qty: number; closed_qty: number; entry_price: number;
  exit_price: number | null; gross_pnl: number; commission: number; tax: number; net_pnl: number; return_bp: number | null;
  exit_rule: string | null; trading_date: string; open_qty: number; open_cost: number;
}

interface DailyRow {
  trading_date: string; realised_pnl: number; unrealised_pnl: number; fees: number; tax: number; equity: number;
  peak_equity: number; drawdown: number; drawdown_bp: number;
}

const FAR = '99991231';
const NEVER = '00000000';

function toTrip(r: TripRow): RoundTrip {
  return {
    id: r.entry_order_id, symbol: r.symbol, strategy: r.strategy, status: r.status, openedAt: epochMs(r.opened_at),
    closedAt: r.closed_at === null ? null : epochMs(r.closed_at), holdingSeconds: r.holding_seconds, qty: r.qty,
    closedQty: r.closed_qty, entryPrice: krw(r.entry_price), exitPrice: r.exit_price === null ? null : krw(r.exit_price),
    gross: krw(r.gross_pnl), commission: krw(r.commission), tax: krw(r.tax), net: krw(r.net_pnl), returnBp: r.return_bp,
    exitRule: r.exit_rule, openQty: r.open_qty, openCost: krw(r.open_cost), tradingDate: tradingDate(r.trading_date),
    unrealised: null, mark: null,
  };
}

export function createReviewReader(db: Database): ReviewReader {
  const bounds = (r: DateRange): [string, string] => [r.from ?? NEVER, r.to ?? FAR];
  // the KST date of an epoch-ms column, for comparing with trading dates
  const kst = (col: string) => `strftime('%Y%m%d', ${col} / 1000, 'unixepoch', '+9 hours')`;
  const trips = db.prepare<{ from: string; to: string }, TripRow>(`SELECT * FROM v_round_trips
    WHERE trading_date <= @to AND (status = 'open' OR ${kst('closed_at')} >= @from) ORDER BY opened_at, entry_order_id`);
  const daily = db.prepare<[string, string], DailyRow>('SELECT * FROM v_daily_pnl WHERE trading_date BETWEEN ? AND ? ORDER BY trading_date');
  const guards = db.prepare<[string, string], { strategy: string; guard: string; checked: number; blocked: number }>(`SELECT strategy, guard,
    SUM(checked) AS checked, SUM(blocked) AS blocked FROM v_guard_stats WHERE trading_date BETWEEN ? AND ?
    GROUP BY strategy, guard ORDER BY SUM(blocked) DESC, strategy, guard`);
  const configs = db.prepare<[string, string], { hash: string; from: number; to: number; decisions: number }>(`SELECT config_hash AS hash,
    MIN(at) AS "from", MAX(at) AS "to", COUNT(*) AS decisions FROM decisions WHERE trading_date BETWEEN ? AND ?
    GROUP BY config_hash ORDER BY MIN(at)`);
  return {
    roundTrips: (r) => { const [from, to] = bounds(r); return trips.all({ from, to }).map(toTrip); },
    dailyPnl: (r) => daily.all(...bounds(r)).map((d) => ({
      date: tradingDate(d.trading_date), realised: krw(d.realised_pnl), unrealised: krw(d.unrealised_pnl), fees: krw(d.fees),
      tax: krw(d.tax), equity: krw(d.equity), peakEquity: krw(d.peak_equity), drawdown: krw(d.drawdown), drawdownBp: d.drawdown_bp,
    })),
    guardStats: (r) => guards.all(...bounds(r)),
    configs: (r) => configs.all(...bounds(r)).map((c) => ({ ...c, from: epochMs(c.from), to: epochMs(c.to) })),
    names(symbols, dates) {
      if (symbols.length === 0 || dates.length === 0) return {};
      // the scans of those days only (scan_snapshots_by_date): a months-old log holds millions of ranking rows
      const rows = db.prepare<string[], { symbol: string; name: string }>(`SELECT json_extract(r.value, '$.symbol') AS symbol,
          json_extract(r.value, '$.name') AS name
        FROM scan_snapshots s, json_each(s.parsed_rows) r
        WHERE s.trading_date IN (${dates.map(() => '?').join(',')})
          AND json_extract(r.value, '$.symbol') IN (${symbols.map(() => '?').join(',')})
        ORDER BY s.id DESC`).all(...dates, ...symbols);
      const names: Record<string, string> = {};
      for (const r of rows) if (!(r.symbol in names) && r.name && r.name !== r.symbol) names[r.symbol] = r.name;
      return names;
    },
  };
}
