import { readFileSync } from 'node:fs';
import type { MarketConfig } from './config/index.js';
import { ppm, tradingDate } from './domain/index.js';
import { createCalendar, parseCalendarData } from './market/index.js';
import type { FeeRates, SessionTimes, TradingCalendar } from './market/index.js';

/** The market rules the config describes, in market/'s terms (shared by the daemon and the CLI). */
export function sessionTimesOf(s: MarketConfig['sessions']): SessionTimes {
  return {
    preMarket: s.preMarket ? { ...s.preMarket } : null, openingAuctionStart: s.openingAuctionStart, open: s.open,
    closingAuctionStart: s.closingAuctionStart, close: s.close,
    postClose: s.postClose ? { ...s.postClose } : null, afterHours: s.afterHours ? { ...s.afterHours } : null,
  };
}

/**
 * Reads a calendar file (config/krx-calendar.json); `sessions` default to KRX's regular hours.
 * This file is all paper and sim modes know: only live mode syncs holidays from KIS (app.ts).
 */
export function loadCalendar(path: string, sessions?: MarketConfig['sessions']): TradingCalendar {
  const data = parseCalendarData(JSON.parse(readFileSync(path, 'utf8')) as unknown);
  return sessions ? createCalendar(data, sessionTimesOf(sessions)) : createCalendar(data);
}

export function feeRatesOf(market: Pick<MarketConfig, 'commissionPpm' | 'taxTable'>): FeeRates {
  return {
    commission: ppm(market.commissionPpm),
    taxTable: market.taxTable.map((t) => ({ from: tradingDate(t.from), kospi: ppm(t.kospiPpm), kosdaq: ppm(t.kosdaqPpm), konex: ppm(t.konexPpm) })),
  };
}
