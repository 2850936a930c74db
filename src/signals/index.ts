export { Sma, Ema, Atr, Rsi, AverageVolume, smaOf, emaOf, atrOf, rsiOf, averageVolumeOf } from './indicators.js';
export { BollingerBands, Macd, bollingerOf, macdOf } from './indicators-bands.js';
export { RateOfChange, VolumeRatio, HighLow, Gap, rateOfChangeOf, volumeRatioOf, highLowOf, gapOf } from './indicators-change.js';
export type { HlcBar } from './indicators.js';
export type { BollingerValue, MacdValue } from './indicators-bands.js';
export type { HlBar, OcBar, HighLowValue } from './indicators-change.js';
export { REGULAR_SESSION, DEFAULT_MIN_SESSION_FRACTION_PCT, projectDayVolume } from './volume.js';
export type { SessionWindow, VolumeProjection } from './volume.js';
export { BUILT_IN_STRATEGIES, bindStrategy, changeBp, referencePrice } from './strategies/index.js';
export type {
  Strategy, StrategyInstance, StrategySignal, Snapshot, ScanFields, PositionFields, SignalValues,
} from './strategies/index.js';
export { INDICATOR_PERIOD, decideEntry } from './decide-entry.js';
export type { EntryDecision } from './decide-entry.js';
export { decideExit } from './decide-exit.js';
export type { ExitDecision, ExitInput, ExitRule, ExitState } from './decide-exit.js';
export { checkEntry, checkExit } from './risk.js';
export type { GuardResult, RiskVerdict, RiskLimits, EntryRiskContext, ExitRiskContext } from './risk.js';
export { sizeEntry } from './sizing.js';
export type { SizingInput, SizingLimit, SizingResult } from './sizing.js';
export { entryLimitPrice, limitPriceFor } from './pricing.js';
export type { LimitPriceInput, LimitPrice } from './pricing.js';
export { runEvaluateEntry, barsFor, barsWanted } from './evaluate-job.js';
export type { EvaluateDeps, EvaluateResult, EntryInput } from './evaluate-job.js';
export { runEvaluateExit } from './evaluate-exit-job.js';
export type { PositionExitRecord } from './evaluate-exit-job.js';
export { strategyExposure, strategyGuards } from './strategy-risk.js';
export type { StrategyExposure } from './strategy-risk.js';
