export { Sma, Ema, Atr, Rsi, AverageVolume, smaOf, emaOf, atrOf, rsiOf, averageVolumeOf } from './indicators.js';
export { BollingerBands, Macd, bollingerOf, macdOf } from './indicators-bands.js';
export { RateOfChange, VolumeRatio, HighLow, Gap, rateOfChangeOf, volumeRatioOf, highLowOf, gapOf } from './indicators-change.js';
export type { HlcBar } from './indicators.js';
export type { BollingerValue, MacdValue } from './indicators-bands.js';
export type { HlBar, OcBar, HighLowValue } from './indicators-change.js';
export { REGULAR_SESSION, DEFAULT_MIN_SESSION_FRACTION_PCT, projectDayVolume } from './volume.js';
export type { SessionWindow, VolumeProjection } from './volume.js';
export { STRATEGY_NAME, INDICATOR_PERIOD, changeBp, evaluateEntry, evaluateExit } from './strategy.js';
export type {
  StrategyParams, SignalValues, EntryInput, EntryRule, EntrySignal, ExitPosition, ExitInput, ExitRule, ExitSignal,
} from './strategy.js';
export { checkEntry, checkExit } from './risk.js';
export type { GuardResult, RiskVerdict, RiskLimits, EntryRiskContext, ExitRiskContext } from './risk.js';
export { sizeEntry } from './sizing.js';
export type { SizingInput, SizingLimit, SizingResult } from './sizing.js';
export { entryLimitPrice, limitPriceFor } from './pricing.js';
export type { LimitPriceInput, LimitPrice } from './pricing.js';
export { runEvaluateEntry, runEvaluateExit, barsFor } from './evaluate-job.js';
export type { EvaluateDeps, EvaluateResult } from './evaluate-job.js';
