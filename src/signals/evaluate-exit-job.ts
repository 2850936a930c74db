import { krw, kstDateOf, makeIntentKey, OPEN_STATUSES, positionOrigins, RISK_KEYS, shares } from '../domain/index.js';
import type { DailyBar, EpochMs, ExitPolicy, Krw, Quote, Shares, StockCode, TradingDate } from '../domain/index.js';
import { flattenAt, sessionPhase } from '../market/index.js';
import { decideExit } from './decide-exit.js';
import type { ExitDecision, ExitState } from './decide-exit.js';
import { barsFor, barsInputs, barsWanted, describeSignal, quoteInputs, recordDecision, sessionWindowOf } from './evaluate-job.js';
import type { EvaluateDeps, EvaluateResult } from './evaluate-job.js';
import { tradingDaysBetween } from './trading-days.js';
import { checkExit } from './risk.js';
import { limitPriceFor } from './pricing.js';
import type { StrategyInstance } from './strategies/index.js';

/** The exit machine's state as kept in risk_state (RISK_KEYS.exitState), tied to the position it belongs to. */
export interface PositionExitRecord extends ExitState {
  openingOrderId: number;
  strategy: string | null;
}

/**
 * Bars only add indicator values and the ATR trail: a failed fetch (KIS down, rate limited) must
 * not stop a stop-loss (issue 8 §3), so the exit goes on with the cached bars.
 */
async function exitBars(deps: EvaluateDeps, symbol: StockCode, today: TradingDate, want: number): Promise<{ bars: DailyBar[]; error: string | null }> {
  try {
    return { bars: await barsFor(deps, symbol, today, want), error: null };
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    deps.log.warn({ symbol, err: error }, 'daily bars unavailable: evaluating the exit on the quote and the cached bars');
    return { bars: deps.bars.range(symbol, want, deps.calendar.previousTradingDay(today)), error };
  }
}

/**
 * The strategy whose exits protect a position: the one whose order opened it. A position whose
 * strategy the config no longer has (renamed, removed, or opened before strategies had ids) is
 * protected by the first strategy's exits: a position is never left without a stop.
 */
function exitStrategy(strategies: readonly StrategyInstance[], id: string | null): { own: StrategyInstance | null; policyOf: StrategyInstance } {
  const own = strategies.find((s) => s.id === id) ?? null;
  return { own, policyOf: own ?? strategies[0]! };
}

export async function runEvaluateExit(deps: EvaluateDeps, input: { symbol: StockCode }): Promise<EvaluateResult | null> {
  const { symbol } = input;
  const before = deps.positions.get(symbol);
  if (!before || before.qty <= 0) return null;
  const today = kstDateOf(deps.clock.now());
  const openedBy = positionOrigins(deps.orders, deps.fills).get(symbol)?.strategy ?? null;
  const { policyOf: wanted } = exitStrategy(deps.strategies, openedBy);
  const quote = await deps.market.quote(symbol, { lane: 'signal' });
  const { bars, error: barsError } = await exitBars(deps, symbol, today, barsWanted(wanted));
  // Read again after the waits, with no await from here to the decision: a sell of ours may have
  // filled meanwhile, and the open-sells check below would no longer see it working.
  const position = deps.positions.get(symbol);
  if (!position || position.qty <= 0) return null;
  const now = deps.clock.now();
  const origin = positionOrigins(deps.orders, deps.fills).get(symbol) ?? null;
  const { own, policyOf } = exitStrategy(deps.strategies, origin?.strategy ?? null);
  const opened = origin?.openedDate ?? today;
  const held = tradingDaysBetween(deps.calendar, opened, today);
  const flatten = flattenAt(today, deps.calendar, deps.flattenBeforeCloseMinutes ?? 0);
  const stored = deps.risk.get<PositionExitRecord>(RISK_KEYS.exitState(symbol));
  const previous = stored !== null && origin !== null && stored.openingOrderId === origin.openingOrderId ? stored : null;
  const decision = decideExit({
    snapshot: { symbol, today, quote, bars, session: sessionWindowOf(deps.calendar, today), scan: null },
    position: { qty: position.qty, avgPrice: position.avgPrice, openedDate: opened, daysHeld: held },
    policy: policyOf.exits, previous, flattenDue: flatten !== null && now >= flatten, strategy: own,
  });
  if (origin !== null) {
    const record: PositionExitRecord = { ...decision.state, openingOrderId: origin.openingOrderId, strategy: origin.strategy };
    deps.risk.set(RISK_KEYS.exitState(symbol), record, now);
  }
  const strategyId = origin?.strategy ?? policyOf.id;
  const base = { at: now, tradingDate: today, symbol, kind: 'exit' as const, strategy: strategyId };
  const inputs: Record<string, unknown> = {
    quote: quoteInputs(quote), values: decision.values, ...(decision.detail === null ? {} : { detail: decision.detail }),
    ...barsInputs(bars), position, openedDate: opened, tradingDaysHeld: held, flattenAt: flatten,
    exitPolicyOf: policyOf.id, ...(barsError === null ? {} : { barsError }),
  };
  if (decision.action !== 'exit') {
    return { decisionId: recordDecision(deps, { ...base, inputs, rule: decision.rule, guards: [], outcome: 'no-trade', intentKey: null }), intent: null };
  }
  // Only our own sell still open is a duplicate; our entry is cancelled by the order path first.
  const openSells = deps.orders.withStatus(OPEN_STATUSES).filter((o) => o.origin === 'daemon' && o.side === 'sell');
  const verdict = checkExit({
    symbol, orderType: deps.exitType, phase: sessionPhase(now, deps.calendar), openSellSymbols: openSells.map((o) => o.symbol),
    tradingHalted: quote.halted,
  });
  if (!verdict.ok) {
    return { decisionId: recordDecision(deps, { ...base, inputs, rule: decision.rule, guards: verdict.checks, outcome: 'blocked', intentKey: null }), intent: null };
  }
  // Each exit attempt of the day gets its own key: one that ended unfilled may be followed by another.
  const attempt = deps.orders.forDate(today).filter((o) => o.symbol === symbol && o.side === 'sell' && o.origin === 'daemon').length;
  const intentKey = makeIntentKey({ strategy: strategyId, symbol, side: 'sell', date: today, signal: `exit-${attempt}` });
  const price = deps.exitType === 'market' ? (0 as Krw) : limitPriceFor({ side: 'sell', quote, offsetTicks: deps.limitOffsetTicks }).price;
  const decisionId = recordDecision(deps, { ...base, inputs, rule: decision.rule, guards: verdict.checks, outcome: 'order', intentKey });
  // A sell below the average price starts the symbol's re-entry cooldown (risk.ts cooldownGuard).
  if (quote.price < position.avgPrice) {
    const exits = deps.risk.get<Record<string, number>>(RISK_KEYS.losingExits) ?? {};
    deps.risk.set(RISK_KEYS.losingExits, { ...exits, [symbol]: now }, now);
  }
  return {
    decisionId,
    intent: {
      intentKey, symbol, side: 'sell', type: deps.exitType, qty: shares(position.qty), price,
      tradingDate: today, decisionId, configHash: deps.configHash, reason: describeSignal(decision.rule, decision.values),
    },
  };
}

/** What a tick-time exit check reads: the trade log and the exit state, no KIS call. */
export type TickExitDeps = Pick<EvaluateDeps, 'positions' | 'orders' | 'fills' | 'risk' | 'bars' | 'calendar' | 'strategies'>;

/**
 * The exit machine on one real-time trade (docs/kis-wire.md §10.5): the same decideExit as the
 * exit job, with the trade's price for the quote and the cached daily bars, without the strategy's
 * own exit (it may read more of the quote than a trade carries) and without recording a decision
 * per tick. 'exit' means the caller enqueues the exit job, which decides again on a fresh quote and
 * records it. The exit state is only read here: it changes with recorded decisions alone, so
 * `kis-trader replay` can chain them (replay.ts); a trade's price counts toward the peak of this
 * check only. Null when nothing is held or nothing can be decided.
 */
export function exitOnTrade(deps: TickExitDeps, trade: { symbol: StockCode; price: Krw; at: EpochMs }): ExitDecision | null {
  const ctx = tradeExitContext(deps, trade.symbol, trade.at);
  return ctx === null ? null : decideOnTrade(ctx, trade.price, trade.at);
}

/** What exitOnTrade reads from the trade log for a symbol: the same for every trade until a fill or a decision. */
export interface TradeExitContext {
  symbol: StockCode;
  today: TradingDate;
  position: { qty: Shares; avgPrice: Krw; openedDate: TradingDate; daysHeld: number };
  bars: DailyBar[];
  policy: ExitPolicy;
  previous: ExitState | null;
  session: ReturnType<typeof sessionWindowOf>;
}

/** Null when nothing is held. A caller may keep it a moment (runtime/jobs.ts): trades come faster than the trade log changes. */
export function tradeExitContext(deps: TickExitDeps, symbol: StockCode, at: EpochMs): TradeExitContext | null {
  const position = deps.positions.get(symbol);
  if (!position || position.qty <= 0 || deps.strategies.length === 0) return null;
  const today = kstDateOf(at);
  const origin = positionOrigins(deps.orders, deps.fills).get(symbol) ?? null;
  const { policyOf } = exitStrategy(deps.strategies, origin?.strategy ?? null);
  const opened = origin?.openedDate ?? today;
  const stored = deps.risk.get<PositionExitRecord>(RISK_KEYS.exitState(symbol));
  return {
    symbol, today, policy: policyOf.exits, session: sessionWindowOf(deps.calendar, today),
    position: { qty: position.qty, avgPrice: position.avgPrice, openedDate: opened, daysHeld: tradingDaysBetween(deps.calendar, opened, today) },
    bars: deps.bars.range(symbol, barsWanted(policyOf), deps.calendar.previousTradingDay(today)),
    previous: stored !== null && origin !== null && stored.openingOrderId === origin.openingOrderId ? stored : null,
  };
}

export function decideOnTrade(ctx: TradeExitContext, price: Krw, at: EpochMs): ExitDecision | null {
  if (price <= 0) return null;
  const p = price;
  const quote: Quote = {
    symbol: ctx.symbol, price: p, open: p, high: p, low: p, basePrice: p, upperLimit: p, lowerLimit: p, tick: krw(1), volume: shares(0),
    tradedValue: krw(0), changeBp: 0, halted: false, at,
    status: {
      code: null, administrative: false, warning: null, marketWarningCode: null, investmentAttention: false, shortTermOverheated: false,
      liquidationTrading: false, vi: false,
    },
  };
  return decideExit({
    snapshot: { symbol: ctx.symbol, today: ctx.today, quote, bars: ctx.bars, session: ctx.session, scan: null },
    position: ctx.position, policy: ctx.policy, previous: ctx.previous, flattenDue: false, strategy: null,
  });
}
