import type { Database } from 'better-sqlite3';
import { AppError, epochMs, krw, shares, stockCode, tradingDate } from '../domain/index.js';
import type { Clock, FillRecord, FillRepo, Side, TradingDate } from '../domain/index.js';
import { INSERT_EVENT_SQL } from './order-rows.js';
import type { EventParams, OrderRow } from './order-rows.js';
import { rethrowAsInvariant } from './sqlite-errors.js';

export interface FillRepository extends FillRepo {
  /**
   * Records one venue fill exactly once: a repeated fillKey writes nothing and returns the stored
   * fill with inserted=false. A new fill raises orders.filled_qty to the sum of the order's fills
   * (never lowering it) and appends a 'fill' event, in the same transaction.
   */
  record(fill: Omit<FillRecord, 'id'>): { inserted: boolean; fill: FillRecord };
  forOrder(orderId: number): FillRecord[];
  forDate(date: TradingDate): FillRecord[];
  /** the fills of the trading dates `from`..`to` (inclusive), by date, then id */
  forDates(from: TradingDate, to: TradingDate): FillRecord[];
  /** every fill in the order it was recorded */
  all(): FillRecord[];
}

export interface FillRow {
  id: number;
  fill_key: string;
  order_id: number;
  symbol: string;
  side: string;
  qty: number;
  price: number;
  value: number;
  commission: number;
  tax: number;
  trading_date: string;
  at: number;
}

export function toFillRecord(r: FillRow): FillRecord {
  return {
    id: r.id,
    fillKey: r.fill_key,
    orderId: r.order_id,
    symbol: stockCode(r.symbol),
    side: r.side as Side,
    qty: shares(r.qty),
    price: krw(r.price),
    value: krw(r.value),
    commission: krw(r.commission),
    tax: krw(r.tax),
    tradingDate: tradingDate(r.trading_date),
    at: epochMs(r.at),
  };
}

export function createFillRepository(db: Database, clock: Clock): FillRepository {
  const insert = db.prepare<Omit<FillRecord, 'id'>>(`
    INSERT INTO fills (fill_key, order_id, symbol, side, qty, price, value, commission, tax, trading_date, at)
    VALUES (@fillKey, @orderId, @symbol, @side, @qty, @price, @value, @commission, @tax, @tradingDate, @at)
    ON CONFLICT (fill_key) DO NOTHING`);
  const selectOrder = db.prepare<[number], OrderRow>('SELECT * FROM orders WHERE id = ?');
  const selectByKey = db.prepare<[string], FillRow>('SELECT * FROM fills WHERE fill_key = ?');
  const selectById = db.prepare<[number], FillRow>('SELECT * FROM fills WHERE id = ?');
  const selectForOrder = db.prepare<[number], FillRow>('SELECT * FROM fills WHERE order_id = ? ORDER BY id');
  // (trading_date, id) is the fills_by_date index: a range scan, no sort
  const selectForDates = db.prepare<[string, string], FillRow>(
    'SELECT * FROM fills WHERE trading_date BETWEEN ? AND ? ORDER BY trading_date, id');
  const selectAll = db.prepare<[], FillRow>('SELECT * FROM fills ORDER BY id');
  // The sum of recorded fills, but never below what a transition already learned from the venue.
  const bumpFilled = db.prepare<{ orderId: number; at: number }, { status: string; filled_qty: number }>(`
    UPDATE orders SET
      filled_qty = MAX(filled_qty, (SELECT SUM(qty) FROM fills WHERE order_id = @orderId)),
      updated_at = @at
    WHERE id = @orderId
    RETURNING status, filled_qty`);
  const insertEvent = db.prepare<EventParams>(INSERT_EVENT_SQL);

  const recordTx = db.transaction((fill: Omit<FillRecord, 'id'>) => {
    const existing = selectByKey.get(fill.fillKey);
    if (existing) return { inserted: false, fill: toFillRecord(existing) };
    const order = selectOrder.get(fill.orderId);
    if (!order) {
      throw new AppError('STORE_INVARIANT', `fill ${fill.fillKey} for unknown order #${fill.orderId}`, {
        details: { fillKey: fill.fillKey, orderId: fill.orderId },
      });
    }
    if (order.symbol !== fill.symbol || order.side !== fill.side) {
      throw new AppError('STORE_INVARIANT',
        `fill ${fill.fillKey} (${fill.side} ${fill.symbol}) does not match order #${order.id} (${order.side} ${order.symbol})`,
        { details: { fillKey: fill.fillKey, orderId: order.id } });
    }
    const res = insert.run(fill);
    const id = Number(res.lastInsertRowid);
    const at = clock.now();
    const bumped = bumpFilled.get({ orderId: order.id, at });
    insertEvent.run({
      orderId: order.id, at, fromStatus: order.status, toStatus: order.status, event: 'fill',
      details: JSON.stringify({
        fillKey: fill.fillKey, qty: fill.qty, price: fill.price, value: fill.value, commission: fill.commission,
        tax: fill.tax, fillAt: fill.at, filledQty: bumped?.filled_qty ?? order.filled_qty,
      }),
    });
    const row = selectById.get(id);
    if (!row) throw new AppError('STORE_INVARIANT', `fill ${fill.fillKey} vanished inside its own transaction`);
    return { inserted: true, fill: toFillRecord(row) };
  });

  return {
    record: (fill) => {
      try {
        return recordTx.immediate(fill);
      } catch (err) {
        rethrowAsInvariant(err, `cannot record fill ${fill.fillKey}`, { fillKey: fill.fillKey, orderId: fill.orderId });
      }
    },
    forOrder: (orderId) => selectForOrder.all(orderId).map(toFillRecord),
    forDate: (date) => selectForDates.all(date, date).map(toFillRecord),
    forDates: (from, to) => selectForDates.all(from, to).map(toFillRecord),
    all: () => selectAll.all().map(toFillRecord),
  };
}
