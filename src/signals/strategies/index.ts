import { breakoutAtr } from './breakout-atr.js';
import { gapAndGo } from './gap-and-go.js';
import { momentumVolume } from './momentum-volume.js';
import { rsi2MeanReversion } from './rsi2-mean-reversion.js';
import { rules } from './rules.js';
import type { StrategySlice } from '../../domain/index.js';
import type { Strategy, StrategyInstance } from './types.js';

export type { Strategy, StrategyInstance, StrategySignal, Snapshot, ScanFields, PositionFields, SignalValues } from './types.js';
export { changeBp, numText, pctText, referencePrice } from './change.js';
export { NO_VALUES } from './types.js';

/**
 * The strategies `strategies.<id>.use` can name. A strategy's params are parsed by its own schema
 * before it runs (runtime/strategies.ts), so each is stored here with its parsed-params type erased.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const BUILT_IN_STRATEGIES: ReadonlyMap<string, Strategy<any>> = new Map<string, Strategy<any>>([
  [momentumVolume.name, momentumVolume],
  [rsi2MeanReversion.name, rsi2MeanReversion],
  [breakoutAtr.name, breakoutAtr],
  [gapAndGo.name, gapAndGo],
  [rules.name, rules],
]);

/** Binds a strategy to params its own schema produced; the jobs and the backtester call the result. */
export function bindStrategy<P>(slice: StrategySlice, strategy: Strategy<P>, params: P): StrategyInstance {
  const exit = strategy.exit;
  const { params: _raw, module: _module, ...rest } = slice;
  return {
    ...rest,
    use: strategy.name,
    barsNeeded: strategy.barsNeeded(params),
    entry: (snapshot) => strategy.entry(snapshot, params),
    exit: (snapshot) => (exit ? exit(snapshot, params) : null),
  };
}
