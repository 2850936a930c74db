import { describe, expect, it } from 'vitest';
import { krw, shares, stockCode } from '../../../src/domain/index.js';
import { cleanRatio, detectSplit } from '../../../src/orders/index.js';

const A = stockCode('005930');
const ev = (daemonQty: number, brokerQty: number, priceBefore: number | null, priceAfter: number | null) => ({
  symbol: A, daemonQty: shares(daemonQty), brokerQty: shares(brokerQty),
  priceBefore: priceBefore === null ? null : krw(priceBefore), priceAfter: priceAfter === null ? null : krw(priceAfter),
});

describe('cleanRatio', () => {
  it.each([
    [10, 20, { num: 2, den: 1 }], [10, 50, { num: 5, den: 1 }], [7, 70, { num: 10, den: 1 }], [3, 150, { num: 50, den: 1 }],
    [10, 15, { num: 3, den: 2 }], [10, 5, { num: 1, den: 2 }], [100, 10, { num: 1, den: 10 }], [30, 20, { num: 2, den: 3 }],
  ])('%i → %i is %o', (d, b, r) => {
    expect(cleanRatio(d, b)).toEqual(r);
  });

  it.each([
    [10, 10, 'equal'], [0, 10, 'no own shares'], [10, 0, 'nothing at the broker'], [10, 11, '11/10 is within a day’s move'],
    [100, 103, '103/100 is not small'], [10, 12, '6/5 is within a day’s move'], [3, 153, '51/1 is too large'],
  ])('%i → %i is no ratio (%s)', (d, b) => {
    expect(cleanRatio(d, b)).toBeNull();
  });
});

describe('detectSplit', () => {
  it('a 1:5 split: quantity × 5 and the base price ÷ 5 of the last known close', () => {
    expect(detectSplit(ev(10, 50, 50_000, 10_000))).toEqual({
      kind: 'split', symbol: A, ratio: { num: 5, den: 1 }, qtyBefore: 10, qtyAfter: 50, priceBefore: 50_000, priceAfter: 10_000,
    });
  });

  it('tolerates the day’s move of a price known a day before, within ×/÷ 1.15', () => {
    expect(detectSplit(ev(10, 100, 70_000, 7_900)).kind).toBe('split'); // 70,000 ÷ 10 = 7,000; +12.9 %
    expect(detectSplit(ev(10, 100, 70_000, 6_200)).kind).toBe('split'); // −11.4 %
    expect(detectSplit(ev(10, 100, 70_000, 8_100))).toMatchObject({ kind: 'not-a-split', reason: 'PRICE_DID_NOT_MOVE' });
  });

  it('a 10:1 reverse split: quantity ÷ 10 and the price × 10', () => {
    expect(detectSplit(ev(100, 10, 1_200, 12_000))).toMatchObject({ kind: 'split', ratio: { num: 1, den: 10 }, qtyAfter: 10 });
  });

  it('a bonus issue of one new share per two: 3/2', () => {
    expect(detectSplit(ev(20, 30, 30_000, 20_000))).toMatchObject({ kind: 'split', ratio: { num: 3, den: 2 } });
  });

  it('the owner buying as many shares again is not a split: the price did not move', () => {
    expect(detectSplit(ev(10, 20, 50_000, 50_500))).toMatchObject({ kind: 'not-a-split', reason: 'PRICE_DID_NOT_MOVE' });
  });

  it('half the shares gone without the price doubling is not a reverse split', () => {
    expect(detectSplit(ev(10, 5, 50_000, 49_000))).toMatchObject({ kind: 'not-a-split', reason: 'PRICE_DID_NOT_MOVE' });
  });

  it('a price that moved by another ratio than the quantity is not a split', () => {
    expect(detectSplit(ev(10, 50, 50_000, 5_000))).toMatchObject({ kind: 'not-a-split', reason: 'PRICE_DID_NOT_MOVE' });
  });

  it('an odd quantity change is no split whatever the price did', () => {
    expect(detectSplit(ev(10, 13, 50_000, 38_462))).toMatchObject({ kind: 'not-a-split', reason: 'NOT_A_CLEAN_RATIO' });
    expect(detectSplit(ev(10, 10, 50_000, 10_000))).toMatchObject({ kind: 'not-a-split', reason: 'SAME_QTY' });
  });

  it('without a price before or after there is no proof', () => {
    expect(detectSplit(ev(10, 50, null, 10_000))).toMatchObject({ kind: 'not-a-split', reason: 'NO_PRICE' });
    expect(detectSplit(ev(10, 50, 50_000, null))).toMatchObject({ kind: 'not-a-split', reason: 'NO_PRICE' });
    expect(detectSplit(ev(10, 50, 50_000, 0))).toMatchObject({ kind: 'not-a-split', reason: 'NO_PRICE' });
  });
});
