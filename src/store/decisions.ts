import type { Database } from 'better-sqlite3';
import { epochMs, stockCode, tradingDate } from '../domain/index.js';
import type {
  DecisionInput, DecisionKind, DecisionOutcome, DecisionRepo, GuardVerdict, TradingDate,
} from '../domain/index.js';
import { parseJson, rethrowAsInvariant } from './sqlite-errors.js';
import type { DecisionRecord } from './types.js';

/** Every evaluation leaves a row, also "no trade", so each order can be explained afterwards. */
export interface DecisionRepository extends DecisionRepo {
  /** returns the new decision id, to put on the order intent */
  insert(d: DecisionInput): number;
  byId(id: number): DecisionRecord | null;
  /** oldest first */
  forDate(date: TradingDate): DecisionRecord[];
  /** the trading dates `from`..`to` (inclusive), by date, then id */
  forDates(from: TradingDate, to: TradingDate): DecisionRecord[];
}

interface DecisionRow {
  id: number;
  at: number;
  trading_date: string;
  symbol: string;
  kind: string;
  strategy: string;
  inputs: string;
  rule: string;
  guards: string;
  outcome: string;
  intent_key: string | null;
  config_hash: string;
}

function toDecisionRecord(r: DecisionRow): DecisionRecord {
  return {
    id: r.id,
    at: epochMs(r.at),
    tradingDate: tradingDate(r.trading_date),
    symbol: stockCode(r.symbol),
    kind: r.kind as DecisionKind,
    strategy: r.strategy,
    inputs: parseJson<Record<string, unknown>>(r.inputs),
    rule: r.rule,
    guards: parseJson<GuardVerdict[]>(r.guards),
    outcome: r.outcome as DecisionOutcome,
    intentKey: r.intent_key,
    configHash: r.config_hash,
  };
}

export function createDecisionRepository(db: Database): DecisionRepository {
  const insert = db.prepare<Record<string, unknown>>(`
    INSERT INTO decisions (at, trading_date, symbol, kind, strategy, inputs, rule, guards, outcome, intent_key, config_hash)
    VALUES (@at, @tradingDate, @symbol, @kind, @strategy, @inputs, @rule, @guards, @outcome, @intentKey, @configHash)`);
  const selectById = db.prepare<[number], DecisionRow>('SELECT * FROM decisions WHERE id = ?');
  // (trading_date, id) is the decisions_by_date index: a range scan, no sort
  const selectForDates = db.prepare<[string, string], DecisionRow>(
    'SELECT * FROM decisions WHERE trading_date BETWEEN ? AND ? ORDER BY trading_date, id');
  return {
    insert: (d) => {
      try {
        const res = insert.run({ ...d, inputs: JSON.stringify(d.inputs), guards: JSON.stringify(d.guards) });
        return Number(res.lastInsertRowid);
      } catch (err) {
        rethrowAsInvariant(err, `cannot record decision for ${d.symbol}`, { symbol: d.symbol, strategy: d.strategy });
      }
    },
    byId: (id) => {
      const row = selectById.get(id);
      return row ? toDecisionRecord(row) : null;
    },
    forDate: (date) => selectForDates.all(date, date).map(toDecisionRecord),
    forDates: (from, to) => selectForDates.all(from, to).map(toDecisionRecord),
  };
}
