import { z } from 'zod';
import { KRX_SELL_TAX_TABLE } from '../domain/index.js';
import { clockTime, minutes, session, tradingDateField } from './fields.js';

export const scheduleSchema = z.strictObject({
  scanEveryMinutes: minutes(5, 1, 60),
  exitCheckEveryMinutes: minutes(1, 1, 60),
  reconcileEveryMinutes: minutes(5, 1, 60),
  preOpenAt: clockTime('08:40'),
  afterCloseAt: clockTime('15:45'),
  fillPollSeconds: z.int().min(1).max(300).default(10),
  /** sell every position from this many minutes before the closing auction, and enter nothing after; 0 holds overnight */
  flattenBeforeCloseMinutes: minutes(0, 0, 60),
});

/**
 * KRX session boundaries in KST (docs/kis-wire.md §11.1). They are configuration because KRX announced
 * changes for 2026 (pre/after-market, end of the 16:00–18:00 single-price session) that the
 * workbook does not describe yet; an optional session is `null` when it does not exist.
 */
export const sessionsSchema = z.strictObject({
  /**
   * The KRX pre-market KRX announced for 2026 (07:00–08:00, docs/kis-wire.md §11.1), before the opening
   * auction; null until it exists. (The 08:30–08:40 pre-open closing-price session runs inside
   * the opening auction's order entry and is not a phase of its own.)
   */
  preMarket: session(null),
  openingAuctionStart: clockTime('08:30'),
  open: clockTime('09:00'),
  closingAuctionStart: clockTime('15:20'),
  close: clockTime('15:30'),
  /** post-close closing-price trading (장후 시간외 종가) at today's close */
  postClose: session({ start: '15:40', end: '16:00' }),
  /** after-hours single-price trading (시간외 단일가), matched every 10 minutes */
  afterHours: session({ start: '16:00', end: '18:00' }),
});

const ppmRate = z.int().min(0).max(10_000);

export const taxRateSchema = z.strictObject({
  /** first SETTLEMENT date (T+2 of the trade, docs/kis-wire.md §11.5) the rates apply to (YYYYMMDD) */
  from: tradingDateField,
  kospiPpm: ppmRate,
  kosdaqPpm: ppmRate,
  /** KONEX has its own rate, 0.10 % in every year of the default table */
  konexPpm: ppmRate.default(1000),
});

/**
 * Securities transaction tax on sells, by settlement period (docs/kis-wire.md §11.6): the one table in
 * domain/tax-table.ts that market/ uses too. ETFs and ETNs are exempt whatever the table says.
 */
const DEFAULT_TAX_TABLE = KRX_SELL_TAX_TABLE.map((r) => ({ ...r }));

export const marketSchema = z.strictObject({
  sessions: sessionsSchema.prefault({}),
  calendarFile: z.string().min(1).default('config/krx-calendar.json'),
  /**
   * KIS online-account commission 0.0140527 % = 140.527 ppm, rounded up to stay conservative
   * (docs/kis-wire.md §11.6, account-specific); branch accounts pay up to ~0.5 %.
   */
  commissionPpm: z.int().min(0).max(5_000).default(141),
  taxTable: z.array(taxRateSchema).min(1).default(DEFAULT_TAX_TABLE),
});
