import type { Database } from 'better-sqlite3';
import { AppError, assertTransition, sourcesOf } from '../domain/index.js';
import type { EpochMs, OrderIntent, OrderPatch, OrderRecord, OrderRepo, OrderStatus, TradingDate } from '../domain/index.js';
import { INSERT_EVENT_SQL, toOrderEvent, toOrderRecord } from './order-rows.js';
import type { EventParams, OrderEventRow, OrderRow } from './order-rows.js';
import { rethrowAsInvariant } from './sqlite-errors.js';
import type { ExternalOrder, OrderEvent } from './types.js';

/** The domain's OrderRepo (src/domain/store-ports.ts) plus the lookups reconcile and the CLI need. */
export interface OrderRepository extends OrderRepo {
  /**
   * Records an order intent before anything is sent (docs/architecture.md §2 rule 1). A second call with the
   * same intentKey writes nothing and returns the original row with inserted=false.
   */
  insertIntent(intent: OrderIntent, at: EpochMs): { inserted: boolean; order: OrderRecord };
  /** Adopts an order somebody else placed on the account; idempotent per (date, venue order id). */
  insertExternal(o: ExternalOrder, at: EpochMs): OrderRecord;
  /**
   * Compare-and-set: moves the order to `to` only if its current status is `from` (null: any
   * status from which the order state table, domain/order-status.ts, reaches `to`), and appends
   * the event in the same transaction. Returns null, writing nothing, otherwise. The table is the
   * write gate: a `from` it does not allow is a bug, ORDER_INVALID_TRANSITION, whatever the row says.
   * filledQty in the patch never lowers the stored value.
   */
  transition(
    id: number, from: OrderStatus | null, to: OrderStatus, patch: OrderPatch,
    event: string, details: Record<string, unknown>, at: EpochMs,
  ): OrderRecord | null;
  /** an event in the order's history without a status change (e.g. 'cancel-requested') */
  note(id: number, event: string, details: Record<string, unknown>, at: EpochMs): void;
  byVenueOrderId(date: TradingDate, venueOrderId: string): OrderRecord | null;
  /** the status history of one order, oldest first */
  events(orderId: number): OrderEvent[];
  /** the orders of the trading dates `from`..`to` (inclusive), by date, then id */
  forDates(from: TradingDate, to: TradingDate): OrderRecord[];
}

/** Adopted orders get a key of their own kind, so they can never collide with a daemon intent ('i.…'). */
export function externalIntentKey(date: TradingDate, venueOrderId: string): string {
  return `x.${date}.${venueOrderId}`;
}

export function createOrderRepository(db: Database): OrderRepository {
  const insertOrder = db.prepare<Record<string, unknown>>(`
    INSERT INTO orders (intent_key, origin, symbol, side, type, qty, price, trading_date, status,
                        venue_order_id, branch, filled_qty, decision_id, config_hash, reason, created_at, updated_at)
    VALUES (@intentKey, @origin, @symbol, @side, @type, @qty, @price, @tradingDate, @status,
            @venueOrderId, @branch, @filledQty, @decisionId, @configHash, @reason, @at, @at)
    ON CONFLICT (intent_key) DO NOTHING`);
  const insertEvent = db.prepare<EventParams>(INSERT_EVENT_SQL);
  const selectById = db.prepare<[number], OrderRow>('SELECT * FROM orders WHERE id = ?');
  const selectByKey = db.prepare<[string], OrderRow>('SELECT * FROM orders WHERE intent_key = ?');
  const selectByVenue = db.prepare<[string, string], OrderRow>(
    'SELECT * FROM orders WHERE trading_date = ? AND venue_order_id = ?');
  const selectWithStatus = db.prepare<[string], OrderRow>(
    'SELECT * FROM orders WHERE status IN (SELECT value FROM json_each(?)) ORDER BY id');
  // (trading_date, id) is the orders_by_date index: a range scan, no sort
  const selectForDates = db.prepare<[string, string], OrderRow>(
    'SELECT * FROM orders WHERE trading_date BETWEEN ? AND ? ORDER BY trading_date, id');
  const selectEvents = db.prepare<[number], OrderEventRow>('SELECT * FROM order_events WHERE order_id = ? ORDER BY id');
  // COALESCE keeps a column when the patch leaves it out; filled_qty only ever grows.
  const update = db.prepare<Record<string, unknown>, OrderRow>(`
    UPDATE orders SET
      status = @to,
      qty = COALESCE(@qty, qty),
      venue_order_id = COALESCE(@venueOrderId, venue_order_id),
      branch = COALESCE(@branch, branch),
      filled_qty = MAX(filled_qty, COALESCE(@filledQty, 0)),
      reject_code = COALESCE(@rejectCode, reject_code),
      reject_message = COALESCE(@rejectMessage, reject_message),
      submitted_at = COALESCE(@submittedAt, submitted_at),
      updated_at = @at
    WHERE id = @id AND status = @current
    RETURNING *`);

  const mustGet = (id: number): OrderRecord => {
    const row = selectById.get(id);
    if (!row) throw new AppError('STORE_INVARIANT', `order #${id} vanished inside its own transaction`);
    return toOrderRecord(row);
  };

  const insertIntentTx = db.transaction((intent: OrderIntent, at: EpochMs) => {
    const res = insertOrder.run({
      intentKey: intent.intentKey, origin: 'daemon', symbol: intent.symbol, side: intent.side, type: intent.type,
      qty: intent.qty, price: intent.price, tradingDate: intent.tradingDate, status: 'pending',
      venueOrderId: null, branch: null, filledQty: 0, decisionId: intent.decisionId,
      configHash: intent.configHash, reason: intent.reason, at,
    });
    if (res.changes === 0) {
      const existing = selectByKey.get(intent.intentKey);
      if (!existing) throw new AppError('STORE_INVARIANT', `intent ${intent.intentKey} conflicted but cannot be read`);
      const order = toOrderRecord(existing);
      // Same key, different instrument: the key derivation is broken, not a harmless repeat.
      if (order.symbol !== intent.symbol || order.side !== intent.side || order.tradingDate !== intent.tradingDate) {
        throw new AppError('STORE_INVARIANT', `intent key ${intent.intentKey} already names a different order (#${order.id})`, {
          details: { intentKey: intent.intentKey, existing: { symbol: order.symbol, side: order.side, tradingDate: order.tradingDate } },
        });
      }
      return { inserted: false, order };
    }
    const id = Number(res.lastInsertRowid);
    insertEvent.run({
      orderId: id, at, fromStatus: null, toStatus: 'pending', event: 'intent',
      details: JSON.stringify({ qty: intent.qty, price: intent.price, type: intent.type, decisionId: intent.decisionId }),
    });
    return { inserted: true, order: mustGet(id) };
  });

  const insertExternalTx = db.transaction((o: ExternalOrder, at: EpochMs) => {
    const intentKey = externalIntentKey(o.tradingDate, o.venueOrderId);
    const existing = selectByVenue.get(o.tradingDate, o.venueOrderId);
    if (existing) {
      if (existing.intent_key === intentKey) return toOrderRecord(existing);
      throw new AppError('STORE_INVARIANT',
        `venue order ${o.venueOrderId} of ${o.tradingDate} already belongs to order #${existing.id} (${existing.intent_key})`,
        { details: { venueOrderId: o.venueOrderId, tradingDate: o.tradingDate, orderId: existing.id } });
    }
    const res = insertOrder.run({
      intentKey, origin: 'external', symbol: o.symbol, side: o.side, type: o.type, qty: o.qty, price: o.price,
      tradingDate: o.tradingDate, status: o.status, venueOrderId: o.venueOrderId, branch: o.branch,
      filledQty: o.filledQty ?? 0, decisionId: null, configHash: '', reason: 'placed outside kis-trader; adopted on reconcile', at,
    });
    if (res.changes === 0) {
      const again = selectByKey.get(intentKey);
      if (again) return toOrderRecord(again);
      throw new AppError('STORE_INVARIANT', `external order ${intentKey} conflicted but cannot be read`);
    }
    const id = Number(res.lastInsertRowid);
    insertEvent.run({
      orderId: id, at, fromStatus: null, toStatus: o.status, event: 'reconcile-found',
      details: JSON.stringify({ origin: 'external', venueOrderId: o.venueOrderId, filledQty: o.filledQty ?? 0 }),
    });
    return mustGet(id);
  });

  const transitionTx = db.transaction((
    id: number, from: OrderStatus | null, to: OrderStatus, patch: OrderPatch,
    event: string, details: Record<string, unknown>, at: EpochMs,
  ): OrderRecord | null => {
    if (from !== null) assertTransition(from, to);
    const current = selectById.get(id);
    if (!current) throw new AppError('STORE_INVARIANT', `transition of unknown order #${id}`, { details: { id, to, event } });
    const legal: readonly string[] = from === null ? sourcesOf(to) : [from];
    if (!legal.includes(current.status)) return null;
    const row = update.get({
      id, current: current.status, to, at, qty: patch.qty ?? null,
      venueOrderId: patch.venueOrderId ?? null, branch: patch.branch ?? null, filledQty: patch.filledQty ?? null,
      rejectCode: patch.rejectCode ?? null, rejectMessage: patch.rejectMessage ?? null, submittedAt: patch.submittedAt ?? null,
    });
    if (!row) return null;
    insertEvent.run({ orderId: id, at, fromStatus: current.status, toStatus: to, event, details: JSON.stringify(details) });
    return toOrderRecord(row);
  });

  const noteTx = db.transaction((id: number, event: string, details: Record<string, unknown>, at: EpochMs) => {
    const current = selectById.get(id);
    if (!current) throw new AppError('STORE_INVARIANT', `event ${event} for unknown order #${id}`, { details: { id, event } });
    insertEvent.run({ orderId: id, at, fromStatus: current.status, toStatus: current.status, event, details: JSON.stringify(details) });
  });

  return {
    insertIntent: (intent, at) => {
      try {
        return insertIntentTx.immediate(intent, at);
      } catch (err) {
        rethrowAsInvariant(err, `cannot record intent ${intent.intentKey}`, { intentKey: intent.intentKey });
      }
    },
    insertExternal: (o, at) => {
      try {
        return insertExternalTx.immediate(o, at);
      } catch (err) {
        rethrowAsInvariant(err, `cannot adopt external order ${o.venueOrderId}`, { venueOrderId: o.venueOrderId });
      }
    },
    transition: (id, from, to, patch, event, details, at) => {
      try {
        return transitionTx.immediate(id, from, to, patch, event, details, at);
      } catch (err) {
        rethrowAsInvariant(err, `cannot move order #${id} to ${to}`, { id, to, event });
      }
    },
    note: (id, event, details, at) => {
      noteTx.immediate(id, event, details, at);
    },
    byIntentKey: (key) => {
      const row = selectByKey.get(key);
      return row ? toOrderRecord(row) : null;
    },
    byId: (id) => {
      const row = selectById.get(id);
      return row ? toOrderRecord(row) : null;
    },
    byVenueOrderId: (date, venueOrderId) => {
      const row = selectByVenue.get(date, venueOrderId);
      return row ? toOrderRecord(row) : null;
    },
    withStatus: (statuses) => selectWithStatus.all(JSON.stringify(statuses)).map(toOrderRecord),
    forDate: (date) => selectForDates.all(date, date).map(toOrderRecord),
    forDates: (from, to) => selectForDates.all(from, to).map(toOrderRecord),
    events: (orderId) => selectEvents.all(orderId).map(toOrderEvent),
  };
}
