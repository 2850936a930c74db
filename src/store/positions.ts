import type { Database } from 'better-sqlite3';
import { computePositions } from '../domain/index.js';
import { krw } from '../domain/index.js';
import type { DayRealizedPnl, Krw, Position, PositionRepo, StockCode, TradingDate } from '../domain/index.js';
import { SELECT_ACTIONS_SQL, toAction, toShareAdjustment } from './corporate-actions.js';
import type { ActionRow } from './corporate-actions.js';
import { toFillRecord } from './fills.js';
import type { FillRow } from './fills.js';

/**
 * The daemon's own positions: fills of orders it placed. Adopted external orders move the
 * broker's balance, not these — the daemon never manages (nor sells) what it did not buy.
 * Splits recorded at reconcile (corporate_actions) adjust the quantity and average price.
 */
export interface PositionRepository extends PositionRepo, DayRealizedPnl {
  /** open positions (qty > 0), by symbol */
  list(): Position[];
  /** every symbol ever traded, closed ones with qty 0 and their realised P&L */
  all(): Position[];
  /** null when the symbol was never traded */
  get(symbol: StockCode): Position | null;
  /**
   * The realised P&L of the fills of `date`: the book through that day minus the book before it,
   * both in integer won, so the day's figure is exact however earlier sells were rounded.
   */
  realizedOn(date: TradingDate): Krw;
}

export function createPositionRepository(db: Database): PositionRepository {
  const daemonFills = `SELECT f.* FROM fills f JOIN orders o ON o.id = f.order_id WHERE o.origin = 'daemon'`;
  const selectAll = db.prepare<[], FillRow>(`${daemonFills} ORDER BY f.id`);
  const selectSymbol = db.prepare<[string], FillRow>(`${daemonFills} AND f.symbol = ? ORDER BY f.id`);
  const selectActions = db.prepare<[], ActionRow>(SELECT_ACTIONS_SQL);
  const adjustments = () => selectActions.all().map((r) => toShareAdjustment(toAction(r)));
  const all = () => computePositions(selectAll.all().map(toFillRecord), adjustments());
  const realizedOf = (fills: readonly FillRow[]) =>
    computePositions(fills.map(toFillRecord), adjustments()).reduce((sum, p) => sum + p.realizedPnl, 0);
  return {
    list: () => all().filter((p) => p.qty > 0),
    all,
    realizedOn: (date) => {
      const fills = selectAll.all();
      return krw(realizedOf(fills.filter((f) => f.trading_date <= date)) - realizedOf(fills.filter((f) => f.trading_date < date)));
    },
    get: (symbol) => computePositions(selectSymbol.all(symbol).map(toFillRecord), adjustments().filter((a) => a.symbol === symbol))[0] ?? null,
  };
}
