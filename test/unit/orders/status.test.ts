import { describe, expect, it } from 'vitest';
import { assertTransition, canTransition, isTerminal, sourcesOf } from '../../../src/domain/index.js';
import { reconcileHoldings, sellableQty } from '../../../src/orders/index.js';
import { krw, shares, stockCode, TERMINAL_STATUSES } from '../../../src/domain/index.js';
import type { OrderStatus } from '../../../src/domain/index.js';

const ALL: OrderStatus[] = ['pending', 'submitting', 'accepted', 'partial', 'filled', 'cancelled', 'expired', 'rejected', 'unknown', 'failed'];

describe('order status transitions', () => {
  it('terminal statuses go nowhere', () => {
    for (const from of TERMINAL_STATUSES) for (const to of ALL) expect(canTransition(from, to)).toBe(false);
    expect(ALL.filter(isTerminal).sort()).toEqual([...TERMINAL_STATUSES].sort());
  });
  it.each([
    ['pending', 'submitting', true], ['pending', 'accepted', false], ['submitting', 'unknown', true],
    ['unknown', 'submitting', false], ['accepted', 'unknown', false], ['unknown', 'failed', true],
    ['accepted', 'failed', false], ['partial', 'partial', true], ['accepted', 'rejected', true],
  ] as const)('%s → %s is %s', (from, to, ok) => {
    expect(canTransition(from, to)).toBe(ok);
    if (ok) expect(() => assertTransition(from, to)).not.toThrow();
    else expect(() => assertTransition(from, to)).toThrow(/cannot move/);
  });
  it('an unknown order can never be sent again: nothing leads back to pending or submitting', () => {
    expect(sourcesOf('pending')).toEqual([]);
    expect(sourcesOf('submitting')).toEqual(['pending']);
  });
});

describe('reconcileHoldings', () => {
  const A = stockCode('005930');
  const B = stockCode('000660');
  const h = (symbol: typeof A, qty: number, sellable = qty) => ({ symbol, name: '', qty: shares(qty), sellableQty: shares(sellable), avgPrice: krw(1000), price: krw(1000) });
  it('extra broker shares are external, fewer are an anomaly unless an order is working', () => {
    const d = reconcileHoldings({ daemon: [{ symbol: A, qty: shares(10) }, { symbol: B, qty: shares(5) }], broker: [h(A, 15), h(B, 2)], openOrderSymbols: new Set() });
    expect(d.external).toEqual([{ symbol: A, qty: 5 }]);
    expect(d.anomalies).toEqual([{ symbol: B, daemonQty: 5, brokerQty: 2 }]);
    expect(reconcileHoldings({ daemon: [{ symbol: B, qty: shares(5) }], broker: [h(B, 2)], openOrderSymbols: new Set([B]) }).anomalies).toEqual([]);
  });
  it('sellable quantity never exceeds the broker nor the daemon position', () => {
    expect(sellableQty(shares(10), h(A, 15, 12))).toBe(10);
    expect(sellableQty(shares(10), h(A, 15, 3))).toBe(3);
    expect(sellableQty(shares(10), undefined)).toBe(0);
  });
});
