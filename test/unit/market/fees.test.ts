import { describe, it, expect } from 'vitest';
import { krw, ppm, tradingDate } from '../../../src/domain/index.js';
import type { Exchange, Krw } from '../../../src/domain/index.js';
import {
  DEFAULT_COMMISSION_PPM, DEFAULT_FEE_RATES, DEFAULT_TAX_TABLE, commissionFor, sellTaxFor, tradeCosts,
} from '../../../src/market/index.js';
import type { FeeRates } from '../../../src/market/index.js';

const d = tradingDate;

describe('commission (REFERENCE §11.6)', () => {
  it('defaults to 141 ppm, the 0.0140527 % KIS online rate rounded up', () => {
    expect(DEFAULT_COMMISSION_PPM).toBe(141);
    expect(DEFAULT_COMMISSION_PPM).toBeGreaterThanOrEqual(140.527);
  });

  it.each([
    [0, 0],
    [7_000, 0], // 0.987 → 0
    [10_000, 1], // 1.41 → 1
    [709_219, 99], // 99.999879 → 99
    [709_220, 100], // 100.00002 → 100
    [1_000_000, 141],
    [1_234_567, 174], // 174.07 → 174
    [10_000_000_000, 1_410_000],
  ])('on %i won is %i won, floored', (amount, commission) => {
    expect(commissionFor(krw(amount), DEFAULT_FEE_RATES)).toBe(commission);
  });

  it('rejects a negative or fractional amount', () => {
    expect(() => commissionFor(krw(-1), DEFAULT_FEE_RATES)).toThrow(expect.objectContaining({ code: 'MARKET_INVALID_AMOUNT' }));
    expect(() => commissionFor(1.5 as Krw, DEFAULT_FEE_RATES)).toThrow(expect.objectContaining({ code: 'MARKET_INVALID_AMOUNT' }));
  });
});

describe('securities transaction tax on sells', () => {
  it.each([
    ['KOSPI', '20240603', 1_000_000, 1_800],
    ['KOSDAQ', '20240603', 1_000_000, 1_800],
    ['KOSPI', '20250102', 1_000_000, 1_500],
    ['KOSDAQ', '20251231', 1_000_000, 1_500],
    ['KOSPI', '20260101', 1_000_000, 2_000],
    ['KOSDAQ', '20260102', 1_000_000, 2_000],
    ['KOSPI', '20261230', 12_345, 24], // 24.69 → 24
    ['KOSDAQ', '20261230', 999, 1], // 1.998 → 1
    ['KOSPI', '20261230', 499, 0], // 0.998 → 0
  ] as const)('%s on %s: %i won → %i won', (exchange, date, amount, tax) => {
    expect(sellTaxFor(krw(amount), exchange, d(date), DEFAULT_FEE_RATES)).toBe(tax);
  });

  it('switches rate at 2026-01-01', () => {
    const amount = krw(50_000_000);
    expect(sellTaxFor(amount, 'KOSPI', d('20251231'), DEFAULT_FEE_RATES)).toBe(75_000);
    expect(sellTaxFor(amount, 'KOSPI', d('20260101'), DEFAULT_FEE_RATES)).toBe(100_000);
  });

  const split: FeeRates = {
    commission: ppm(141),
    taxTable: [
      { from: d('20270101'), kospi: ppm(500), kosdaq: ppm(2_500) },
      { from: d('20260101'), kospi: ppm(1_500), kosdaq: ppm(2_000) },
    ],
  };

  it.each([
    ['KOSPI', '20260601', 1_500],
    ['KOSDAQ', '20260601', 2_000],
    ['KOSPI', '20270104', 500],
    ['KOSDAQ', '20270104', 2_500],
  ] as const)('uses the %s rate on %s from an unsorted table', (exchange: Exchange, date, tax) => {
    expect(sellTaxFor(krw(1_000_000), exchange, d(date), split)).toBe(tax);
  });

  it('refuses a date before the table starts', () => {
    expect(() => sellTaxFor(krw(1_000_000), 'KOSPI', d('20251231'), split)).toThrow(expect.objectContaining({ code: 'MARKET_TAX_RATE_UNKNOWN' }));
  });

  it('the default table is in date order and starts no later than 2024', () => {
    const froms = DEFAULT_TAX_TABLE.map((r) => r.from);
    expect([...froms].sort()).toEqual(froms);
    expect(froms[0]! <= '20240101').toBe(true);
  });
});

describe('tradeCosts', () => {
  it('charges no tax on a buy', () => {
    expect(tradeCosts('buy', krw(10_000_000), 'KOSPI', d('20260105'), DEFAULT_FEE_RATES)).toEqual({ commission: 1_410, tax: 0 });
  });

  it('charges commission and tax on a sell', () => {
    expect(tradeCosts('sell', krw(10_000_000), 'KOSDAQ', d('20260105'), DEFAULT_FEE_RATES)).toEqual({ commission: 1_410, tax: 20_000 });
  });
});
