import { describe, expect, it } from 'vitest';
import {
  AppError, epochMs, krw, makeFillKey, shares, stockCode, tradingDate,
} from '../../../src/domain/index.js';
import type { FillRecord, OrderRecord, Side, StockCode } from '../../../src/domain/index.js';
import type { Store } from '../../../src/store/index.js';
import { createTempStore, TEMP_STORE_START } from '../../helpers/temp-store.js';

const DATE = tradingDate('20260312');
const SAMSUNG = stockCode('005930');
const HYNIX = stockCode('000660');
const T0 = TEMP_STORE_START;

function thrown(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected an AppError, nothing was thrown');
}

let seq = 0;
/** an accepted daemon order with a venue order id */
function order(store: Store, symbol: StockCode, side: Side, qty: number, price: number): OrderRecord {
  seq += 1;
  const o = store.orders.insertIntent({
    intentKey: `i.test.${symbol}.${side}.${seq}`, symbol, side, type: 'limit', qty: shares(qty), price: krw(price),
    tradingDate: DATE, decisionId: null, configHash: 'cfg', reason: 'test',
  }, T0).order;
  const venueOrderId = String(seq).padStart(10, '0');
  store.orders.transition(o.id, 'pending', 'submitting', {}, 'submit', {}, T0);
  return store.orders.transition(o.id, 'submitting', 'accepted', { venueOrderId, branch: '06010' }, 'accepted', {}, T0)!;
}

/** one fill of `o` bringing its cumulative quantity to `cumulative` */
function fill(o: OrderRecord, qty: number, price: number, cumulative: number, fees: { commission: number; tax: number }): Omit<FillRecord, 'id'> {
  return {
    fillKey: makeFillKey(DATE, o.venueOrderId!, cumulative), orderId: o.id, symbol: o.symbol, side: o.side,
    qty: shares(qty), price: krw(price), value: krw(qty * price), commission: krw(fees.commission), tax: krw(fees.tax),
    tradingDate: DATE, at: epochMs(T0 + cumulative * 1000),
  };
}

const NO_FEES = { commission: 0, tax: 0 };

describe('fills.record', () => {
  it('records a fill once: a repeated fill key changes nothing and filled_qty is not double counted', () => {
    const { store } = createTempStore();
    const o = order(store, SAMSUNG, 'buy', 10, 70000);
    const first = store.fills.record(fill(o, 4, 70000, 4, { commission: 42, tax: 0 }));
    expect(first.inserted).toBe(true);
    expect(first.fill).toMatchObject({ orderId: o.id, qty: 4, value: 280000, commission: 42 });
    expect(store.orders.byId(o.id)?.filledQty).toBe(4);
    const eventsAfterFirst = store.orders.events(o.id).length;

    const repeat = store.fills.record(fill(o, 4, 70000, 4, { commission: 42, tax: 0 }));
    expect(repeat).toEqual({ inserted: false, fill: first.fill });
    expect(store.orders.byId(o.id)?.filledQty).toBe(4);
    expect(store.fills.forOrder(o.id)).toHaveLength(1);
    expect(store.orders.events(o.id)).toHaveLength(eventsAfterFirst);

    store.fills.record(fill(o, 6, 70000, 10, NO_FEES));
    expect(store.orders.byId(o.id)?.filledQty).toBe(10);
    const fillEvents = store.orders.events(o.id).filter((e) => e.event === 'fill');
    expect(fillEvents.map((e) => e.details.filledQty)).toEqual([4, 10]);
    expect(fillEvents.every((e) => e.fromStatus === 'accepted' && e.toStatus === 'accepted')).toBe(true);
  });

  it('keeps a filled_qty the venue already reported above the recorded fills', () => {
    const { store } = createTempStore();
    const o = order(store, SAMSUNG, 'buy', 10, 70000);
    store.orders.transition(o.id, 'accepted', 'partial', { filledQty: shares(7) }, 'reconcile', {}, T0);
    store.fills.record(fill(o, 4, 70000, 4, NO_FEES));
    expect(store.orders.byId(o.id)?.filledQty).toBe(7);
  });

  it('refuses a fill for an unknown order, a mismatched side, or beyond the order quantity, writing nothing', () => {
    const { store } = createTempStore();
    const o = order(store, SAMSUNG, 'buy', 10, 70000);
    expect(thrown(() => store.fills.record({ ...fill(o, 1, 70000, 1, NO_FEES), orderId: 999 })).code).toBe('STORE_INVARIANT');
    expect(thrown(() => store.fills.record({ ...fill(o, 1, 70000, 1, NO_FEES), side: 'sell' })).code).toBe('STORE_INVARIANT');
    expect(thrown(() => store.fills.record(fill(o, 11, 70000, 11, NO_FEES))).code).toBe('STORE_INVARIANT');
    expect(store.fills.all()).toEqual([]);
    expect(store.orders.byId(o.id)?.filledQty).toBe(0);
  });

  it('STRICT rejects a fractional value', () => {
    const { store } = createTempStore();
    const o = order(store, SAMSUNG, 'buy', 10, 71500);
    const bad = { ...fill(o, 1, 71500, 1, NO_FEES), value: 71500.5 as ReturnType<typeof krw> };
    expect(thrown(() => store.fills.record(bad)).code).toBe('STORE_INVARIANT');
    expect(store.fills.all()).toEqual([]);
  });

  it('is append-only: UPDATE and DELETE on fills abort', () => {
    const { store } = createTempStore();
    const o = order(store, SAMSUNG, 'buy', 10, 70000);
    store.fills.record(fill(o, 10, 70000, 10, NO_FEES));
    expect(() => store.db.prepare('UPDATE fills SET qty = 1').run()).toThrow(/append-only/);
    expect(() => store.db.prepare('DELETE FROM fills').run()).toThrow(/append-only/);
    expect(store.fills.all().map((f) => f.qty)).toEqual([10]);
  });

  it('lists fills by order, by date and overall, oldest first', () => {
    const { store } = createTempStore();
    const a = order(store, SAMSUNG, 'buy', 10, 70000);
    const b = order(store, HYNIX, 'buy', 2, 190000);
    const f1 = store.fills.record(fill(a, 5, 70000, 5, NO_FEES)).fill;
    const f2 = store.fills.record(fill(b, 2, 190000, 2, NO_FEES)).fill;
    const f3 = store.fills.record(fill(a, 5, 70000, 10, NO_FEES)).fill;
    expect(store.fills.forOrder(a.id)).toEqual([f1, f3]);
    expect(store.fills.forDate(DATE)).toEqual([f1, f2, f3]);
    expect(store.fills.forDate(tradingDate('20260313'))).toEqual([]);
    expect(store.fills.all()).toEqual([f1, f2, f3]);
  });
});

describe('positions', () => {
  it('average cost and realised P&L net of fees over buy, buy, then a sell filled in two parts', () => {
    const { store } = createTempStore();
    const buy1 = order(store, SAMSUNG, 'buy', 10, 70000);
    const buy2 = order(store, SAMSUNG, 'buy', 10, 72000);
    const sell = order(store, SAMSUNG, 'sell', 15, 75000);
    store.fills.record(fill(buy1, 10, 70000, 10, { commission: 105, tax: 0 }));
    store.fills.record(fill(buy2, 10, 72000, 10, { commission: 108, tax: 0 }));

    // cost 700,000 + 105 + 720,000 + 108 = 1,420,213 for 20 shares; avg 71,010.65 → 71,011
    expect(store.positions.get(SAMSUNG)).toEqual({ symbol: SAMSUNG, qty: 20, cost: 1_420_213, avgPrice: 71_011, realizedPnl: 0 });

    // 5 sold at 75,000: proceeds 375,000 − 56 − 750 = 374,194; released 1,420,213 × 5/20 = 355,053.25 → 355,053
    // realised 374,194 − 355,053 = 19,141; left 15 shares costing 1,065,160 (avg 71,010.67 → 71,011)
    store.fills.record(fill(sell, 5, 75000, 5, { commission: 56, tax: 750 }));
    expect(store.positions.get(SAMSUNG)).toEqual({ symbol: SAMSUNG, qty: 15, cost: 1_065_160, avgPrice: 71_011, realizedPnl: 19_141 });

    // 3 more at 76,000: proceeds 228,000 − 34 − 456 = 227,510; released 1,065,160 × 3/15 = 213,032
    // realised 19,141 + 14,478 = 33,619; left 12 shares costing 852,128
    store.fills.record({ ...fill(sell, 3, 76000, 8, { commission: 34, tax: 456 }) });
    const p = store.positions.get(SAMSUNG);
    expect(p).toEqual({ symbol: SAMSUNG, qty: 12, cost: 852_128, avgPrice: 71_011, realizedPnl: 33_619 });
    expect(store.orders.byId(sell.id)?.filledQty).toBe(8);

    // the SQL view agrees on the quantities and gross values
    const view = store.db.prepare<[string], Record<string, number>>('SELECT * FROM positions WHERE symbol = ?').get(SAMSUNG);
    expect(view).toMatchObject({ net_qty: 12, buy_value: 1_420_000, sell_value: 603_000, commission: 303, tax: 1_206, fill_count: 4 });
  });

  it('list() holds open positions only; all() keeps closed ones with their P&L; get() is null for never traded', () => {
    const { store } = createTempStore();
    const b1 = order(store, HYNIX, 'buy', 2, 190000);
    const s1 = order(store, HYNIX, 'sell', 2, 195000);
    const b2 = order(store, SAMSUNG, 'buy', 1, 70000);
    store.fills.record(fill(b1, 2, 190000, 2, { commission: 57, tax: 0 }));
    store.fills.record(fill(s1, 2, 195000, 2, { commission: 58, tax: 780 }));
    store.fills.record(fill(b2, 1, 70000, 1, NO_FEES));
    // HYNIX: 390,000 − 58 − 780 − (380,000 + 57) = 9,105
    expect(store.positions.list()).toEqual([{ symbol: SAMSUNG, qty: 1, cost: 70000, avgPrice: 70000, realizedPnl: 0 }]);
    expect(store.positions.all()).toEqual([
      { symbol: HYNIX, qty: 0, cost: 0, avgPrice: 0, realizedPnl: 9_105 },
      { symbol: SAMSUNG, qty: 1, cost: 70000, avgPrice: 70000, realizedPnl: 0 },
    ]);
    expect(store.positions.get(stockCode('035420'))).toBeNull();
  });
});
