export { runBacktest } from './run.js';
export { barCalendar } from './calendar.js';
export { sha256Of } from './hash.js';
export type {
  BacktestDecision, BacktestFill, BacktestInput, BacktestResult, BacktestSettings, BacktestSummary,
} from './types.js';
export { syntheticMarketBars } from './synthetic-source.js';
