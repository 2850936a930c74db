export { runBacktest } from './run.js';
export { closeInstant } from './quote.js';
export { barCalendar } from './calendar.js';
export { sha256Of } from './hash.js';
export type {
  BacktestDecision, BacktestFill, BacktestInput, BacktestResult, BacktestSettings, BacktestSummary, DayPath,
} from './types.js';
export { dayPath, syntheticMarketBars, syntheticPaths } from './synthetic-source.js';
export { fillModel } from './execution.js';
export { UNIVERSE_MODES } from './universe.js';
export type { BacktestUniverse, UniverseMode, UniverseReport } from './universe.js';
