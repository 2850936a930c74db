import { AppError, addDays, weekdayOf } from '../domain/index.js';
import type { TradingDate } from '../domain/index.js';
import { DEFAULT_SESSION_TIMES } from '../market/index.js';
import type { TradingCalendar } from '../market/index.js';

/**
 * The trading days of a backtest when no calendar is given: the dates the bars trade on, so a
 * backtest of any year needs no holiday file. Beyond the data (the T+2 settlement of the last
 * days) weekdays stand in: a settlement date only picks the tax row, and a holiday there moves
 * it by a day at most.
 */
export function barCalendar(dates: readonly TradingDate[]): TradingCalendar {
  const sorted = [...new Set(dates)].sort();
  const known = new Set(sorted);
  const first = sorted[0];
  const last = sorted.at(-1);
  if (first === undefined || last === undefined) throw new AppError('BACKTEST_NO_DATA', 'no bars: nothing to backtest');
  const isTradingDay = (d: TradingDate): boolean => {
    if (d >= first && d <= last) return known.has(d);
    const wd = weekdayOf(d);
    return wd !== 0 && wd !== 6;
  };
  const step = (d: TradingDate, by: 1 | -1): TradingDate => {
    let cur = d;
    for (let i = 0; i < 400; i++) {
      cur = addDays(cur, by);
      if (isTradingDay(cur)) return cur;
    }
    throw new AppError('BACKTEST_NO_DATA', `no trading day near ${d}`);
  };
  const calendar: TradingCalendar = {
    isTradingDay,
    nextTradingDay: (d) => step(d, 1),
    previousTradingDay: (d) => step(d, -1),
    sessionTimesFor: () => DEFAULT_SESSION_TIMES,
    withHolidays: () => calendar,
  };
  return calendar;
}
