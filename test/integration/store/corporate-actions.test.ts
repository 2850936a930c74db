import { describe, expect, it } from 'vitest';
import { epochMs, krw, makeFillKey, shares, stockCode, tradingDate } from '../../../src/domain/index.js';
import type { CorporateActionInput } from '../../../src/domain/index.js';
import type { Store } from '../../../src/store/index.js';
import { createTempStore, TEMP_STORE_START } from '../../helpers/temp-store.js';

const DATE = tradingDate('20260312');
const SYM = stockCode('000660');
const T0 = TEMP_STORE_START;

function boughtTen(store: Store): number {
  const o = store.orders.insertIntent({
    intentKey: 'i.test.buy', symbol: SYM, side: 'buy', type: 'limit', qty: shares(10), price: krw(150_000),
    tradingDate: DATE, decisionId: null, configHash: 'cfg', reason: 'test',
  }, T0).order;
  store.orders.transition(o.id, 'pending', 'submitting', {}, 'submit', {}, T0);
  const acc = store.orders.transition(o.id, 'submitting', 'accepted', { venueOrderId: '0000000001', branch: '06010' }, 'accepted', {}, T0)!;
  return store.fills.record({
    fillKey: makeFillKey(DATE, acc.venueOrderId!, 10), orderId: acc.id, symbol: SYM, side: 'buy', qty: shares(10), price: krw(150_000),
    value: krw(1_500_000), commission: krw(211), tax: krw(0), tradingDate: DATE, at: epochMs(T0),
  }).fill.id;
}

const split = (afterFillId: number): CorporateActionInput => ({
  symbol: SYM, kind: 'split', num: 5, den: 1, qtyBefore: shares(10), qtyAfter: shares(50), priceBefore: krw(150_000),
  priceAfter: krw(30_000), afterFillId, tradingDate: tradingDate('20260313'), at: epochMs(T0 + 86_400_000),
});

describe('corporate_actions (migration 0002)', () => {
  it('records a split once, and the positions apply it: quantity × 5, average ÷ 5, cost unchanged', () => {
    const { store } = createTempStore();
    const fillId = boughtTen(store);
    const first = store.corporateActions.record(split(fillId));
    expect(first.inserted).toBe(true);
    expect(store.corporateActions.record(split(fillId))).toEqual({ inserted: false, action: first.action });
    expect(store.corporateActions.all()).toHaveLength(1);
    expect(store.positions.get(SYM)).toEqual({ symbol: SYM, qty: 50, cost: 1_500_211, avgPrice: 30_004, realizedPnl: 0 });
    expect(store.positions.list()).toEqual([store.positions.get(SYM)]);
  });

  it('is append-only and refuses a ratio that does not match the quantities', () => {
    const { store } = createTempStore();
    const fillId = boughtTen(store);
    store.corporateActions.record(split(fillId));
    expect(() => store.db.prepare('DELETE FROM corporate_actions').run()).toThrow(/append-only/);
    expect(() => store.db.prepare('UPDATE corporate_actions SET ratio_num = 2').run()).toThrow(/append-only/);
    expect(() => store.corporateActions.record({ ...split(fillId), qtyBefore: shares(11) })).toThrow(expect.objectContaining({ code: 'STORE_INVARIANT' }));
  });

  it('bars of a split symbol can be dropped from the cache', () => {
    const { store } = createTempStore();
    const bar = { symbol: SYM, date: DATE, open: krw(1), high: krw(1), low: krw(1), close: krw(1), volume: shares(1), value: krw(1) };
    store.bars.upsert([bar, { ...bar, symbol: stockCode('005930') }], epochMs(T0));
    store.bars.invalidate(SYM);
    expect(store.bars.range(SYM, 10)).toEqual([]);
    expect(store.bars.range(stockCode('005930'), 10)).toHaveLength(1);
  });
});
