export { runBacktest } from './run.js';
export { barCalendar } from './calendar.js';
export { sha256Of } from './hash.js';
export type {
  BacktestDecision, BacktestFill, BacktestInput, BacktestResult, BacktestSettings, BacktestSummary, DayPath,
} from './types.js';
export { dayPath, syntheticMarketBars } from './synthetic-source.js';
export { fillModel } from './execution.js';
