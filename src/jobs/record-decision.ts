import { RISK_KEYS, stockCode, tradingDate, epochMs, krw, shares } from '../domain/index.js';
import type { Clock, DecisionInput, DecisionRepo, GuardVerdict, KeyValueRepo, Logger, OrderIntent } from '../domain/index.js';
import type { RiskWrite } from './signal-book.js';

/**
 * What a `workers` process sent back for one signal job (queues/ validates it): the decision it
 * took over the owner's book, the intent, and the risk-state writes, or the job itself when it
 * could not evaluate it (then the owner does).
 */
export type DecisionResult =
  | {
    outcome: 'evaluated'; signalJobId: string; evaluatedBy: string;
    decision: PlainDecision | null;
    intent: Omit<PlainIntent, 'decisionId'> | null;
    riskWrites: { key: string; value: unknown; at: number }[];
  }
  | { outcome: 'deferred'; signalJobId: string; evaluatedBy: string; reason: string };

type PlainDecision = Omit<DecisionInput, 'at' | 'tradingDate' | 'symbol' | 'guards'> & {
  at: number; tradingDate: string; symbol: string; guards: { guard: string; ok: boolean; reason?: string | undefined; context?: Record<string, unknown> | undefined }[];
};
interface PlainIntent {
  intentKey: string; symbol: string; side: OrderIntent['side']; type: OrderIntent['type']; qty: number; price: number;
  tradingDate: string; decisionId: number | null; configHash: string; reason: string;
}

export interface RecordDecisionDeps {
  decisions: DecisionRepo;
  risk: KeyValueRepo;
  /** the marker that a result was recorded (store.kv) */
  kv: KeyValueRepo;
  transaction: <T>(fn: () => T) => T;
  clock: Clock;
  log: Logger;
  /** the same hand-off to the order worker as the owner's own evaluations; `decidedAt` starts the intent's age */
  enqueueOrder: (intent: OrderIntent, decidedAt: number) => Promise<void>;
  /** evaluates the deferred signal job here, on the trade log */
  evaluateHere: () => Promise<void>;
}

/** kv key marking a signal job's decision as recorded: a result delivered twice records once */
export const recordedKey = (signalJobId: string): string => `decision-recorded.${signalJobId}`;

/**
 * Losing exits are one map for all symbols: a worker's write holds the map as its book had it,
 * so it is merged into the current one rather than replacing entries recorded since.
 */
function applyRiskWrite(risk: KeyValueRepo, w: RiskWrite): void {
  if (w.key === RISK_KEYS.losingExits && typeof w.value === 'object' && w.value !== null) {
    risk.set(w.key, { ...(risk.get<Record<string, number>>(w.key) ?? {}), ...(w.value as Record<string, number>) }, w.at);
    return;
  }
  risk.set(w.key, w.value, w.at);
}

/**
 * The owner records a worker's evaluation: in one transaction the decision row (its real id),
 * the risk-state writes and the marker; then the intent goes to the order worker keyed by its
 * intent key, as runSignalJob does. A redelivered result finds the marker and records nothing
 * again; its intent is enqueued again, which the order queue and the UNIQUE intent key refuse.
 */
export async function runRecordDecision(deps: RecordDecisionDeps, result: DecisionResult): Promise<number | null> {
  if (result.outcome === 'deferred') {
    if (deps.kv.get<number>(recordedKey(result.signalJobId)) !== null) return null;
    deps.log.info({ signalJobId: result.signalJobId, from: result.evaluatedBy, reason: result.reason }, 'signal job deferred by a worker: evaluating it here');
    await deps.evaluateHere();
    deps.kv.set(recordedKey(result.signalJobId), 0, deps.clock.now());
    return null;
  }
  const { decision } = result;
  if (decision === null) return null;
  const now = deps.clock.now();
  const recorded = deps.transaction(() => {
    const before = deps.kv.get<number>(recordedKey(result.signalJobId));
    if (before !== null) return { id: before, fresh: false };
    const id = deps.decisions.insert({
      ...decision, at: epochMs(decision.at), tradingDate: tradingDate(decision.tradingDate), symbol: stockCode(decision.symbol),
      guards: decision.guards as GuardVerdict[],
      inputs: { ...decision.inputs, evaluatedBy: result.evaluatedBy, signalJobId: result.signalJobId },
    });
    for (const w of result.riskWrites) applyRiskWrite(deps.risk, { ...w, at: epochMs(w.at) });
    deps.kv.set(recordedKey(result.signalJobId), id, now);
    return { id, fresh: true };
  });
  if (recorded.fresh) {
    deps.log.info({ decisionId: recorded.id, symbol: decision.symbol, strategy: decision.strategy, kind: decision.kind, rule: decision.rule, outcome: decision.outcome, evaluatedBy: result.evaluatedBy, ...(decision.intentKey ? { intentKey: decision.intentKey } : {}) },
      `decision: ${decision.kind} ${decision.symbol} ${decision.outcome} (${decision.strategy}: ${decision.rule}) by ${result.evaluatedBy}`);
  }
  if (result.intent) {
    const i = result.intent;
    await deps.enqueueOrder({
      ...i, symbol: stockCode(i.symbol), qty: shares(i.qty), price: krw(i.price), tradingDate: tradingDate(i.tradingDate), decisionId: recorded.id,
    }, decision.at);
  }
  return recorded.id;
}
