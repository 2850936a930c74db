import type { Database } from 'better-sqlite3';
import { epochMs, krw, shares, tradingDate } from '../domain/index.js';
import type { DailyMark, DailySummary, DailySummaryRepo, TradingDate } from '../domain/index.js';
import { parseJson, rethrowAsInvariant } from './sqlite-errors.js';

/** The after-close summary of each trading day (migrations/0004); v_daily_pnl reads it. */
export interface DailySummaryRepository extends DailySummaryRepo {
  upsert(s: DailySummary): void;
  forDate(date: TradingDate): DailySummary | null;
  /** oldest first */
  all(): DailySummary[];
}

interface SummaryRow {
  trading_date: string;
  at: number;
  equity: number;
  cash: number;
  realised_pnl: number;
  unrealised_pnl: number;
  commission: number;
  tax: number;
  orders: number;
  fills: number;
  decisions: number;
  entries_decided: number;
  marks: string;
  config_hash: string;
}

function toSummary(r: SummaryRow): DailySummary {
  const marks: Record<string, DailyMark> = {};
  for (const [symbol, m] of Object.entries(parseJson<Record<string, { qty: number; price: number | null; cost: number }>>(r.marks))) {
    marks[symbol] = { qty: shares(m.qty), price: m.price === null ? null : krw(m.price), cost: krw(m.cost) };
  }
  return {
    tradingDate: tradingDate(r.trading_date), at: epochMs(r.at), equity: krw(r.equity), cash: krw(r.cash),
    realisedPnl: krw(r.realised_pnl), unrealisedPnl: krw(r.unrealised_pnl), commission: krw(r.commission), tax: krw(r.tax),
    orders: r.orders, fills: r.fills, decisions: r.decisions, entriesDecided: r.entries_decided, marks, configHash: r.config_hash,
  };
}

export function createDailySummaryRepository(db: Database): DailySummaryRepository {
  const upsert = db.prepare(`
    INSERT INTO daily_summaries (trading_date, at, equity, cash, realised_pnl, unrealised_pnl, commission, tax,
                                 orders, fills, decisions, entries_decided, marks, config_hash)
    VALUES (@tradingDate, @at, @equity, @cash, @realisedPnl, @unrealisedPnl, @commission, @tax,
            @orders, @fills, @decisions, @entriesDecided, @marks, @configHash)
    ON CONFLICT (trading_date) DO UPDATE SET
      at = excluded.at, equity = excluded.equity, cash = excluded.cash, realised_pnl = excluded.realised_pnl,
      unrealised_pnl = excluded.unrealised_pnl, commission = excluded.commission, tax = excluded.tax,
      orders = excluded.orders, fills = excluded.fills, decisions = excluded.decisions,
      entries_decided = excluded.entries_decided, marks = excluded.marks, config_hash = excluded.config_hash`);
  const selectOne = db.prepare<[string], SummaryRow>('SELECT * FROM daily_summaries WHERE trading_date = ?');
  const selectAll = db.prepare<[], SummaryRow>('SELECT * FROM daily_summaries ORDER BY trading_date');
  return {
    upsert: (s) => {
      try {
        upsert.run({ ...s, marks: JSON.stringify(s.marks) });
      } catch (err) {
        rethrowAsInvariant(err, `cannot record the daily summary of ${s.tradingDate}`, { tradingDate: s.tradingDate });
      }
    },
    forDate: (date) => {
      const row = selectOne.get(date);
      return row ? toSummary(row) : null;
    },
    all: () => selectAll.all().map(toSummary),
  };
}
