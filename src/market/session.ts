import { AppError, epochMs, kstInstant, kstParts } from '../domain/index.js';
import type { EpochMs, OrderType, TradingDate } from '../domain/index.js';
import type { TradingCalendar } from './calendar.js';
import { toSessionSeconds } from './session-times.js';

/**
 * Where a KRX trading day stands at an instant (docs/kis-wire.md §11.1). Gaps between sessions
 * (08:00–08:30, 15:30–15:40, after the last session) are 'closed'. Each phase is the half-open
 * interval [start, end): at 09:00:00 exactly the market is 'regular'.
 */
export type SessionPhase =
  | 'closed'
  | 'pre-market'
  | 'opening-auction'
  | 'regular'
  | 'closing-auction'
  | 'post-close'
  | 'after-hours';

function within(s: number, r: { start: number; end: number } | null): boolean {
  return r !== null && s >= r.start && s < r.end;
}

/** 'closed' on non-trading days; throws MARKET_CALENDAR_OUT_OF_RANGE for uncovered years. */
export function sessionPhase(t: EpochMs, calendar: TradingCalendar): SessionPhase {
  const p = kstParts(t);
  if (!calendar.isTradingDay(p.date)) return 'closed';
  const b = toSessionSeconds(calendar.sessionTimesFor(p.date));
  const s = p.secondOfDay;
  if (s >= b.openingAuctionStart && s < b.open) return 'opening-auction';
  if (s >= b.open && s < b.closingAuctionStart) return 'regular';
  if (s >= b.closingAuctionStart && s < b.close) return 'closing-auction';
  if (within(s, b.preMarket)) return 'pre-market';
  if (within(s, b.postClose)) return 'post-close';
  if (within(s, b.afterHours)) return 'after-hours';
  return 'closed';
}

export interface SessionBounds {
  openingAuctionStart: EpochMs;
  open: EpochMs;
  closingAuctionStart: EpochMs;
  close: EpochMs;
}

/** The main-session instants of a trading day; throws MARKET_NOT_A_TRADING_DAY otherwise. */
export function sessionBounds(d: TradingDate, calendar: TradingCalendar): SessionBounds {
  if (!calendar.isTradingDay(d)) {
    throw new AppError('MARKET_NOT_A_TRADING_DAY', `${d} is not a KRX trading day`, { details: { date: d } });
  }
  const b = toSessionSeconds(calendar.sessionTimesFor(d));
  const midnight = kstInstant(d);
  const at = (seconds: number) => epochMs(midnight + seconds * 1000);
  return {
    openingAuctionStart: at(b.openingAuctionStart),
    open: at(b.open),
    closingAuctionStart: at(b.closingAuctionStart),
    close: at(b.close),
  };
}

/**
 * The daemon sends only ORD_DVSN '00' limit and '01' market (docs/kis-wire.md §8.1), which KRX takes in
 * the opening auction, continuous trading and the closing auction (§11.1). The closing-price and
 * after-hours sessions need their own order types ('05'–'07'), so nothing is allowed there.
 */
export function isOrderTypeAllowed(phase: SessionPhase, type: OrderType): boolean {
  switch (type) {
    case 'limit':
    case 'market':
      return phase === 'opening-auction' || phase === 'regular' || phase === 'closing-auction';
  }
}

/**
 * When positions are flattened on trading day `d` (schedule.flattenBeforeCloseMinutes): `minutes`
 * before the closing auction starts, so the exits trade in continuous trading rather than
 * depending on one auction price. Null when `minutes` is 0 (positions are kept overnight) or `d`
 * is not a trading day.
 */
export function flattenAt(d: TradingDate, calendar: TradingCalendar, minutes: number): EpochMs | null {
  if (minutes <= 0 || !calendar.isTradingDay(d)) return null;
  return epochMs(sessionBounds(d, calendar).closingAuctionStart - minutes * 60_000);
}
