export { runBacktest } from './run.js';
export { closeInstant } from './quote.js';
export { barCalendar } from './calendar.js';
export { sha256Of } from './hash.js';
export type {
  BacktestDecision, BacktestFill, BacktestInput, BacktestResult, BacktestSettings, BacktestSummary,
} from './types.js';
export { syntheticMarketBars } from './synthetic-source.js';
export { UNIVERSE_MODES } from './universe.js';
export type { BacktestUniverse, UniverseMode, UniverseReport } from './universe.js';
