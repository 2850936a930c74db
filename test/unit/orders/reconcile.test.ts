import { describe, expect, it } from 'vitest';
import { krw, shares, stockCode } from '../../../src/domain/index.js';
import { reconcileOrders, statusFromVenue } from '../../../src/orders/index.js';
import type { ReconcileInput } from '../../../src/orders/index.js';
import { DAY, at, localOrder, venueOrder } from '../../helpers/builders.js';

function input(p: Partial<ReconcileInput>): ReconcileInput {
  return { date: DAY, now: at('100500'), graceMs: 90_000, skewMs: 60_000, sessionOver: false, local: [], recordedValue: new Map(), venue: [], ...p };
}

describe('statusFromVenue', () => {
  it.each([
    [{ filledQty: shares(10), remainingQty: shares(0) }, false, 'filled'],
    [{ filledQty: shares(0), remainingQty: shares(10) }, false, 'accepted'],
    [{ filledQty: shares(4), remainingQty: shares(6) }, false, 'partial'],
    [{ filledQty: shares(4), remainingQty: shares(6) }, true, 'expired'],
    [{ filledQty: shares(4), remainingQty: shares(0), cancelledQty: shares(6) }, false, 'cancelled'],
    [{ filledQty: shares(0), remainingQty: shares(0), rejectedQty: shares(10) }, false, 'rejected'],
    [{ filledQty: shares(0), remainingQty: shares(0) }, true, 'expired'],
    [{ filledQty: shares(2), remainingQty: shares(0), cancelledQty: shares(8) }, true, 'expired'],
  ] as const)('%o (session over: %s) → %s', (row, over, expected) => {
    expect(statusFromVenue(venueOrder({ ...row, filledValue: krw(row.filledQty * 72000) }), over)).toBe(expected);
  });
});

describe('statusFromVenue with a cancel row', () => {
  it('is cancelled, not expired, when a cancel order points at it, even after the close', () => {
    const v = venueOrder({ filledQty: shares(2), filledValue: krw(144000), remainingQty: shares(0), cancelledQty: shares(8) });
    expect(statusFromVenue(v, true, true)).toBe('cancelled');
  });
});

describe('reconcileOrders', () => {
  it('records the increase of the cumulative fill as one fill and moves the status', () => {
    const o = localOrder({ id: 1, venueOrderId: '0000000001', status: 'partial', filledQty: shares(4) });
    const v = venueOrder({ filledQty: shares(10), filledValue: krw(4 * 72000 + 6 * 71900), remainingQty: shares(0) });
    const ev = reconcileOrders(input({ local: [o], venue: [v], recordedValue: new Map([[1, krw(4 * 72000)]]) }));
    expect(ev).toEqual([
      { kind: 'fill', orderId: 1, fill: { fillKey: `${DAY}.0000000001.10`, qty: 6, value: 6 * 71900, price: 71900, cumulativeQty: 10, at: at('100500') } },
      { kind: 'status', orderId: 1, from: 'partial', to: 'filled', reason: 'broker' },
    ]);
  });

  it('is idempotent: nothing to do once the fill and status are recorded', () => {
    const o = localOrder({ id: 1, venueOrderId: '0000000001', status: 'filled', filledQty: shares(10) });
    const v = venueOrder({ filledQty: shares(10), remainingQty: shares(0) });
    expect(reconcileOrders(input({ local: [o], venue: [v], recordedValue: new Map([[1, krw(720000)]]) }))).toEqual([]);
  });

  it('links an unknown order to the matching broker row and records its fill', () => {
    const o = localOrder({ id: 7, status: 'unknown', submittedAt: at('100000') });
    const other = venueOrder({ venueOrderId: '0000000002', symbol: stockCode('000660'), orderedAt: at('100001') });
    const mine = venueOrder({ venueOrderId: '0000000003', filledQty: shares(10), filledValue: krw(720000), remainingQty: shares(0), orderedAt: at('100002') });
    const ev = reconcileOrders(input({ local: [o], venue: [other, mine] }));
    expect(ev.map((e) => e.kind)).toEqual(['link', 'fill', 'adopt']);
    expect(ev[0]).toMatchObject({ kind: 'link', orderId: 7, venueOrderId: '0000000003', from: 'unknown', to: 'filled' });
    expect(ev[1]).toMatchObject({ kind: 'fill', orderId: 7, fill: { qty: 10, value: 720000 } });
    expect(ev[2]).toMatchObject({ kind: 'adopt', venue: { venueOrderId: '0000000002' } });
  });

  it('does not match a broker row placed before our submit (minus skew)', () => {
    const o = localOrder({ id: 7, status: 'submitting', submittedAt: at('100300'), updatedAt: at('100300') });
    const old = venueOrder({ orderedAt: at('100100') });
    const ev = reconcileOrders(input({ local: [o], venue: [old], now: at('100310') }));
    expect(ev).toEqual([]); // still inside grace: no link, and no adoption while ours may claim a row
  });

  it('declares an unresolved order failed once absent past the grace window, and adopts the rest', () => {
    const o = localOrder({ id: 7, status: 'unknown', submittedAt: at('100000'), qty: shares(5) });
    const ext = venueOrder({ venueOrderId: '0000000009', qty: shares(10) });
    const ev = reconcileOrders(input({ local: [o], venue: [ext], now: at('100131') }));
    expect(ev).toEqual([
      { kind: 'absent', orderId: 7, from: 'unknown', waitedMs: 91_000 },
      { kind: 'adopt', venue: ext },
    ]);
  });

  it('gives two identical unresolved orders two different broker rows, oldest first', () => {
    const a = localOrder({ id: 1, status: 'unknown', submittedAt: at('100000') });
    const b = localOrder({ id: 2, status: 'unknown', submittedAt: at('100010') });
    const v1 = venueOrder({ venueOrderId: '0000000001', orderedAt: at('100001') });
    const v2 = venueOrder({ venueOrderId: '0000000002', orderedAt: at('100011') });
    const links = reconcileOrders(input({ local: [b, a], venue: [v2, v1] })).filter((e) => e.kind === 'link');
    expect(links.map((e) => [e.orderId, e.venueOrderId])).toEqual([[1, '0000000001'], [2, '0000000002']]);
  });

  it('reports an anomaly when the broker does not list an order we hold an id for', () => {
    const o = localOrder({ id: 3, venueOrderId: '0000000042', status: 'accepted' });
    expect(reconcileOrders(input({ local: [o], venue: [] }))).toEqual([
      { kind: 'anomaly', reason: 'broker does not list an order we hold a venue id for', details: { orderId: 3, venueOrderId: '0000000042', status: 'accepted' } },
    ]);
  });

  it('reports an anomaly when the broker fill total goes backwards', () => {
    const o = localOrder({ id: 3, venueOrderId: '0000000001', status: 'partial', filledQty: shares(6) });
    const v = venueOrder({ filledQty: shares(4), filledValue: krw(4 * 72000) });
    expect(reconcileOrders(input({ local: [o], venue: [v] }))[0]).toMatchObject({ kind: 'anomaly', reason: 'broker fill total went backwards' });
  });

  it('ignores amendment (cancel) rows and never adopts them', () => {
    const o = localOrder({ id: 1, venueOrderId: '0000000001', status: 'accepted' });
    const v = venueOrder({ remainingQty: shares(0), cancelledQty: shares(10) });
    const cancelRow = venueOrder({ venueOrderId: '0000000005', isAmendment: true, originalOrderId: '0000000001' });
    expect(reconcileOrders(input({ local: [o], venue: [v, cancelRow] }))).toEqual([
      { kind: 'status', orderId: 1, from: 'accepted', to: 'cancelled', reason: 'broker' },
    ]);
  });

  it('expires working quantity once the session is over', () => {
    const o = localOrder({ id: 1, venueOrderId: '0000000001', status: 'partial', filledQty: shares(4) });
    const v = venueOrder({ filledQty: shares(4), filledValue: krw(288000) });
    expect(reconcileOrders(input({ local: [o], venue: [v], sessionOver: true, recordedValue: new Map([[1, krw(288000)]]) }))).toEqual([
      { kind: 'status', orderId: 1, from: 'partial', to: 'expired', reason: 'broker' },
    ]);
  });

  it('records a late fill on an order already marked cancelled without changing its status', () => {
    const o = localOrder({ id: 1, venueOrderId: '0000000001', status: 'cancelled', filledQty: shares(0) });
    const v = venueOrder({ filledQty: shares(2), filledValue: krw(144000), remainingQty: shares(0), cancelledQty: shares(8) });
    const ev = reconcileOrders(input({ local: [o], venue: [v] }));
    expect(ev.map((e) => e.kind)).toEqual(['fill']);
  });

  it('finds an order whose venue id was stored unpadded (paper ack "51378" vs inquiry "0000051378")', () => {
    const o = localOrder({ id: 1, venueOrderId: '51378', status: 'accepted' });
    const v = venueOrder({ venueOrderId: '0000051378', filledQty: shares(10), filledValue: krw(720000), remainingQty: shares(0) });
    const ev = reconcileOrders(input({ local: [o], venue: [v] }));
    expect(ev.map((e) => e.kind)).toEqual(['fill', 'status']);
  });

  it('never declares an order failed while a broker row of any shape could be it', () => {
    // A row misread as an amendment (or any row we cannot classify) still proves "not absent".
    const o = localOrder({ id: 7, status: 'unknown', submittedAt: at('100000') });
    const odd = venueOrder({ venueOrderId: '0000000003', isAmendment: true, originalOrderId: '0000000099', orderedAt: at('100001') });
    const ev = reconcileOrders(input({ local: [o], venue: [odd], now: at('100500') }));
    expect(ev.some((e) => e.kind === 'absent')).toBe(false);
    const anomalies = ev.flatMap((e) => (e.kind === 'anomaly' ? [e.reason] : []));
    expect(anomalies).toEqual(['a broker row looks like an unresolved order but cannot be linked to it']);
  });
});

describe('orders that end without a fill', () => {
  it('an accepted order the broker rejected after acceptance ends rejected', () => {
    const o = localOrder({ id: 1, venueOrderId: '0000000001', status: 'accepted' });
    const v = venueOrder({ remainingQty: shares(0), rejectedQty: shares(10) });
    expect(reconcileOrders(input({ local: [o], venue: [v] }))).toEqual([
      { kind: 'status', orderId: 1, from: 'accepted', to: 'rejected', reason: 'broker' },
    ]);
  });

  it('an accepted day order shown at the close with its rest as rjct_qty ends expired', () => {
    const o = localOrder({ id: 1, venueOrderId: '0000000001', status: 'accepted' });
    const v = venueOrder({ remainingQty: shares(0), rejectedQty: shares(10) });
    expect(reconcileOrders(input({ local: [o], venue: [v], sessionOver: true }))).toEqual([
      { kind: 'status', orderId: 1, from: 'accepted', to: 'expired', reason: 'broker' },
    ]);
  });

  it('a partly filled order whose rest was rejected records the fill and ends', () => {
    const o = localOrder({ id: 1, venueOrderId: '0000000001', status: 'partial', filledQty: shares(4) });
    const v = venueOrder({ filledQty: shares(4), filledValue: krw(288000), remainingQty: shares(0), rejectedQty: shares(6) });
    const ev = reconcileOrders(input({ local: [o], venue: [v], recordedValue: new Map([[1, krw(288000)]]) }));
    expect(ev).toEqual([{ kind: 'status', orderId: 1, from: 'partial', to: 'expired', reason: 'broker' }]);
  });
});
