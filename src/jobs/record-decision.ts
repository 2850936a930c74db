import { OPEN_STATUSES, RISK_KEYS, stockCode, tradingDate, epochMs, krw, shares } from '../domain/index.js';
import type {
  Clock, DecisionInput, DecisionRepo, GuardVerdict, Halt, KeyValueRepo, Logger, OrderIntent, OrderRepo, PositionRepo,
} from '../domain/index.js';
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
  /** the trade log now, for the re-check of a buy decided on an older book */
  positions: Pick<PositionRepo, 'get'>;
  orders: Pick<OrderRepo, 'withStatus'>;
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

/** What the marker keeps: the decision row, and whether its intent goes to the order worker. */
interface Recorded {
  decisionId: number;
  ordered: boolean;
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
 * An intent was decided on the book as it was when the job was enqueued. What may have changed
 * since and would make a buy a second position (or an entry while halted), or a sell more than is
 * held, is checked again on the trade log now, with the meaning of the guards in signals/risk.ts:
 * a halt (buys only), the symbol held, an order open in the symbol under another key (for a sell:
 * a sell of ours). The
 * count and loss limits stay as the book had them.
 */
function recheck(deps: RecordDecisionDeps, intent: { symbol: string; side: string; qty: number; intentKey: string }): GuardVerdict | null {
  const verdict = (reason: string, context?: Record<string, unknown>): GuardVerdict => ({ guard: 'owner-recheck', ok: false, reason, ...(context ? { context } : {}) });
  const held = deps.positions.get(stockCode(intent.symbol))?.qty ?? 0;
  const open = deps.orders.withStatus(OPEN_STATUSES).find((o) => o.symbol === intent.symbol && o.intentKey !== intent.intentKey
    && (intent.side === 'buy' || (o.origin === 'daemon' && o.side === 'sell')));
  if (open) return verdict(`an order is open in the symbol now`, { intentKey: open.intentKey });
  if (intent.side === 'sell') return held < intent.qty ? verdict(`${held} shares held now, fewer than the ${intent.qty} to sell`) : null;
  const halt = deps.risk.get<Halt>(RISK_KEYS.halt);
  if (halt !== null) return verdict(`entries halted since the book was taken: ${halt.reason}`);
  return held > 0 ? verdict('the symbol is held now') : null;
}

/**
 * The owner records a worker's evaluation: in one transaction the decision row (its real id; an
 * intent the re-check refuses makes it 'blocked'), the risk-state writes and the marker; then the
 * intent goes to the order worker keyed by its intent key, as runSignalJob does. A redelivered
 * result finds the marker and records nothing again; an intent it recorded as ordered is enqueued
 * again, which the order queue and the UNIQUE intent key refuse.
 */
export async function runRecordDecision(deps: RecordDecisionDeps, result: DecisionResult): Promise<number | null> {
  if (result.outcome === 'deferred') {
    if (deps.kv.get<number>(recordedKey(result.signalJobId)) !== null) return null;
    deps.log.info({ signalJobId: result.signalJobId, from: result.evaluatedBy, reason: result.reason }, 'signal job deferred by a worker: evaluating it here');
    await deps.evaluateHere();
    deps.kv.set(recordedKey(result.signalJobId), 0, deps.clock.now());
    return null;
  }
  const { decision: sent } = result;
  if (sent === null) return null;
  const now = deps.clock.now();
  const recorded = deps.transaction((): Recorded => {
    const before = deps.kv.get<Recorded | number>(recordedKey(result.signalJobId));
    if (before !== null) return typeof before === 'number' ? { decisionId: before, ordered: false } : before;
    const stale = result.intent ? recheck(deps, result.intent) : null;
    const decision = stale === null ? sent : { ...sent, guards: [...sent.guards, stale], outcome: 'blocked' as const, intentKey: null };
    const decisionId = deps.decisions.insert({
      ...decision, at: epochMs(decision.at), tradingDate: tradingDate(decision.tradingDate), symbol: stockCode(decision.symbol),
      guards: decision.guards as GuardVerdict[],
      inputs: { ...decision.inputs, evaluatedBy: result.evaluatedBy, signalJobId: result.signalJobId },
    });
    for (const w of result.riskWrites) applyRiskWrite(deps.risk, { ...w, at: epochMs(w.at) });
    const done: Recorded = { decisionId, ordered: result.intent !== null && stale === null };
    deps.kv.set(recordedKey(result.signalJobId), done, now);
    deps.log.info({ decisionId, symbol: decision.symbol, strategy: decision.strategy, kind: decision.kind, rule: decision.rule, outcome: decision.outcome, evaluatedBy: result.evaluatedBy, ...(stale ? { recheck: stale.reason } : {}), ...(decision.intentKey ? { intentKey: decision.intentKey } : {}) },
      `decision: ${decision.kind} ${decision.symbol} ${decision.outcome} (${decision.strategy}: ${decision.rule}) by ${result.evaluatedBy}`);
    return done;
  });
  // Again on a redelivery (the first delivery may have died before it): the order queue and the UNIQUE intent key keep it one order.
  if (recorded.ordered && result.intent) {
    const i = result.intent;
    await deps.enqueueOrder({
      ...i, symbol: stockCode(i.symbol), qty: shares(i.qty), price: krw(i.price), tradingDate: tradingDate(i.tradingDate), decisionId: recorded.decisionId,
    }, sent.at);
  }
  return recorded.decisionId;
}

/** A signal job is not run again after its day: its marker can go (after the close). */
const MARKER_KEEP_MS = 2 * 86_400_000;

/** Drops the markers of results recorded more than two days ago; returns how many. */
export function pruneRecordedMarkers(kv: { list(): { key: string; updatedAt: number }[]; delete(key: string): void }, now: number): number {
  const old = kv.list().filter((e) => e.key.startsWith(recordedKey('')) && e.updatedAt < now - MARKER_KEEP_MS);
  for (const e of old) kv.delete(e.key);
  return old.length;
}
