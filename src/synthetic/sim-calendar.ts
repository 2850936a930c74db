import { DAY_MS, addDays, epochMs, isAppError, kstInstant, kstParts, weekdayOf } from '../domain/index.js';
import type { EpochMs, TradingDate } from '../domain/index.js';
import { toSessionSeconds } from '../market/index.js';
import type { SessionPhase, TradingCalendar } from '../market/index.js';

/**
 * The market calendar as the simulator needs it: it must answer for any day, including the
 * years before config/krx-calendar.json starts (a year of history is generated behind "today"),
 * where weekdays count as trading days. The real calendar refuses such years on purpose; the
 * simulator only invents the past, so guessing there is harmless.
 */
export interface SimCalendar {
  isTradingDay(d: TradingDate): boolean;
  next(d: TradingDate): TradingDate;
  previous(d: TradingDate): TradingDate;
  /** the trading day an instant belongs to: its own date when that is a trading day, else the last one before */
  sessionDay(t: EpochMs): TradingDate;
  bounds(d: TradingDate): SimSessionBounds;
  /** like market's sessionPhase, but never throws */
  phase(t: EpochMs): SessionPhase;
  /** days since 1970-01-01 KST: a small integer to hash */
  dayNumber(d: TradingDate): number;
  /** the n-th trading day after d (n ≥ 0; 0 = d itself) */
  addTradingDays(d: TradingDate, n: number): TradingDate;
}

export interface SimSessionBounds {
  openingAuctionStart: EpochMs;
  open: EpochMs;
  closingAuctionStart: EpochMs;
  close: EpochMs;
  postCloseStart: EpochMs | null;
  afterHoursStart: EpochMs | null;
  afterHoursEnd: EpochMs | null;
  preMarketStart: EpochMs | null;
}

export function createSimCalendar(cal: TradingCalendar): SimCalendar {
  const trading = new Map<string, boolean>();
  const bounds = new Map<string, SimSessionBounds>();

  const isTradingDay = (d: TradingDate): boolean => {
    const known = trading.get(d);
    if (known !== undefined) return known;
    let open: boolean;
    try {
      open = cal.isTradingDay(d);
    } catch (err) {
      if (!isAppError(err, 'MARKET_CALENDAR_OUT_OF_RANGE')) throw err;
      const wd = weekdayOf(d);
      open = wd !== 0 && wd !== 6;
    }
    trading.set(d, open);
    return open;
  };

  const step = (d: TradingDate, dir: 1 | -1): TradingDate => {
    let cur = d;
    for (let i = 0; i < 400; i++) {
      cur = addDays(cur, dir);
      if (isTradingDay(cur)) return cur;
    }
    return cur;
  };

  const boundsOf = (d: TradingDate): SimSessionBounds => {
    const known = bounds.get(d);
    if (known) return known;
    const s = toSessionSeconds(cal.sessionTimesFor(d));
    const midnight = kstInstant(d);
    const at = (sec: number) => epochMs(midnight + sec * 1000);
    const b: SimSessionBounds = {
      openingAuctionStart: at(s.openingAuctionStart),
      open: at(s.open),
      closingAuctionStart: at(s.closingAuctionStart),
      close: at(s.close),
      postCloseStart: s.postClose ? at(s.postClose.start) : null,
      afterHoursStart: s.afterHours ? at(s.afterHours.start) : null,
      afterHoursEnd: s.afterHours ? at(s.afterHours.end) : null,
      preMarketStart: s.preMarket ? at(s.preMarket.start) : null,
    };
    bounds.set(d, b);
    return b;
  };

  const phase = (t: EpochMs): SessionPhase => {
    const d = kstParts(t).date;
    if (!isTradingDay(d)) return 'closed';
    const s = toSessionSeconds(cal.sessionTimesFor(d));
    const sec = kstParts(t).secondOfDay;
    const inRange = (r: { start: number; end: number } | null) => r !== null && sec >= r.start && sec < r.end;
    if (sec >= s.openingAuctionStart && sec < s.open) return 'opening-auction';
    if (sec >= s.open && sec < s.closingAuctionStart) return 'regular';
    if (sec >= s.closingAuctionStart && sec < s.close) return 'closing-auction';
    if (inRange(s.preMarket)) return 'pre-market';
    if (inRange(s.postClose)) return 'post-close';
    if (inRange(s.afterHours)) return 'after-hours';
    return 'closed';
  };

  return {
    isTradingDay,
    next: (d) => step(d, 1),
    previous: (d) => step(d, -1),
    sessionDay: (t) => {
      const d = kstParts(t).date;
      return isTradingDay(d) ? d : step(d, -1);
    },
    bounds: boundsOf,
    phase,
    dayNumber: (d) => Math.round(kstInstant(d) / DAY_MS),
    addTradingDays: (d, n) => {
      let cur = d;
      for (let i = 0; i < n; i++) cur = step(cur, 1);
      return cur;
    },
  };
}
