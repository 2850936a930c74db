export type { ConfigInForce, DailyPnl, GuardStat, ReviewInput, RoundTrip } from './types.js';
export { bucketOf, drawdowns, groupTrips, isoWeek, markTrips, summarize } from './stats.js';
export type { GroupBy, PnlSummary } from './stats.js';
export { renderReport } from './report.js';
export { holding as formatHolding } from './html.js';
export { performanceMetrics, TRADING_DAYS_PER_YEAR } from './metrics.js';
export type { PerformanceMetrics } from './metrics.js';
