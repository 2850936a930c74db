import type { Database } from 'better-sqlite3';
import { AppError, epochMs, krw, shares, stockCode, tradingDate } from '../domain/index.js';
import type { CorporateAction, CorporateActionInput, CorporateActionKind, CorporateActionRepo, ShareAdjustment } from '../domain/index.js';
import { rethrowAsInvariant } from './sqlite-errors.js';

/** Splits, bonus issues and reverse splits recorded at reconcile (migrations/0002). Append-only. */
export interface CorporateActionRepository extends CorporateActionRepo {
  record(a: CorporateActionInput): { inserted: boolean; action: CorporateAction };
  all(): CorporateAction[];
}

export interface ActionRow {
  id: number;
  symbol: string;
  kind: string;
  ratio_num: number;
  ratio_den: number;
  qty_before: number;
  qty_after: number;
  price_before: number;
  price_after: number;
  after_fill_id: number;
  trading_date: string;
  at: number;
}

export function toAction(r: ActionRow): CorporateAction {
  return {
    id: r.id, symbol: stockCode(r.symbol), kind: r.kind as CorporateActionKind, num: r.ratio_num, den: r.ratio_den,
    qtyBefore: shares(r.qty_before), qtyAfter: shares(r.qty_after), priceBefore: krw(r.price_before), priceAfter: krw(r.price_after),
    afterFillId: r.after_fill_id, tradingDate: tradingDate(r.trading_date), at: epochMs(r.at),
  };
}

/** What computePositions needs of an action. */
export function toShareAdjustment(a: CorporateAction): ShareAdjustment {
  return { symbol: a.symbol, num: a.num, den: a.den, afterFillId: a.afterFillId };
}

export const SELECT_ACTIONS_SQL = 'SELECT * FROM corporate_actions ORDER BY id';

export function createCorporateActionRepository(db: Database): CorporateActionRepository {
  const insert = db.prepare<CorporateActionInput>(`
    INSERT INTO corporate_actions (symbol, kind, ratio_num, ratio_den, qty_before, qty_after, price_before, price_after,
                                   after_fill_id, trading_date, at)
    VALUES (@symbol, @kind, @num, @den, @qtyBefore, @qtyAfter, @priceBefore, @priceAfter, @afterFillId, @tradingDate, @at)
    ON CONFLICT (symbol, after_fill_id, qty_before) DO NOTHING`);
  const selectOne = db.prepare<[string, number, number], ActionRow>(
    'SELECT * FROM corporate_actions WHERE symbol = ? AND after_fill_id = ? AND qty_before = ?');
  const selectAll = db.prepare<[], ActionRow>(SELECT_ACTIONS_SQL);
  const recordTx = db.transaction((a: CorporateActionInput) => {
    const inserted = insert.run(a).changes > 0;
    const row = selectOne.get(a.symbol, a.afterFillId, a.qtyBefore);
    if (!row) throw new AppError('STORE_INVARIANT', `corporate action of ${a.symbol} vanished inside its own transaction`);
    return { inserted, action: toAction(row) };
  });
  return {
    record: (a) => {
      try {
        return recordTx.immediate(a);
      } catch (err) {
        rethrowAsInvariant(err, `cannot record the corporate action of ${a.symbol}`, { ...a });
      }
    },
    all: () => selectAll.all().map(toAction),
  };
}
