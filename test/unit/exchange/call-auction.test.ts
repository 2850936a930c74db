import { describe, expect, it } from 'vitest';
import { krw } from '../../../src/domain/index.js';
import { callAuction } from '../../../src/exchange/index.js';
import type { AuctionOrder } from '../../../src/exchange/index.js';

let n = 0;
const o = (side: 'buy' | 'sell', limit: number | null, qty: number, id = `${side}${++n}`): AuctionOrder => ({
  id, side, limit: limit === null ? null : krw(limit), qty, priority: n,
});
const LOW = krw(5_000);
const HIGH = krw(10_000);

describe('single-price call auction (KRX matching price)', () => {
  it('trades the most shares at one price, fills better prices first and the matching price in time order (KRX example)', () => {
    const orders = [
      o('sell', 7_860, 450), o('sell', 7_850, 750), o('sell', 7_840, 300),
      o('sell', 7_830, 150, 's1'), o('sell', 7_830, 200, 's2'), o('sell', 7_830, 50, 's3'),
      o('sell', 7_820, 200, 's820'), o('sell', 7_810, 150, 's810'),
      o('buy', 7_850, 100, 'b850'), o('buy', 7_840, 150, 'b840'), o('buy', 7_830, 200, 'b1'), o('buy', 7_830, 150, 'b2'),
      o('buy', 7_820, 400), o('buy', 7_810, 500), o('buy', 7_800, 650),
    ];
    const r = callAuction(orders, krw(7_830), LOW, HIGH);
    expect(r.price).toBe(7_830);
    expect(r.volume).toBe(600);
    const filled = Object.fromEntries(r.fills.map((f) => [f.id, f.qty]));
    expect(filled).toEqual({ s810: 150, s820: 200, s1: 150, s2: 100, b850: 100, b840: 150, b1: 200, b2: 150 });
  });

  it('among prices that trade equally most, takes the preceding price, else the one closest to it', () => {
    const orders = [o('buy', 7_850, 200), o('buy', 7_840, 100), o('sell', 7_810, 100), o('sell', 7_800, 200)];
    expect(callAuction(orders, krw(7_820), LOW, HIGH)).toMatchObject({ price: 7_820, volume: 300 });
    expect(callAuction(orders, krw(7_850), LOW, HIGH)).toMatchObject({ price: 7_840, volume: 300 });
    expect(callAuction(orders, krw(7_700), LOW, HIGH)).toMatchObject({ price: 7_810, volume: 300 });
  });

  it('fills market orders before any limit and trades nothing when buyers and sellers do not cross', () => {
    const r = callAuction([o('buy', null, 30, 'mkt'), o('buy', 8_000, 50, 'lim'), o('sell', 7_900, 60, 's')], krw(7_950), LOW, HIGH);
    expect(r.price).toBe(7_950);
    expect(r.fills).toEqual([{ id: 'mkt', qty: 30 }, { id: 'lim', qty: 30 }, { id: 's', qty: 60 }]);
    expect(callAuction([o('buy', 7_800, 10), o('sell', 7_900, 10)], krw(7_850), LOW, HIGH)).toEqual({ price: null, volume: 0, fills: [] });
  });
});
