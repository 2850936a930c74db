import type { Database } from 'better-sqlite3';
import { computePositions } from '../domain/index.js';
import type { EpochMs, Holding, StockCode, TradingDate } from '../domain/index.js';
import { toFillRecord } from './fills.js';
import type { FillRow } from './fills.js';
import { INSERT_EVENT_SQL } from './order-rows.js';
import type { EventParams } from './order-rows.js';

/**
 * A trade log that starts empty beside a broker account with holdings or orders today is a lost
 * log (deleted, truncated to 0 bytes) far more often than a first install: the daemon would adopt
 * its own orders of the day as `external` and never sell what it bought (issue 9 item 3). The
 * daemon remembers in kv when the log was born and whether that first look at the broker happened;
 * `kis-trader adopt` takes the account over as the daemon's own.
 */
export const TRADE_LOG_BIRTH_KEY = 'trade-log-birth';

export interface TradeLogBirth {
  at: EpochMs;
  /** true when the log had no order at all when this daemon first saw it */
  fresh: boolean;
  /** the first reconcile of a fresh log has compared it with the broker */
  checked: boolean;
}

/** The details.kind of the halt a fresh log beside a busy account sets; adopt lifts only that one. */
export const FRESH_LOG_HALT_KIND = 'fresh-trade-log';

interface Kv {
  get<T>(key: string): T | null;
  set(key: string, value: unknown, at: EpochMs): void;
}

/**
 * Called at daemon start before the first reconcile. Returns true while a fresh log still waits
 * for its first comparison with the broker (also after a crash in between).
 */
export function noteTradeLogBirth(db: Database, kv: Kv, at: EpochMs): boolean {
  const known = kv.get<TradeLogBirth>(TRADE_LOG_BIRTH_KEY);
  if (known) return known.fresh && !known.checked;
  const orders = (db.prepare('SELECT COUNT(*) AS n FROM orders').get() as { n: number }).n;
  const birth: TradeLogBirth = { at, fresh: orders === 0, checked: orders !== 0 };
  kv.set(TRADE_LOG_BIRTH_KEY, birth, at);
  return birth.fresh;
}

export function markTradeLogChecked(kv: Kv, at: EpochMs): void {
  const known = kv.get<TradeLogBirth>(TRADE_LOG_BIRTH_KEY);
  kv.set(TRADE_LOG_BIRTH_KEY, { at: known?.at ?? at, fresh: known?.fresh ?? true, checked: true }, at);
}

export interface AdoptResult {
  /** today's orders that were adopted as external and are now the daemon's */
  orders: { id: number; symbol: StockCode; side: string; qty: number; status: string }[];
  /** broker holdings the log had no fills for, now a position of the daemon at the broker's average price */
  holdings: { symbol: StockCode; qty: number; avgPrice: number; orderId: number }[];
  /** names where the broker holds less than the daemon's fills say: left alone */
  short: { symbol: StockCode; brokerQty: number; daemonQty: number }[];
}

/**
 * Takes the account over, in one transaction, recording every step as an order event:
 * 1. today's `external` orders become the daemon's own (origin 'daemon', event 'adopted');
 * 2. for each broker holding larger than the daemon's position after step 1, an order of kind
 *    'adopted holding' (status filled, no venue order id) with one fill of the difference at the
 *    broker's average purchase price, zero fees, so exits manage it like a position it bought.
 * Running it twice adopts nothing the second time.
 */
export function adoptIntoTradeLog(db: Database, input: { date: TradingDate; holdings: readonly Holding[]; at: EpochMs }): AdoptResult {
  const { date, at } = input;
  const insertEvent = db.prepare<EventParams>(INSERT_EVENT_SQL);
  const result: AdoptResult = { orders: [], holdings: [], short: [] };
  db.transaction(() => {
    const external = db.prepare<[string], { id: number; symbol: string; side: string; qty: number; status: string; venue_order_id: string | null }>(
      "SELECT id, symbol, side, qty, status, venue_order_id FROM orders WHERE origin = 'external' AND trading_date = ? ORDER BY id").all(date);
    const flip = db.prepare<[number, number]>("UPDATE orders SET origin = 'daemon', updated_at = ? WHERE id = ? AND origin = 'external'");
    for (const o of external) {
      flip.run(at, o.id);
      insertEvent.run({
        orderId: o.id, at, fromStatus: o.status, toStatus: o.status, event: 'adopted',
        details: JSON.stringify({ by: 'kis-trader adopt', from: 'external', venueOrderId: o.venue_order_id }),
      });
      result.orders.push({ id: o.id, symbol: o.symbol as StockCode, side: o.side, qty: o.qty, status: o.status });
    }

    const fills = db.prepare<[], FillRow>("SELECT f.* FROM fills f JOIN orders o ON o.id = f.order_id WHERE o.origin = 'daemon' ORDER BY f.id").all();
    const daemonQty = new Map(computePositions(fills.map(toFillRecord)).map((p) => [p.symbol, p.qty as number]));
    const brokerQty = new Map<StockCode, { qty: number; avgPrice: number }>();
    for (const h of input.holdings) {
      const prev = brokerQty.get(h.symbol);
      brokerQty.set(h.symbol, { qty: (prev?.qty ?? 0) + h.qty, avgPrice: h.avgPrice });
    }
    const insertOrder = db.prepare<Record<string, unknown>>(`
      INSERT INTO orders (intent_key, origin, symbol, side, type, qty, price, trading_date, status,
                          filled_qty, config_hash, reason, created_at, updated_at)
      VALUES (@intentKey, 'daemon', @symbol, 'buy', 'market', @qty, @price, @date, 'filled', @qty, '', @reason, @at, @at)`);
    const insertFill = db.prepare<Record<string, unknown>>(`
      INSERT INTO fills (fill_key, order_id, symbol, side, qty, price, value, commission, tax, trading_date, at)
      VALUES (@fillKey, @orderId, @symbol, 'buy', @qty, @price, @value, 0, 0, @date, @at)`);
    for (const [symbol, b] of brokerQty) {
      const own = daemonQty.get(symbol) ?? 0;
      if (b.qty < own) result.short.push({ symbol, brokerQty: b.qty, daemonQty: own });
      const extra = b.qty - own;
      if (extra <= 0) continue;
      const price = Math.max(0, Math.round(b.avgPrice));
      // 'a.' keys are their own kind, like external 'x.' ones: never a daemon intent ('i.…').
      const intentKey = `a.${date}.${symbol}.${at}`;
      const res = insertOrder.run({
        intentKey, symbol, qty: extra, price, date, at,
        reason: 'broker holding taken over by `kis-trader adopt` (the trade log had no fills for it)',
      });
      const orderId = Number(res.lastInsertRowid);
      insertFill.run({ fillKey: `adopt.${date}.${symbol}.${at}`, orderId, symbol, qty: extra, price, value: price * extra, date, at });
      insertEvent.run({
        orderId, at, fromStatus: null, toStatus: 'filled', event: 'adopted',
        details: JSON.stringify({ by: 'kis-trader adopt', brokerQty: b.qty, daemonQty: own, avgPrice: price }),
      });
      result.holdings.push({ symbol, qty: extra, avgPrice: price, orderId });
    }
  }).immediate();
  return result;
}
