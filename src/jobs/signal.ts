import { stockCode } from '../domain/index.js';
import type { DecisionInput, OrderIntent, SignalSettings } from '../domain/index.js';
import type { TradingCalendar } from '../market/index.js';
import { runEvaluateEntry, runEvaluateExit } from '../signals/index.js';
import type { EvaluateDeps, EvaluateResult, StrategyInstance } from '../signals/index.js';
import { bookPorts } from './signal-book.js';
import type { RiskWrite, SignalBook } from './signal-book.js';

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
  const result = await evaluate(evaluateDepsOf(rest), input);
  if (result?.intent) await enqueueOrder(result.intent);
  return result;
}

async function evaluate(evaluate: EvaluateDeps, input: SignalJobInput): Promise<EvaluateResult | null> {
  const symbol = stockCode(input.symbol);
  return input.kind === 'entry'
    ? runEvaluateEntry(evaluate, { strategy: input.strategy, symbol, candidate: input.candidate, scanSnapshotIds: input.scanSnapshotIds })
    : runEvaluateExit(evaluate, { symbol });
}

export type BookJobDeps = Omit<SignalJobDeps, 'enqueueOrder' | 'positions' | 'orders' | 'fills' | 'risk' | 'decisions'>;

export interface BookJobResult {
  /** null: an exit for a position the book no longer has (no decision, as runSignalJob) */
  decision: DecisionInput | null;
  /** without a decision id: the owner gives it when it records the decision */
  intent: Omit<OrderIntent, 'decisionId'> | null;
  riskWrites: RiskWrite[];
}

/**
 * A signal job in a `workers` process: the same evaluation as runSignalJob, over the owner's book
 * (signal-book.ts) instead of the trade log; the decision, the intent and the risk writes are
 * returned for the owner to record (record-decision.ts) rather than written here.
 */
export async function runBookSignalJob(deps: BookJobDeps, input: SignalJobInput, book: SignalBook): Promise<BookJobResult> {
  const ports = bookPorts(book);
  const result = await evaluate(evaluateDepsOf({ ...deps, ...ports }), input);
  const decisions = ports.recorded();
  const { decisionId: _placeholder, ...intent } = result?.intent ?? { decisionId: null };
  return {
    decision: result === null ? null : decisions.at(-1) ?? null,
    intent: result?.intent ? intent as Omit<OrderIntent, 'decisionId'> : null,
    riskWrites: ports.riskWrites(),
  };
}
