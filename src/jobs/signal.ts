import { stockCode } from '../domain/index.js';
import type { OrderIntent, SignalSettings } from '../domain/index.js';
import type { TradingCalendar } from '../market/index.js';
import { runEvaluateEntry, runEvaluateExit } from '../signals/index.js';
import type { EvaluateDeps, EvaluateResult, StrategyInstance } from '../signals/index.js';

/** The ports signals/ evaluates over (its EvaluateDeps less the settings, which come as one slice). */
export type SignalJobDeps = Omit<EvaluateDeps, keyof SignalSettings | 'calendar' | 'strategies'> & {
  calendar: () => TradingCalendar;
  settings: SignalSettings;
  /** the enabled strategies (runtime/strategies.ts) */
  strategies: readonly StrategyInstance[];
  /** hands an intent to the order worker (the one process that sends orders) */
  enqueueOrder: (intent: OrderIntent) => Promise<void>;
};

export interface SignalJobInput {
  kind: 'entry' | 'exit';
  /** the strategy an entry is evaluated for; exits use the strategy that opened the position */
  strategy: string | null;
  symbol: string;
  candidate: Record<string, unknown> | null;
  scanSnapshotIds: number[];
}

/** What signals/ evaluates over: the ports, and the settings slice config/ produced. */
export function evaluateDepsOf(deps: Omit<SignalJobDeps, 'enqueueOrder'>): EvaluateDeps {
  const { settings, calendar, log, ...ports } = deps;
  return { ...ports, ...settings, calendar: calendar(), log: log.child({ job: 'signal' }) };
}

/** One signal job: evaluate the entry or the exit of a symbol, record the decision, enqueue its intent. */
export async function runSignalJob(deps: SignalJobDeps, input: SignalJobInput): Promise<EvaluateResult | null> {
  const { enqueueOrder, ...rest } = deps;
  const evaluate = evaluateDepsOf(rest);
  const symbol = stockCode(input.symbol);
  const result = input.kind === 'entry'
    ? await runEvaluateEntry(evaluate, { strategy: input.strategy, symbol, candidate: input.candidate, scanSnapshotIds: input.scanSnapshotIds })
    : await runEvaluateExit(evaluate, { symbol });
  if (result?.intent) await enqueueOrder(result.intent);
  return result;
}
