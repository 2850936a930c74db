import { AppError, applyPpm, krw, ppm, tradingDate } from '../domain/index.js';
import type { Exchange, Krw, Ppm, Side, TradingDate } from '../domain/index.js';

/**
 * Securities transaction tax on sells, in force from `from` (REFERENCE §11.6). The KOSPI rate
 * includes the 0.15 % rural special tax (농어촌특별세); KOSDAQ has none.
 */
export interface TaxRate {
  from: TradingDate;
  kospi: Ppm;
  kosdaq: Ppm;
}

/**
 * Keyed by the calendar year each rate was enacted for. ⚠ The tax is levied on settlement
 * (T+2), so the real switch falls two business days earlier by trade date (the 2025 rates applied
 * from trades of 2024-12-27); a backtest of the last days of December is off by that margin.
 * 2023 and 2026 are both 0.20 %: §11.6 says 2026 reverts to the 2023 level.
 */
export const DEFAULT_TAX_TABLE: TaxRate[] = [
  { from: tradingDate('20230101'), kospi: ppm(2_000), kosdaq: ppm(2_000) },
  { from: tradingDate('20240101'), kospi: ppm(1_800), kosdaq: ppm(1_800) },
  { from: tradingDate('20250101'), kospi: ppm(1_500), kosdaq: ppm(1_500) },
  { from: tradingDate('20260101'), kospi: ppm(2_000), kosdaq: ppm(2_000) },
];

/**
 * KIS online (BanKIS) commission is 0.0140527 % (REFERENCE §11.6, ⚠ account-specific) =
 * 140.527 ppm. Config holds whole ppm, so the default is 141: rounded up, conservative.
 */
export const DEFAULT_COMMISSION_PPM: Ppm = ppm(141);

export interface FeeRates {
  commission: Ppm;
  taxTable: TaxRate[];
}

export const DEFAULT_FEE_RATES: FeeRates = { commission: DEFAULT_COMMISSION_PPM, taxTable: DEFAULT_TAX_TABLE };

function assertAmount(amount: Krw): void {
  if (!Number.isSafeInteger(amount) || amount < 0) {
    throw new AppError('MARKET_INVALID_AMOUNT', `trade amount must be a whole, non-negative number of won, got ${amount}`);
  }
}

/**
 * Commission on either side, floored to the won. KIS does not document its rounding (§11.6 ⚠,
 * truncation assumed); the balance API's thdt_tlex_amt reports what was actually charged.
 */
export function commissionFor(amount: Krw, rates: FeeRates): Krw {
  assertAmount(amount);
  return applyPpm(amount, rates.commission, 'floor');
}

/** The table entry with the latest `from` on or before `date`, whatever order the table is in. */
export function taxRateOn(date: TradingDate, table: readonly TaxRate[]): TaxRate {
  let best: TaxRate | undefined;
  for (const r of table) {
    if (r.from <= date && (best === undefined || r.from > best.from)) best = r;
  }
  if (best === undefined) {
    throw new AppError('MARKET_TAX_RATE_UNKNOWN', `no securities transaction tax rate in force on ${date}: the tax table starts later`, {
      details: { date },
    });
  }
  return best;
}

/** Securities transaction tax on a sell of `amount`, at the rate in force on `date`, floored to the won (§11.6 ⚠). */
export function sellTaxFor(amount: Krw, exchange: Exchange, date: TradingDate, rates: FeeRates): Krw {
  assertAmount(amount);
  const rate = taxRateOn(date, rates.taxTable);
  return applyPpm(amount, exchange === 'KOSPI' ? rate.kospi : rate.kosdaq, 'floor');
}

/** Costs of one trade: commission both ways, tax on sells only. */
export function tradeCosts(side: Side, amount: Krw, exchange: Exchange, date: TradingDate, rates: FeeRates): { commission: Krw; tax: Krw } {
  return {
    commission: commissionFor(amount, rates),
    tax: side === 'sell' ? sellTaxFor(amount, exchange, date, rates) : krw(0),
  };
}
