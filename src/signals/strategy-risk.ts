import { strategyOfIntentKey } from '../domain/index.js';
import type { Krw, OrderRecord, Position, PositionOrigin, StockCode } from '../domain/index.js';
import type { GuardResult } from './risk.js';
import type { StrategyInstance } from './strategies/index.js';

export interface StrategyExposure {
  /** symbols this strategy holds or is buying */
  positions: number;
  /** cost of its positions plus the remaining value of its working buys */
  value: Krw;
  /** what is left of its budget (share of equity); never below 0 */
  budgetLeft: Krw;
}

/**
 * What one strategy has taken of the account: its positions (by the strategy of the order that
 * opened them) and its working buys (by their intent key), against its budget of the equity.
 */
export function strategyExposure(input: {
  strategy: StrategyInstance; equity: Krw; positions: readonly Position[]; origins: ReadonlyMap<StockCode, PositionOrigin>;
  /** the daemon's working orders */
  open: readonly OrderRecord[];
}): StrategyExposure {
  const { strategy } = input;
  // loops, not filter/map/reduce: no closures on a path a backtest takes often (bench/README.md)
  const symbols = new Set<StockCode>();
  let heldValue = 0;
  for (const p of input.positions) {
    if (p.qty > 0 && input.origins.get(p.symbol)?.strategy === strategy.id) {
      symbols.add(p.symbol);
      heldValue += p.cost;
    }
  }
  let buysValue = 0;
  for (const o of input.open) {
    if (o.origin === 'daemon' && o.side === 'buy' && strategyOfIntentKey(o.intentKey) === strategy.id) {
      symbols.add(o.symbol);
      buysValue += (o.qty - o.filledQty) * o.price;
    }
  }
  const value = heldValue + buysValue;
  const budget = Math.floor((input.equity * strategy.budgetBp) / 10_000);
  return { positions: symbols.size, value: value as Krw, budgetLeft: Math.max(0, budget - value) as Krw };
}

/**
 * The strategy's own caps, beside the account-wide guards of risk.ts. A budget with less left than
 * one share at `unitPrice` is spent: said so here, not left to the account-wide `min-qty` guard.
 */
export function strategyGuards(strategy: StrategyInstance, exposure: StrategyExposure, orderValue: Krw, unitPrice: Krw): GuardResult[] {
  const context = { strategy: strategy.id, ...exposure, maxPositions: strategy.maxPositions, budgetBp: strategy.budgetBp, orderValue, unitPrice };
  const positionsOk = exposure.positions < strategy.maxPositions;
  const budgetReason = exposure.budgetLeft < unitPrice
    ? `${strategy.id} has ${exposure.budgetLeft} won of its budget left, less than one share at ${unitPrice}`
    : orderValue > exposure.budgetLeft ? `${strategy.id} has ${exposure.budgetLeft} won of its budget left, the order needs ${orderValue}` : null;
  return [
    positionsOk
      ? { guard: 'strategy-max-positions', ok: true, context }
      : { guard: 'strategy-max-positions', ok: false, reason: `${exposure.positions} of ${strategy.maxPositions} positions of ${strategy.id} taken`, context },
    budgetReason === null
      ? { guard: 'strategy-budget', ok: true, context }
      : { guard: 'strategy-budget', ok: false, reason: budgetReason, context },
  ];
}
