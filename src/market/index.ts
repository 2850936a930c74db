export { TICK_BANDS, tickSize, roundToTick, isOnTick, addTicks } from './tick.js';
export type { TickBand, TickRounding } from './tick.js';
export { priceLimits, isWithinLimits } from './price-limits.js';
export type { PriceLimits } from './price-limits.js';
export { DEFAULT_SESSION_TIMES, shiftSessionTimes, toSessionSeconds } from './session-times.js';
export type { SessionTimes, SessionSeconds } from './session-times.js';
export { parseCalendarData } from './calendar-data.js';
export type { CalendarData, Holiday, SpecialSession } from './calendar-data.js';
export { createCalendar } from './calendar.js';
export type { TradingCalendar } from './calendar.js';
export { sessionPhase, sessionBounds, isOrderTypeAllowed, flattenAt } from './session.js';
export type { SessionPhase, SessionBounds } from './session.js';
export {
  DEFAULT_TAX_TABLE, DEFAULT_COMMISSION_PPM, DEFAULT_FEE_RATES, DEFAULT_SECURITY, SETTLEMENT_DAYS, commissionFor, sellTaxFor,
  securityOfCode, settlementDate, taxRateOn, taxTableGap, tradeCosts,
} from './fees.js';
export type { TaxRate, FeeRates, ListingMarket, ProductKind, Security, Trade } from './fees.js';
