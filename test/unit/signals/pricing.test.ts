import { describe, it, expect } from 'vitest';
import { krw, shares } from '../../../src/domain/index.js';
import type { Krw, OrderBook, Quote, Side } from '../../../src/domain/index.js';
import { entryLimitPrice, limitPriceFor } from '../../../src/signals/index.js';
import { MIDDAY, SYM, quote } from './builders.js';

function book(ask: number, bid: number): OrderBook {
  return { symbol: SYM, asks: [{ price: ask as Krw, qty: shares(10) }], bids: [{ price: bid as Krw, qty: shares(10) }], at: MIDDAY };
}

// limits around base 20,000: 26,000 / 14,000
const q20k: Partial<Quote> = { price: krw(19_990), basePrice: krw(20_000), upperLimit: krw(26_000), lowerLimit: krw(14_000) };

describe('entryLimitPrice', () => {
  it.each<{ name: string; side: Side; q?: Partial<Quote>; b?: OrderBook; offset: number; price: number }>([
    // ticks: 10 below 20,000, 50 from 20,000 (docs/kis-wire.md §11.3)
    { name: 'buy at the ask crossing into the 50-won band', side: 'buy', q: q20k, b: book(19_990, 19_980), offset: 2, price: 20_050 },
    { name: 'buy from the first price of a band', side: 'buy', q: q20k, b: book(20_000, 19_990), offset: 1, price: 20_050 },
    { name: 'sell at the bid crossing into the 10-won band', side: 'sell', q: q20k, b: book(20_050, 20_000), offset: 2, price: 19_980 },
    { name: 'sell one tick below 20,050', side: 'sell', q: q20k, b: book(20_100, 20_050), offset: 1, price: 20_000 },
    { name: 'buy at the ask with no offset', side: 'buy', b: book(10_510, 10_500), offset: 0, price: 10_510 },
    { name: 'buy at the last price without a book', side: 'buy', offset: 1, price: 10_510 },
    { name: 'empty book levels ("0") fall back to the last price', side: 'sell', b: book(0, 0), offset: 1, price: 10_490 },
    { name: 'an off-grid last price is snapped up for a buy', side: 'buy', q: { price: krw(10_505) }, offset: 0, price: 10_510 },
    { name: 'an off-grid last price is snapped down for a sell', side: 'sell', q: { price: krw(10_505) }, offset: 0, price: 10_500 },
    { name: 'buy clamped at the upper limit', side: 'buy', b: book(12_990, 12_980), offset: 3, price: 13_000 },
    { name: 'sell clamped at the lower limit', side: 'sell', b: book(7_020, 7_010), offset: 3, price: 7_000 },
    { name: 'limits computed from the base price when the quote has none', side: 'buy', q: { upperLimit: krw(0), lowerLimit: krw(0) }, b: book(12_990, 12_980), offset: 5, price: 13_000 },
  ])('$name', ({ side, q, b, offset, price }) => {
    const p = entryLimitPrice({ side, quote: quote(q), ...(b === undefined ? {} : { book: b }), offsetTicks: offset });
    expect(p).toBe(price);
  });

  it('says what it priced from and whether it clamped', () => {
    expect(limitPriceFor({ side: 'buy', quote: quote(), book: book(12_990, 12_980), offsetTicks: 3 })).toEqual({
      price: 13_000, reference: 12_990, referenceSource: 'best-ask', clampedTo: 'upper', limits: { upper: 13_000, lower: 7_000 },
    });
    expect(limitPriceFor({ side: 'sell', quote: quote(), offsetTicks: 0 })).toMatchObject({ price: 10_500, referenceSource: 'last', clampedTo: null });
  });

  it('never prices off a zero last price', () => {
    expect(() => entryLimitPrice({ side: 'sell', quote: quote({ price: krw(0) }), offsetTicks: 1 })).toThrow(/no usable price/);
  });
});
