import type { TradingDate } from '../domain/index.js';
import type { TradingCalendar } from '../market/index.js';

export function tradingDaysBetween(calendar: TradingCalendar, from: TradingDate, to: TradingDate): number {
  let n = 0;
  for (let d = from; d < to && n < 400; d = calendar.nextTradingDay(d)) n++;
  return n;
}
