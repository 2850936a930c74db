import { describe, expect, it } from 'vitest';
import { epochMs, krw, shares, stockCode, tradingDate } from '../../../src/domain/index.js';
import type { FillRecord, Side } from '../../../src/domain/index.js';
import { computePositions } from '../../../src/domain/index.js';

const SYM = stockCode('005930');
let id = 0;
function f(side: Side, qty: number, value: number, commission = 0, tax = 0): FillRecord {
  id += 1;
  return {
    id, fillKey: `k${id}`, orderId: id, symbol: SYM, side, qty: shares(qty), price: krw(Math.round(value / qty)),
    value: krw(value), commission: krw(commission), tax: krw(tax), tradingDate: tradingDate('20260312'), at: epochMs(id),
  };
}

describe('computePositions', () => {
  it('rounds the released cost and the average price half-up to the won', () => {
    // 2 shares costing 1,001: avg 500.5 → 501; selling 1 releases 500.5 → 501, realised 600 − 501 = 99
    expect(computePositions([f('buy', 2, 1001)])).toEqual([{ symbol: SYM, qty: 2, cost: 1001, avgPrice: 501, realizedPnl: 0 }]);
    expect(computePositions([f('buy', 2, 1001), f('sell', 1, 600)]))
      .toEqual([{ symbol: SYM, qty: 1, cost: 500, avgPrice: 500, realizedPnl: 99 }]);
  });

  it('the last share out takes all remaining cost, so a closed position keeps no residue', () => {
    // 3 shares costing 1,000: selling 1 then 1 then 1 releases 333, 334 (667 × 1/2 = 333.5 → 334), 333
    const ps = computePositions([f('buy', 3, 1000), f('sell', 1, 400), f('sell', 1, 400), f('sell', 1, 400)]);
    expect(ps).toEqual([{ symbol: SYM, qty: 0, cost: 0, avgPrice: 0, realizedPnl: 200 }]);
  });

  it('buy fees raise the cost basis; sell fees and tax lower the realised P&L', () => {
    const ps = computePositions([f('buy', 10, 100_000, 15), f('sell', 10, 110_000, 16, 220)]);
    // 110,000 − 16 − 220 − 100,015 = 9,749
    expect(ps).toEqual([{ symbol: SYM, qty: 0, cost: 0, avgPrice: 0, realizedPnl: 9_749 }]);
  });

  it('a sell beyond the logged holding realises only the matched part, pro rata', () => {
    // hold 2 costing 2,000; sell 5 for 5,000 − 10 − 10 = 4,980 net; 2/5 of that is 1,992; realised −8
    const ps = computePositions([f('buy', 2, 2000), f('sell', 5, 5000, 10, 10)]);
    expect(ps).toEqual([{ symbol: SYM, qty: 0, cost: 0, avgPrice: 0, realizedPnl: -8 }]);
  });

  it('stays exact where cost × quantity passes 2^53', () => {
    // cost 9e12 won for 3e6 shares: cost × 1e6 = 9e18 > 2^53
    const ps = computePositions([f('buy', 3_000_000, 9_000_000_000_001), f('sell', 1_000_000, 3_000_000_000_000)]);
    // released 9,000,000,000,001 / 3 = 3,000,000,000,000.33 → 3,000,000,000,000
    expect(ps[0]).toMatchObject({ qty: 2_000_000, cost: 6_000_000_000_001, realizedPnl: 0 });
  });

  it('returns symbols sorted and an empty list for no fills', () => {
    expect(computePositions([])).toEqual([]);
    const other = { ...f('buy', 1, 10), symbol: stockCode('000660') };
    expect(computePositions([f('buy', 1, 10), other]).map((p) => p.symbol)).toEqual(['000660', '005930']);
  });

  describe('share adjustments (splits)', () => {
    it('a 1:5 split multiplies the quantity and divides the average price, cost and P&L unchanged', () => {
      const buy = f('buy', 10, 500_000, 75);
      const ps = computePositions([buy], [{ symbol: SYM, num: 5, den: 1, afterFillId: buy.id }]);
      expect(ps).toEqual([{ symbol: SYM, qty: 50, cost: 500_075, avgPrice: 10_002, realizedPnl: 0 }]);
    });

    it('applies only to the fills before it: a buy after the split adds post-split shares', () => {
      const before = f('buy', 10, 500_000);
      const after = f('buy', 10, 100_000);
      const ps = computePositions([before, after], [{ symbol: SYM, num: 5, den: 1, afterFillId: before.id }]);
      expect(ps[0]).toMatchObject({ qty: 60, cost: 600_000, avgPrice: 10_000 });
    });

    it('a sell after a split releases cost of the adjusted shares', () => {
      const buy = f('buy', 10, 500_000);
      const sell = f('sell', 25, 275_000);
      const ps = computePositions([buy, sell], [{ symbol: SYM, num: 5, den: 1, afterFillId: buy.id }]);
      // 25 of 50 shares release half the cost: 250,000; realised 25,000
      expect(ps[0]).toMatchObject({ qty: 25, cost: 250_000, realizedPnl: 25_000 });
    });

    it('a 10:1 reverse split divides the quantity; another symbol is untouched', () => {
      const buy = f('buy', 100, 120_000);
      const other = { ...f('buy', 100, 120_000), symbol: stockCode('000660') };
      const ps = computePositions([buy, other], [{ symbol: SYM, num: 1, den: 10, afterFillId: other.id }]);
      expect(ps).toEqual([
        { symbol: '000660', qty: 100, cost: 120_000, avgPrice: 1_200, realizedPnl: 0 },
        { symbol: SYM, qty: 10, cost: 120_000, avgPrice: 12_000, realizedPnl: 0 },
      ]);
    });

    it('an adjustment before any holding changes nothing', () => {
      const buy = f('buy', 10, 100_000);
      expect(computePositions([buy], [{ symbol: SYM, num: 5, den: 1, afterFillId: buy.id - 1 }])[0]).toMatchObject({ qty: 10 });
    });
  });
});
