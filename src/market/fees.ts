import { AppError, KRX_SELL_TAX_TABLE, applyPpm, krw, ppm, tradingDate } from '../domain/index.js';
import type { Exchange, Krw, Ppm, Side, TradingDate } from '../domain/index.js';
import type { TradingCalendar } from './calendar.js';

/**
 * Securities transaction tax on sells, in force for trades SETTLING on or after `from`
 * (docs/kis-wire.md §11.6). The KOSPI rate includes the 0.15 % rural special tax (농어촌특별세);
 * KOSDAQ has none; KONEX has its own (0.10 %).
 */
export interface TaxRate {
  from: TradingDate;
  kospi: Ppm;
  kosdaq: Ppm;
  konex: Ppm;
}

/** Where a security is listed: the tax differs by market (§11.6). */
export type ListingMarket = Exchange | 'KONEX';
/** ETFs and ETNs are exempt from the securities transaction tax (§11.6). */
export type ProductKind = 'stock' | 'etf' | 'etn';

export interface Security {
  market: ListingMarket;
  kind: ProductKind;
}

/**
 * What a caller assumes when it does not know the security: a KOSPI stock. KOSPI and KOSDAQ
 * stocks pay the same rate in every row of the default table, so only KONEX listings and
 * ETFs/ETNs are mis-taxed by this default.
 */
export const DEFAULT_SECURITY: Security = { market: 'KOSPI', kind: 'stock' };

/**
 * What a symbol's code alone says: an ETN ('Q' + six digits, docs/kis-wire.md §7.2 "ETN 7") is exempt;
 * anything else is assumed a KOSPI stock (DEFAULT_SECURITY) — an ETF has an ordinary code.
 */
export function securityOfCode(symbol: string): Security {
  return /^Q\d{6}$/.test(symbol) ? { market: 'KOSPI', kind: 'etn' } : DEFAULT_SECURITY;
}

/** The one default table (domain/tax-table.ts), in market/'s types. */
export const DEFAULT_TAX_TABLE: TaxRate[] = KRX_SELL_TAX_TABLE.map((r) => ({
  from: tradingDate(r.from), kospi: ppm(r.kospiPpm), kosdaq: ppm(r.kosdaqPpm), konex: ppm(r.konexPpm),
}));

/** KRX equities settle T+2 trading days (docs/kis-wire.md §11.5). */
export const SETTLEMENT_DAYS = 2;

/**
 * The settlement date of a trade: T+2 trading days on `calendar`. The tax is levied on
 * settlement, so this — not the trade date — picks the tax row: a sale on Monday 2025-12-29
 * settles on 2026-01-02 (12-31 and 01-01 are closed) and pays the 2026 rate. Throws
 * MARKET_CALENDAR_OUT_OF_RANGE when the calendar does not cover the days in between.
 */
export function settlementDate(tradeDate: TradingDate, calendar: Pick<TradingCalendar, 'nextTradingDay'>): TradingDate {
  let d = tradeDate;
  for (let i = 0; i < SETTLEMENT_DAYS; i++) d = calendar.nextTradingDay(d);
  return d;
}

/**
 * KIS online (BanKIS) commission is 0.0140527 % (docs/kis-wire.md §11.6, ⚠ account-specific) =
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

/** The rate a security pays under one table row: 0 for ETFs and ETNs (§11.6). */
function rateFor(row: TaxRate, security: Security): Ppm {
  if (security.kind !== 'stock') return ppm(0);
  return security.market === 'KOSPI' ? row.kospi : security.market === 'KOSDAQ' ? row.kosdaq : row.konex;
}

/**
 * Securities transaction tax on a sell of `amount`, at the rate in force on its settlement date
 * (see settlementDate), floored to the won (§11.6 ⚠). ETFs and ETNs pay none, whatever the table.
 */
export function sellTaxFor(amount: Krw, security: Security, settleDate: TradingDate, rates: FeeRates): Krw {
  assertAmount(amount);
  if (security.kind !== 'stock') return krw(0);
  return applyPpm(amount, rateFor(taxRateOn(settleDate, rates.taxTable), security), 'floor');
}

export interface Trade {
  side: Side;
  amount: Krw;
  /** DEFAULT_SECURITY (a KOSPI stock) when the caller does not know it */
  security?: Security;
  /** T+2 of the trade date (settlementDate): picks the tax row */
  settleDate: TradingDate;
}

/** Costs of one trade: commission both ways, tax on sells only. */
export function tradeCosts(trade: Trade, rates: FeeRates): { commission: Krw; tax: Krw } {
  return {
    commission: commissionFor(trade.amount, rates),
    tax: trade.side === 'sell' ? sellTaxFor(trade.amount, trade.security ?? DEFAULT_SECURITY, trade.settleDate, rates) : krw(0),
  };
}

/**
 * A reason the tax table cannot price a sale made on `date`, or null: every sell would fail its
 * tax otherwise (checked at start, when the date is known).
 */
export function taxTableGap(table: readonly TaxRate[], date: TradingDate): string | null {
  const first = table.reduce<TaxRate | undefined>((a, r) => (a === undefined || r.from < a.from ? r : a), undefined);
  if (first === undefined) return 'the tax table is empty';
  return first.from > date ? `the tax table starts on ${first.from}, after today (${date}): no rate for today's sales` : null;
}
