import { AppError, addDays, weekdayOf } from '../domain/index.js';
import type { TradingDate } from '../domain/index.js';
import type { CalendarData } from './calendar-data.js';
import { DEFAULT_SESSION_TIMES, shiftSessionTimes, toSessionSeconds } from './session-times.js';
import type { SessionTimes } from './session-times.js';

export interface TradingCalendar {
  /**
   * A weekday that is not a holiday, unless the broker overlay says otherwise. Throws
   * MARKET_CALENDAR_OUT_OF_RANGE for a year the data does not cover: a silent "open" on an
   * unknown year is how bots trade on holidays.
   */
  isTradingDay(d: TradingDate): boolean;
  /** strictly after d */
  nextTradingDay(d: TradingDate): TradingDate;
  /** strictly before d */
  previousTradingDay(d: TradingDate): TradingDate;
  /** the configured times, shifted on special days; not checked against isTradingDay */
  sessionTimesFor(d: TradingDate): SessionTimes;
  /** overlay from the broker's holiday API (chk-holiday opnd_yn, docs/kis-wire.md §6.7): broker wins */
  withHolidays(extra: { date: TradingDate; open: boolean }[]): TradingCalendar;
}

/** Holidays of one year run to ~10 days (Chuseok + weekend + substitute); a year bounds any search. */
const MAX_SEARCH_DAYS = 400;

function yearOf(d: TradingDate): number {
  return Number(d.slice(0, 4));
}

function build(data: CalendarData, times: SessionTimes, overlay: ReadonlyMap<string, boolean>): TradingCalendar {
  const holidays = new Set<string>(data.holidays.map((h) => h.date));
  const covered = new Set(data.coveredYears);
  const special = new Map<string, SessionTimes>();
  for (const s of data.specialSessions) {
    const shift: { open?: string; close?: string } = {};
    if (s.open !== undefined) shift.open = s.open;
    if (s.close !== undefined) shift.close = s.close;
    try {
      special.set(s.date, shiftSessionTimes(times, shift));
    } catch (err) {
      throw new AppError('MARKET_CALENDAR_INVALID', `calendar data: special session ${s.date} (${s.reason}) gives impossible hours`, { cause: err });
    }
  }

  const isTradingDay = (d: TradingDate): boolean => {
    const fromBroker = overlay.get(d);
    if (fromBroker !== undefined) return fromBroker;
    const year = yearOf(d);
    if (!covered.has(year)) {
      throw new AppError(
        'MARKET_CALENDAR_OUT_OF_RANGE',
        `no KRX holiday data for ${year} (covered: ${data.coveredYears.join(', ')}): add the year's holidays to config/krx-calendar.json or enable the broker holiday sync`,
        { details: { date: d, year, coveredYears: data.coveredYears } },
      );
    }
    const wd = weekdayOf(d);
    return wd !== 0 && wd !== 6 && !holidays.has(d);
  };

  const search = (d: TradingDate, step: 1 | -1): TradingDate => {
    let cur = d;
    for (let i = 0; i < MAX_SEARCH_DAYS; i++) {
      cur = addDays(cur, step);
      if (isTradingDay(cur)) return cur;
    }
    throw new AppError('MARKET_CALENDAR_INVALID', `no trading day within ${MAX_SEARCH_DAYS} days ${step > 0 ? 'after' : 'before'} ${d}`);
  };

  return {
    isTradingDay,
    nextTradingDay: (d) => search(d, 1),
    previousTradingDay: (d) => search(d, -1),
    sessionTimesFor: (d) => special.get(d) ?? times,
    withHolidays: (extra) => {
      const merged = new Map(overlay);
      for (const e of extra) merged.set(e.date, e.open);
      return build(data, times, merged);
    },
  };
}

/** Validates `times` (and every special day's shifted times) up front, so lookups never throw on them. */
export function createCalendar(data: CalendarData, times: SessionTimes = DEFAULT_SESSION_TIMES): TradingCalendar {
  toSessionSeconds(times);
  return build(data, times, new Map());
}
