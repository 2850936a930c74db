import { AppError, parseClockTime } from '../domain/index.js';

/**
 * Session boundaries of one trading day as 'HH:MM' KST strings. KRX is changing its hours in
 * 2026 (pre-market 07:00–08:00, after-market 16:00–20:00 replacing the 16:00–18:00 single-price
 * session, docs/kis-wire.md §11.1 ⚠), so every boundary is configuration rather than code.
 */
export interface SessionTimes {
  /** KRX pre-market once it opens (07:00–08:00); null = none */
  preMarket: { start: string; end: string } | null;
  /** opening call auction order entry (장전 동시호가), 08:30 */
  openingAuctionStart: string;
  /** continuous trading starts, 09:00 */
  open: string;
  /** closing call auction (장마감 동시호가), 15:20 */
  closingAuctionStart: string;
  /** closing auction match, 15:30 */
  close: string;
  /** post-close closing-price session (장후 시간외 종가), 15:40–16:00 */
  postClose: { start: string; end: string } | null;
  /** after-hours single-price session 16:00–18:00 (or the 2026 after-market 16:00–20:00) */
  afterHours: { start: string; end: string } | null;
}

/** docs/kis-wire.md §11.1, the table in force when the workbook was published (Feb 2026). */
export const DEFAULT_SESSION_TIMES: SessionTimes = Object.freeze({
  preMarket: null,
  openingAuctionStart: '08:30',
  open: '09:00',
  closingAuctionStart: '15:20',
  close: '15:30',
  postClose: Object.freeze({ start: '15:40', end: '16:00' }),
  afterHours: Object.freeze({ start: '16:00', end: '18:00' }),
});

/** The same boundaries as seconds since 00:00 KST, for phase lookups. */
export interface SessionSeconds {
  preMarket: { start: number; end: number } | null;
  openingAuctionStart: number;
  open: number;
  closingAuctionStart: number;
  close: number;
  postClose: { start: number; end: number } | null;
  afterHours: { start: number; end: number } | null;
}

function sec(value: string, field: string): number {
  try {
    return parseClockTime(value);
  } catch (err) {
    throw new AppError('MARKET_INVALID_SESSION_TIMES', `session times: ${field} must be HH:MM, got "${value}"`, { cause: err });
  }
}

function range(r: { start: string; end: string } | null, field: string): { start: number; end: number } | null {
  if (r === null) return null;
  const out = { start: sec(r.start, `${field}.start`), end: sec(r.end, `${field}.end`) };
  if (out.start >= out.end) {
    throw new AppError('MARKET_INVALID_SESSION_TIMES', `session times: ${field} must start before it ends, got ${r.start}–${r.end}`);
  }
  return out;
}

/**
 * Parses and checks the order of the main session: opening auction ≤ open < closing auction
 * < close, and the optional sessions outside the auction-to-close span.
 */
export function toSessionSeconds(t: SessionTimes): SessionSeconds {
  const s: SessionSeconds = {
    preMarket: range(t.preMarket, 'preMarket'),
    openingAuctionStart: sec(t.openingAuctionStart, 'openingAuctionStart'),
    open: sec(t.open, 'open'),
    closingAuctionStart: sec(t.closingAuctionStart, 'closingAuctionStart'),
    close: sec(t.close, 'close'),
    postClose: range(t.postClose, 'postClose'),
    afterHours: range(t.afterHours, 'afterHours'),
  };
  if (!(s.openingAuctionStart <= s.open && s.open < s.closingAuctionStart && s.closingAuctionStart <= s.close)) {
    throw new AppError(
      'MARKET_INVALID_SESSION_TIMES',
      `session times out of order: openingAuctionStart ${t.openingAuctionStart} ≤ open ${t.open} < closingAuctionStart ${t.closingAuctionStart} ≤ close ${t.close} must hold`,
    );
  }
  if (s.preMarket && s.preMarket.end > s.openingAuctionStart) {
    throw new AppError('MARKET_INVALID_SESSION_TIMES', `session times: preMarket must end by openingAuctionStart ${t.openingAuctionStart}`);
  }
  for (const [name, r] of [['postClose', s.postClose], ['afterHours', s.afterHours]] as const) {
    if (r && r.start < s.close) {
      throw new AppError('MARKET_INVALID_SESSION_TIMES', `session times: ${name} must start at or after close ${t.close}`);
    }
  }
  return s;
}

function fmt(seconds: number, field: string): string {
  if (seconds < 0 || seconds > 24 * 3600) {
    throw new AppError('MARKET_INVALID_SESSION_TIMES', `session times: shifted ${field} falls outside the day`);
  }
  const pad = (n: number) => String(n).padStart(2, '0');
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return s === 0 ? `${pad(h)}:${pad(m)}` : `${pad(h)}:${pad(m)}:${pad(s)}`;
}

function shift(value: string, delta: number, field: string): string {
  return delta === 0 ? value : fmt(sec(value, field) + delta, field);
}

function shiftRange(r: { start: string; end: string } | null, delta: number, field: string): { start: string; end: string } | null {
  return r && { start: shift(r.start, delta, `${field}.start`), end: shift(r.end, delta, `${field}.end`) };
}

/**
 * A special day (first trading day 10:00 open, CSAT day 10:00–16:30; docs/kis-wire.md §11.1) moves the
 * whole day rather than just two boundaries: everything before the open moves by the open's
 * delta, everything from the closing auction on by the close's delta, so the auctions keep their
 * lengths (closing auction = close − 10 min with the defaults).
 */
export function shiftSessionTimes(base: SessionTimes, special: { open?: string; close?: string }): SessionTimes {
  const openDelta = special.open === undefined ? 0 : sec(special.open, 'open') - sec(base.open, 'open');
  const closeDelta = special.close === undefined ? 0 : sec(special.close, 'close') - sec(base.close, 'close');
  const shifted: SessionTimes = {
    preMarket: shiftRange(base.preMarket, openDelta, 'preMarket'),
    openingAuctionStart: shift(base.openingAuctionStart, openDelta, 'openingAuctionStart'),
    open: shift(base.open, openDelta, 'open'),
    closingAuctionStart: shift(base.closingAuctionStart, closeDelta, 'closingAuctionStart'),
    close: shift(base.close, closeDelta, 'close'),
    postClose: shiftRange(base.postClose, closeDelta, 'postClose'),
    afterHours: shiftRange(base.afterHours, closeDelta, 'afterHours'),
  };
  toSessionSeconds(shifted);
  return shifted;
}
