import type { Database } from 'better-sqlite3';
import type { TradingDate } from '../domain/index.js';

/**
 * The rows `kis-trader export` writes, as SQLite returns them (column names and raw values), for
 * trading dates from..to inclusive. Round trips and daily P&L are the views users query
 * themselves (README "SQL interface"), read with `SELECT *` so a column added there is exported
 * too; a round trip belongs to the KST date it opened (its trading_date).
 */
export type ExportName = 'orders' | 'fills' | 'round_trips' | 'daily_pnl';

export const EXPORT_NAMES: readonly ExportName[] = ['orders', 'fills', 'round_trips', 'daily_pnl'];

export interface ExportRows {
  columns: string[];
  rows: unknown[][];
}

const SQL: Record<ExportName, string> = {
  // what a spreadsheet user reads an order by: no JSON columns; the decision's rule and outcome beside it
  orders: `
    SELECT o.id, o.trading_date, o.created_at, o.origin, o.strategy, o.symbol, o.side, o.type, o.qty, o.price,
           o.status, o.filled_qty, o.venue_order_id, o.reason, o.reject_code, o.reject_message,
           d.rule, d.outcome, o.decision_id, o.config_hash
    FROM orders o LEFT JOIN decisions d ON d.id = o.decision_id
    WHERE o.trading_date BETWEEN @from AND @to ORDER BY o.trading_date, o.id`,
  fills: 'SELECT * FROM fills WHERE trading_date BETWEEN @from AND @to ORDER BY trading_date, id',
  round_trips: 'SELECT * FROM v_round_trips WHERE trading_date BETWEEN @from AND @to ORDER BY opened_at, entry_order_id',
  daily_pnl: 'SELECT * FROM v_daily_pnl WHERE trading_date BETWEEN @from AND @to ORDER BY trading_date',
};

export function exportRows(db: Database, name: ExportName, from: TradingDate, to: TradingDate): ExportRows {
  const stmt = db.prepare<{ from: string; to: string }, unknown[]>(SQL[name]).raw(true);
  return { columns: stmt.columns().map((c) => c.name), rows: stmt.all({ from, to }) };
}
