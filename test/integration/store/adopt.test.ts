import { describe, expect, it } from 'vitest';
import { epochMs, krw, shares, stockCode, tradingDate } from '../../../src/domain/index.js';
import type { Holding } from '../../../src/domain/index.js';
import { adoptIntoTradeLog, noteTradeLogBirth, markTradeLogChecked } from '../../../src/store/index.js';
import { createTempStore } from '../../helpers/temp-store.js';

/** `kis-trader adopt` on the trade log itself (issue 9 item 3): what it writes, and that it writes it once. */
const DATE = tradingDate('20260312');
const A = stockCode('005930');
const B = stockCode('000660');
const holding = (symbol: typeof A, qty: number, avgPrice: number): Holding => ({
  symbol, name: symbol, qty: shares(qty), sellableQty: shares(qty), avgPrice: krw(avgPrice), price: krw(avgPrice),
});

describe('adoptIntoTradeLog', () => {
  it("makes today's external orders the daemon's and the rest of the broker's holdings a position at its average price", () => {
    const t = createTempStore();
    const s = t.store;
    const at = t.clock.now();
    // reconcile adopted a filled external buy of 3 A today; the broker also holds 10 B from before
    const ext = s.orders.insertExternal({ venueOrderId: '0000000101', branch: '06010', symbol: A, side: 'buy', type: 'market', qty: shares(3), price: krw(0), tradingDate: DATE, status: 'accepted' }, at);
    s.fills.record({ fillKey: `${DATE}.0000000101.3`, orderId: ext.id, symbol: A, side: 'buy', qty: shares(3), price: krw(70_000), value: krw(210_000), commission: krw(31), tax: krw(0), tradingDate: DATE, at });
    expect(s.positions.list()).toEqual([]);

    const r = adoptIntoTradeLog(s.db, { date: DATE, holdings: [holding(A, 3, 70_000), holding(B, 10, 150_250)], at });
    expect(r.orders.map((o) => o.id)).toEqual([ext.id]);
    expect(r.holdings).toMatchObject([{ symbol: B, qty: 10, avgPrice: 150_250 }]);
    expect(s.orders.byId(ext.id)?.origin).toBe('daemon');
    expect(s.orders.events(ext.id).at(-1)).toMatchObject({ event: 'adopted', fromStatus: 'accepted', toStatus: 'accepted' });
    expect(s.positions.list().map((p) => [p.symbol, p.qty, p.avgPrice])).toEqual([[B, 10, 150_250], [A, 3, 70_010]]);
    const synthetic = s.orders.byId(r.holdings[0]!.orderId);
    expect(synthetic).toMatchObject({ origin: 'daemon', status: 'filled', filledQty: 10, venueOrderId: null });
    expect(s.orders.events(synthetic!.id).map((e) => e.event)).toEqual(['adopted']);

    const again = adoptIntoTradeLog(s.db, { date: DATE, holdings: [holding(A, 3, 70_000), holding(B, 10, 150_250)], at: epochMs(at + 1000) });
    expect(again).toEqual({ orders: [], holdings: [], short: [] });
  });
});

describe('the trade log birth note', () => {
  it('is fresh only for a log without orders, until its first check', () => {
    const t = createTempStore();
    const at = t.clock.now();
    expect(noteTradeLogBirth(t.store.db, t.store.kv, at)).toBe(true);
    // a crash before the first reconcile: still fresh on the next start
    expect(noteTradeLogBirth(t.store.db, t.store.kv, at)).toBe(true);
    markTradeLogChecked(t.store.kv, at);
    expect(noteTradeLogBirth(t.store.db, t.store.kv, at)).toBe(false);
  });

  it('a log from before the note existed, with orders in it, is not fresh', () => {
    const t = createTempStore();
    t.store.orders.insertExternal({ venueOrderId: '0000000101', branch: '06010', symbol: A, side: 'buy', type: 'market', qty: shares(3), price: krw(0), tradingDate: DATE, status: 'accepted' }, t.clock.now());
    expect(noteTradeLogBirth(t.store.db, t.store.kv, t.clock.now())).toBe(false);
  });
});
