import type { ExitPolicy, Krw, Shares, TradingDate } from '../domain/index.js';
import { krw } from '../domain/index.js';
import { atrOf } from './indicators.js';
import { checkedBars, reviewIndicators } from './decide-entry.js';
import { changeBp, NO_VALUES, numText, pctText } from './strategies/index.js';
import type { PositionFields, Snapshot, SignalValues, StrategyInstance } from './strategies/index.js';

/**
 * What the exit machine remembers of a position between evaluations (store: position_exits): the
 * peak price since entry and whether the break-even lock is armed. Everything else is recomputed.
 */
export interface ExitState {
  peakPrice: Krw;
  breakEvenArmed: boolean;
}

export type ExitRule =
  | 'no-price' | 'stop-loss' | 'break-even' | 'trailing-stop' | 'take-profit' | 'max-hold' | 'flatten-before-close' | 'hold';

export interface ExitDecision {
  action: 'exit' | 'hold';
  /** an ExitRule, or the strategy's own exit rule */
  rule: string;
  values: SignalValues;
  /** the comparison that decided, in words ("loss 3.20 % ≥ stop 3.00 %"); null for a hold */
  detail: string | null;
  /** the state to keep for the next evaluation (unchanged when there was no price) */
  state: ExitState;
}

export interface ExitInput {
  snapshot: Omit<Snapshot, 'position'>;
  position: { qty: Shares; avgPrice: Krw; openedDate: TradingDate; daysHeld: number };
  policy: ExitPolicy;
  /** null for a position not evaluated before */
  previous: ExitState | null;
  /** the flatten time of the day has come (schedule.flattenBeforeCloseMinutes, market/session.ts flattenAt) */
  flattenDue: boolean;
  /** the position's strategy, for its own exit; null when the config no longer has it */
  strategy: StrategyInstance | null;
}

/**
 * The exit machine, pure: protective exits first, in the order that cuts a loss soonest (hard
 * stop, break-even lock, ATR trail), then the profit target, the strategy's own exit, the time stop
 * and the flatten before the close. Exits are never blocked by anything entries are (risk.ts).
 * Returns are gross price returns vs the average price; fees and tax are the P&L report's concern.
 */
export function decideExit(input: ExitInput): ExitDecision {
  const { snapshot, position, policy, previous } = input;
  const { quote, today } = snapshot;
  const bars = checkedBars(snapshot);
  const price = quote.price;

  // The peak since entry: what earlier evaluations saw, the completed days after the opening day, and now.
  const highsSince = bars.filter((b) => b.date > position.openedDate).map((b) => b.high as number);
  const peak = krw(Math.max(previous?.peakPrice ?? position.avgPrice, ...highsSince, price > 0 ? price : 0));
  const peakBp = changeBp(position.avgPrice, peak);
  const breakEvenArmed = (previous?.breakEvenArmed ?? false)
    || (policy.breakEvenAfterBp !== null && peakBp !== null && peakBp >= policy.breakEvenAfterBp);
  const atr = policy.trailAtrMultiple === null ? null : atrOf(bars, policy.atrPeriod);
  const trailStop = atr === null || policy.trailAtrMultiple === null ? null : peak - policy.trailAtrMultiple * atr;
  const pnl = price > 0 ? changeBp(position.avgPrice, price) : null;
  // Accept the stop as a distance whichever sign the config wrote, so −300 can never mean +3 %.
  const stopBp = Math.abs(policy.stopLossBp);

  // Unexplained (Snapshot.explain false): the same rules, without the decision log's values.
  const explain = snapshot.explain !== false;
  const values: SignalValues = !explain ? NO_VALUES : {
    strategy: input.strategy?.id ?? null, today, openedDate: position.openedDate, qty: position.qty, price,
    avgPrice: position.avgPrice, pnlBp: pnl, peakPrice: peak, peakBp, stopLossBp: stopBp, takeProfitBp: policy.takeProfitBp,
    breakEvenAfterBp: policy.breakEvenAfterBp, breakEvenArmed, trailAtrMultiple: policy.trailAtrMultiple, trailAtr: atr,
    trailStop, tradingDaysHeld: position.daysHeld, maxHoldDays: policy.maxHoldDays, flattenDue: input.flattenDue,
    halted: quote.halted, ...reviewIndicators(bars), barsAvailable: bars.length,
  };
  const state: ExitState = { peakPrice: peak, breakEvenArmed };
  const decide = (rule: string, exit: boolean, detail: string | null = null): ExitDecision => ({
    action: exit ? 'exit' : 'hold', rule, values, detail: explain ? detail : null, state,
  });

  // The Ouroboros bug: a zero price read as a −100 % loss and sold the position. No price, no act.
  if (price <= 0) return { ...decide('no-price', false, `price ${price}`), state: previous ?? state };
  // pnl is null only without a usable average price; then only the rules without it can apply.
  if (pnl !== null && pnl <= -stopBp) return decide('stop-loss', true, `loss ${pctText(-pnl)} ≥ stop ${pctText(stopBp)}`);
  if (breakEvenArmed && price <= position.avgPrice) {
    return decide('break-even', true, `price ${numText(price)} ≤ average ${numText(position.avgPrice)} after a peak of +${pctText(peakBp ?? 0)}`);
  }
  if (trailStop !== null && price <= trailStop) {
    return decide('trailing-stop', true, `price ${numText(price)} ≤ ${numText(trailStop)} (peak ${numText(peak)} − ${policy.trailAtrMultiple} × ATR ${numText(atr ?? 0)})`);
  }
  if (pnl !== null && policy.takeProfitBp !== null && pnl >= policy.takeProfitBp) {
    return decide('take-profit', true, `gain ${pctText(pnl)} ≥ ${pctText(policy.takeProfitBp)}`);
  }
  if (input.strategy) {
    const held: PositionFields = { ...position, peakPrice: peak, unrealisedBp: pnl };
    // other bars than the snapshot's (completedBars) lose its running sums, which were of its own
    const own = input.strategy.exit({ ...snapshot, bars, position: held, ...(bars === snapshot.bars ? {} : { sums: undefined }) });
    if (own && explain) Object.assign(values, own.values, { strategyExitRule: own.rule });
    if (own?.fire) return decide(own.rule, true, own.detail ?? null);
  }
  if (policy.maxHoldDays !== null && position.daysHeld >= policy.maxHoldDays) {
    return decide('max-hold', true, `held ${position.daysHeld} of ${policy.maxHoldDays} trading days`);
  }
  if (input.flattenDue) return decide('flatten-before-close', true, 'the flatten time before the close has come');
  return decide('hold', false);
}
