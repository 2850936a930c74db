import { describe, it, expect } from 'vitest';
import { krw, ppm, tradingDate } from '../../../src/domain/index.js';
import type { Exchange, Krw } from '../../../src/domain/index.js';
import {
  DEFAULT_COMMISSION_PPM, DEFAULT_FEE_RATES, DEFAULT_SECURITY, DEFAULT_TAX_TABLE, commissionFor, createCalendar, parseCalendarData,
  securityOfCode, sellTaxFor, settlementDate, taxTableGap, tradeCosts,
} from '../../../src/market/index.js';
import type { FeeRates, Security } from '../../../src/market/index.js';
import { defaultConfig } from '../../../src/config/index.js';
import { feeRatesOf } from '../../../src/runtime/index.js';

const d = tradingDate;

describe('commission (docs/kis-wire.md §11.6)', () => {
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

const KOSPI_STOCK: Security = { market: 'KOSPI', kind: 'stock' };
const KOSDAQ_STOCK: Security = { market: 'KOSDAQ', kind: 'stock' };
const stockOn = (exchange: Exchange): Security => ({ market: exchange, kind: 'stock' });

describe('securities transaction tax on sells, by settlement date', () => {
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
  ] as const)('%s settling on %s: %i won → %i won', (exchange, date, amount, tax) => {
    expect(sellTaxFor(krw(amount), stockOn(exchange), d(date), DEFAULT_FEE_RATES)).toBe(tax);
  });

  it('switches rate for sales settling from 2026-01-01', () => {
    const amount = krw(50_000_000);
    expect(sellTaxFor(amount, KOSPI_STOCK, d('20251231'), DEFAULT_FEE_RATES)).toBe(75_000);
    expect(sellTaxFor(amount, KOSPI_STOCK, d('20260101'), DEFAULT_FEE_RATES)).toBe(100_000);
  });

  it('exempts ETFs and ETNs on every market and in every year (docs/kis-wire.md §11.6)', () => {
    for (const kind of ['etf', 'etn'] as const) {
      for (const market of ['KOSPI', 'KOSDAQ', 'KONEX'] as const) {
        expect(sellTaxFor(krw(10_000_000), { market, kind }, d('20260105'), DEFAULT_FEE_RATES)).toBe(0);
        expect(sellTaxFor(krw(10_000_000), { market, kind }, d('20250105'), DEFAULT_FEE_RATES)).toBe(0);
      }
    }
  });

  it('taxes KONEX at its own 0.10 %', () => {
    expect(sellTaxFor(krw(10_000_000), { market: 'KONEX', kind: 'stock' }, d('20260105'), DEFAULT_FEE_RATES)).toBe(10_000);
    expect(sellTaxFor(krw(10_000_000), { market: 'KONEX', kind: 'stock' }, d('20250105'), DEFAULT_FEE_RATES)).toBe(10_000);
  });

  const split: FeeRates = {
    commission: ppm(141),
    taxTable: [
      { from: d('20270101'), kospi: ppm(500), kosdaq: ppm(2_500), konex: ppm(1_000) },
      { from: d('20260101'), kospi: ppm(1_500), kosdaq: ppm(2_000), konex: ppm(1_000) },
    ],
  };

  it.each([
    ['KOSPI', '20260601', 1_500],
    ['KOSDAQ', '20260601', 2_000],
    ['KOSPI', '20270104', 500],
    ['KOSDAQ', '20270104', 2_500],
  ] as const)('uses the %s rate on %s from an unsorted table', (exchange: Exchange, date, tax) => {
    expect(sellTaxFor(krw(1_000_000), stockOn(exchange), d(date), split)).toBe(tax);
  });

  it('refuses a date before the table starts', () => {
    expect(() => sellTaxFor(krw(1_000_000), KOSPI_STOCK, d('20251231'), split)).toThrow(expect.objectContaining({ code: 'MARKET_TAX_RATE_UNKNOWN' }));
  });

  it('the default table is in date order and starts no later than 2024', () => {
    const froms = DEFAULT_TAX_TABLE.map((r) => r.from);
    expect([...froms].sort()).toEqual(froms);
    expect(froms[0]! <= '20240101').toBe(true);
  });

  it('is ONE table: config\'s default market.taxTable is the same rows as market/\'s', () => {
    expect(feeRatesOf(defaultConfig().market).taxTable).toEqual(DEFAULT_TAX_TABLE);
  });
});

describe('settlement date (T+2 trading days, docs/kis-wire.md §11.5)', () => {
  // The last days of 2025: 12-25 Christmas and 12-31 the year-end closing day are closed.
  const cal = createCalendar(parseCalendarData({
    coveredYears: [2025, 2026],
    holidays: [
      { date: '2025-12-25', reason: 'Christmas' }, { date: '2025-12-31', reason: 'year-end closing day' },
      { date: '2026-01-01', reason: "New Year's Day" },
    ],
    specialSessions: [],
  }));

  it.each([
    ['20251224', '20251229'], // Wed → (Thu 25 closed) Fri 26 → Mon 29
    ['20251226', '20251230'],
    ['20251229', '20260102'], // Mon → Tue 30 → (31, 1 Jan closed) Fri 2 Jan
    ['20251230', '20260105'],
  ])('a trade on %s settles on %s', (trade, settle) => {
    expect(settlementDate(d(trade), cal)).toBe(settle);
  });

  it('a sale on 2025-12-29 settles in 2026 and pays 0.20 %; one on 2025-12-26 still pays 0.15 %', () => {
    const sale = (trade: string) => tradeCosts({ side: 'sell', amount: krw(10_000_000), settleDate: settlementDate(d(trade), cal) }, DEFAULT_FEE_RATES).tax;
    expect(sale('20251229')).toBe(20_000);
    expect(sale('20251226')).toBe(15_000);
  });
});

describe('tradeCosts', () => {
  it('charges no tax on a buy', () => {
    expect(tradeCosts({ side: 'buy', amount: krw(10_000_000), security: KOSPI_STOCK, settleDate: d('20260107') }, DEFAULT_FEE_RATES)).toEqual({ commission: 1_410, tax: 0 });
  });

  it('charges commission and tax on a sell', () => {
    expect(tradeCosts({ side: 'sell', amount: krw(10_000_000), security: KOSDAQ_STOCK, settleDate: d('20260107') }, DEFAULT_FEE_RATES)).toEqual({ commission: 1_410, tax: 20_000 });
  });

  it('charges an ETF sell commission only', () => {
    expect(tradeCosts({ side: 'sell', amount: krw(10_000_000), security: { market: 'KOSPI', kind: 'etf' }, settleDate: d('20260107') }, DEFAULT_FEE_RATES)).toEqual({ commission: 1_410, tax: 0 });
  });

  it('taxes an unknown security as a KOSPI stock (DEFAULT_SECURITY)', () => {
    expect(DEFAULT_SECURITY).toEqual(KOSPI_STOCK);
    expect(tradeCosts({ side: 'sell', amount: krw(10_000_000), settleDate: d('20260107') }, DEFAULT_FEE_RATES).tax).toBe(20_000);
  });
});

describe('securityOfCode and taxTableGap', () => {
  it('reads an ETN from its Q code; anything else is the default', () => {
    expect(securityOfCode('Q500001')).toEqual({ market: 'KOSPI', kind: 'etn' });
    expect(securityOfCode('005930')).toEqual(DEFAULT_SECURITY);
  });

  it('reports a table that starts after today, and nothing when it covers today', () => {
    expect(taxTableGap(DEFAULT_TAX_TABLE, d('20261207'))).toBeNull();
    expect(taxTableGap([{ from: d('20270101'), kospi: ppm(1), kosdaq: ppm(1), konex: ppm(1) }], d('20261207'))).toMatch(/starts on 20270101, after today \(20261207\)/);
    expect(taxTableGap([], d('20261207'))).toMatch(/empty/);
  });
});
