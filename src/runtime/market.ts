import type { MarketConfig } from '../config/index.js';
import { readConfigFile } from '../config/index.js';
import { AppError, isAppError, ppm, tradingDate } from '../domain/index.js';
import type { TradingDate } from '../domain/index.js';
import { createCalendar, parseCalendarData } from '../market/index.js';
import type { FeeRates, SessionTimes, TradingCalendar } from '../market/index.js';

/** The market rules the config describes, in market/'s terms (shared by the daemon and the CLI). */
export function sessionTimesOf(s: MarketConfig['sessions']): SessionTimes {
  return {
    preMarket: s.preMarket ? { ...s.preMarket } : null, openingAuctionStart: s.openingAuctionStart, open: s.open,
    closingAuctionStart: s.closingAuctionStart, close: s.close,
    postClose: s.postClose ? { ...s.postClose } : null, afterHours: s.afterHours ? { ...s.afterHours } : null,
  };
}

function calendarFileError(path: string, problem: string, cause?: unknown): AppError {
  const text = `market.calendarFile: ${path}: ${problem}`;
  return new AppError('CONFIG_INVALID', text, { ...(cause === undefined ? {} : { cause }), details: { problems: [text], path } });
}

/**
 * Runs `fn` on the calendar from `path`; a calendar defect it throws (bad data, a year the file
 * does not cover) becomes a config error naming the file, so the daemon exits 78 instead of 1
 * and pm2 does not restart it into the same wall (issue 9).
 */
export function withCalendarFile<T>(path: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (isAppError(err) && err.code.startsWith('MARKET_')) throw calendarFileError(path, err.message.replace(/^calendar data: /, ''), err);
    throw err;
  }
}

/**
 * Reads a calendar file (config/krx-calendar.json); `sessions` default to KRX's regular hours.
 * This file is all paper and sim modes know: only live mode syncs holidays from KIS (app.ts).
 * Every defect (missing, unreadable, not JSON, bad content, impossible special hours, and with
 * `today` a year it does not cover) is a CONFIG_INVALID naming the path.
 */
export function loadCalendar(path: string, sessions?: MarketConfig['sessions'], today?: TradingDate): TradingCalendar {
  const read = readConfigFile(path);
  if (read.kind === 'missing') throw calendarFileError(path, 'missing (set market.calendarFile, or restore config/krx-calendar.json)');
  if (read.kind === 'unreadable') throw calendarFileError(path, read.problem.startsWith(`${path}: `) ? read.problem.slice(path.length + 2) : read.problem);
  return withCalendarFile(path, () => {
    const data = parseCalendarData(read.value);
    const calendar = sessions ? createCalendar(data, sessionTimesOf(sessions)) : createCalendar(data);
    if (today !== undefined) requireCalendarCovers(calendar, today, path);
    return calendar;
  });
}

/** Throws the config error naming `path` when the calendar has no holiday data for `date`'s year. */
export function requireCalendarCovers(calendar: TradingCalendar, date: TradingDate, path: string): void {
  withCalendarFile(path, () => calendar.isTradingDay(date));
}

export function feeRatesOf(market: Pick<MarketConfig, 'commissionPpm' | 'taxTable'>): FeeRates {
  return {
    commission: ppm(market.commissionPpm),
    taxTable: market.taxTable.map((t) => ({ from: tradingDate(t.from), kospi: ppm(t.kospiPpm), kosdaq: ppm(t.kosdaqPpm), konex: ppm(t.konexPpm) })),
  };
}
