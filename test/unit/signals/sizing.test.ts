import { describe, it, expect } from 'vitest';
import { epochMs, krw, ppm, shares, stockCode } from '../../../src/domain/index.js';
import { checkEntry, sizeEntry } from '../../../src/signals/index.js';
import type { SizingInput } from '../../../src/signals/index.js';
import { quoteStatus } from '../../helpers/builders.js';

// 10 % of 10,000,000 = 1,000,000 → 100 shares at 10,000; order cap 200 shares; cash 500 shares.
const base: SizingInput = {
  equity: krw(10_000_000),
  cash: krw(5_000_000),
  price: krw(10_000),
  maxPositionBp: 1_000,
  maxOrderValue: krw(2_000_000),
  minCashReserve: krw(0),
  commission: ppm(0),
};

describe('sizeEntry', () => {
  it.each<{ name: string; over: Partial<SizingInput>; qty: number; limitedBy: string }>([
    { name: 'position share of equity', over: {}, qty: 100, limitedBy: 'position-pct' },
    { name: 'order value cap, floored', over: { maxOrderValue: krw(559_999) }, qty: 55, limitedBy: 'order-value' },
    { name: 'cash, floored', over: { cash: krw(309_999) }, qty: 30, limitedBy: 'cash' },
    { name: 'cash above the reserve', over: { cash: krw(1_300_000), minCashReserve: krw(1_000_000) }, qty: 30, limitedBy: 'cash' },
    // 100 shares would cost 1,000,000 + 141 commission: one share less
    { name: 'commission tips the cash cap', over: { cash: krw(1_000_000), commission: ppm(141) }, qty: 99, limitedBy: 'cash' },
    { name: 'commission covered exactly', over: { cash: krw(1_000_141), commission: ppm(141) }, qty: 100, limitedBy: 'position-pct' },
    // 99 shares: 990,000 + 139.59 → 140 rounded up = 990,140 > 990,139 (it would fit if floored)
    { name: 'commission rounded up', over: { cash: krw(990_139), commission: ppm(141) }, qty: 98, limitedBy: 'cash' },
    { name: 'reserve larger than cash', over: { cash: krw(100_000), minCashReserve: krw(200_000) }, qty: 0, limitedBy: 'cash' },
    { name: 'price above the position budget', over: { price: krw(1_500_000), maxOrderValue: krw(10_000_000) }, qty: 0, limitedBy: 'position-pct' },
    { name: 'tie goes to the first cap', over: { maxOrderValue: krw(1_000_000), cash: krw(1_000_000) }, qty: 100, limitedBy: 'position-pct' },
  ])('$name → $qty ($limitedBy)', ({ over, qty, limitedBy }) => {
    const r = sizeEntry({ ...base, ...over });
    expect(r.qty).toBe(qty);
    expect(r.limitedBy).toBe(limitedBy);
    expect(r.value).toBe(qty * (over.price ?? base.price));
  });

  it('reports every cap and the commission on the value', () => {
    const r = sizeEntry({ ...base, cash: krw(1_000_000), commission: ppm(141) });
    expect(r.caps).toEqual({ 'position-pct': 100, 'order-value': 200, cash: 99 });
    expect(r.value).toBe(990_000);
    expect(r.commission).toBe(140);
    expect(r.value + r.commission).toBeLessThanOrEqual(1_000_000);
  });

  it('keeps the cash cap exact for large accounts', () => {
    const r = sizeEntry({ ...base, equity: krw(50_000_000_000), cash: krw(40_000_000_000), maxPositionBp: 10_000,
      maxOrderValue: krw(50_000_000_000), price: krw(777), commission: ppm(4_970) });
    expect(r.limitedBy).toBe('cash');
    const cost = (q: number) => q * 777 + Math.ceil((q * 777 * 4_970) / 1_000_000);
    expect(cost(r.qty)).toBeLessThanOrEqual(40_000_000_000);
    expect(cost(r.qty + 1)).toBeGreaterThan(40_000_000_000);
  });

  it('refuses a price that is no price', () => {
    expect(() => sizeEntry({ ...base, price: krw(0) })).toThrow(/price 0/);
  });

  it.each([990_139, 990_140, 1_000_000, 123_457, 77_777_777])('agrees with the cash guard of checkEntry (cash %i)', (cash) => {
    const input = { ...base, equity: krw(100_000_000), cash: krw(cash), commission: ppm(141), maxPositionBp: 10_000, maxOrderValue: krw(10_000_000_000) };
    const sized = sizeEntry(input);
    expect(sized.limitedBy).toBe('cash');
    const cashGuard = (qty: number) => checkEntry({
      symbol: stockCode('000010'), orderType: 'limit', phase: 'regular', qty: shares(qty), price: input.price,
      priceLimits: { upper: krw(13_000), lower: krw(7_000) }, halted: null, security: { halted: false, status: quoteStatus() }, heldSymbols: [], openOrderSymbols: [], ordersToday: 0,
      dayStartEquity: input.equity, dayPnl: krw(0), lastLosingExitAt: {}, now: epochMs(0), cash: input.cash, commission: input.commission,
      limits: { maxPositions: 1, maxOrdersPerDay: 1, maxDailyLossBp: 300, cooldownMinutes: 0, maxOrderValue: input.maxOrderValue, minCashReserve: input.minCashReserve },
    }).checks.find((c) => c.guard === 'cash')?.ok;
    expect(cashGuard(sized.qty)).toBe(true);
    expect(cashGuard(sized.qty + 1)).toBe(false);
  });
});
