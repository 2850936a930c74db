import { krw, makeIntentKey, ppm } from '../domain/index.js';
import type { EpochMs, Krw, OrderRecord, StockCode, TradingDate } from '../domain/index.js';
import { admits } from '../scan/index.js';
import {
  barsWanted, checkEntry, checkExit, decideEntry, decideExit, limitPriceFor, REGULAR_SESSION, sizeEntry,
  strategyExposure,
  strategyGuards,
} from '../signals/index.js';
import type { BarSums, ExitState, ScanFields, StrategyInstance } from '../signals/index.js';
import type { Account, PendingOrder } from './account.js';
import { closeQuote, nextDayQuote, unitPriceOf } from './quote.js';
import type { Series } from './series.js';
import type { BacktestDecision, BacktestSettings } from './types.js';
import type { UniverseEntry } from './universe.js';

/**
 * One day's decisions at the close, as the daemon's signal jobs take them (signals/evaluate-job.ts,
 * evaluate-exit-job.ts): the same pure decideExit / decideEntry, risk guards, sizing and pricing, on
 * a snapshot built from the bars up to today only. What the daemon reads from the broker and the
 * trade log (cash, positions, working orders, today's orders, losing exits) comes from the
 * backtest's own account instead.
 */
export interface DayContext {
  settings: BacktestSettings;
  account: Account;
  series: readonly Series[];
  bySymbol: ReadonlyMap<StockCode, Series>;
  /** index of each trading day, for days held */
  dayIndex: ReadonlyMap<TradingDate, number>;
  /**
   * The exit machine's state of each position, tied to the order that opened it as the daemon ties
   * it (signals/evaluate-exit-job.ts PositionExitRecord): a later position in the symbol starts afresh.
   */
  exitStates: Map<StockCode, ExitState & { openingOrderId: number }>;
  losingExits: Partial<Record<StockCode, EpochMs>>;
  dayStartEquity: Krw;
  /** today's close (closeInstant), computed once a day */
  closeAt: EpochMs;
  ordersToday: number;
  nextOrderId: number;
  evaluations: number;
  orders: number;
  onDecision: ((d: BacktestDecision) => void) | undefined;
  /** openBuysOf's list, made when `orders` had its value; reset (null) when the day's orders are worked */
  openBuys: { orders: number; list: OrderRecord[] } | null;
  /** what a held symbol is marked at (series.ts markOf), one function for the run */
  mark: (symbol: StockCode) => Krw;
}

/** The `all` universe has no rankings (docs/backtest.md §3): a strategy with a maxRank admits nothing. */
const NO_RANKS = { volume: null, fluctuation: null };

/** The daemon's phase when it places orders: continuous trading (docs/backtest.md). */
const PHASE = 'regular' as const;


/**
 * The last `barsWanted` completed bars before today: the window the daemon's cache would hand the
 * decision code. A slice of a series checkBars checked, ending before today's bar, so the snapshots
 * say `barsChecked` (signals/strategies/types.ts).
 */
const windowOf = (s: Series, strategy: StrategyInstance): readonly DailyBarLike[] =>
  s.bars.slice(Math.max(0, s.at - barsWanted(strategy)), s.at);
type DailyBarLike = Series['bars'][number];

/** The series' running sums for a window windowOf cut: it ends just before today's bar. */
const sumsOf = (s: Series): BarSums | undefined => (s.sums === null ? undefined : { series: s.sums, end: s.at });

function emit(
  ctx: DayContext, date: TradingDate, symbol: StockCode, kind: BacktestDecision['kind'], strategy: string,
  d: { action: string; rule: string; values: BacktestDecision['values'] }, outcome: BacktestDecision['outcome'],
): void {
  if (ctx.onDecision) ctx.onDecision({
    date, symbol, kind, strategy, action: d.action, rule: d.rule, outcome, values: d.values,
  });
}

function previousState(ctx: DayContext, symbol: StockCode, openingOrderId: number): ExitState | null {
  const stored = ctx.exitStates.get(symbol);
  if (stored?.openingOrderId !== openingOrderId) return null;
  return { peakPrice: stored.peakPrice, breakEvenArmed: stored.breakEvenArmed };
}

function place(ctx: DayContext, s: Series, o: Omit<PendingOrder, 'orderId' | 'id'>): void {
  const orderId = ctx.nextOrderId++;
  ctx.account.pending.set(s.symbol, { ...o, orderId, id: String(orderId) });
  ctx.ordersToday += 1;
  ctx.orders += 1;
}

export function decideExits(ctx: DayContext, today: TradingDate, flattenDue: boolean): void {
  const { account, settings } = ctx;
  for (const [symbol, position] of [...account.positions].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const s = ctx.bySymbol.get(symbol);
    // No bar today: the symbol did not trade (a halt); the exit waits, as checkExit would refuse it.
    if (!s || s.at < 0) continue;
    ctx.evaluations += 1;
    const origin = account.origins.get(symbol)!;
    const own = settings.strategies.find((x) => x.id === origin.strategy) ?? null;
    const policyOf = own ?? settings.strategies[0]!;
    const quote = closeQuote(s.bars, s.at, ctx.closeAt);
    const decision = decideExit({
      snapshot: {
        symbol, today, quote, bars: windowOf(s, policyOf), session: REGULAR_SESSION, scan: null,
        explain: ctx.onDecision !== undefined, barsChecked: true, sums: sumsOf(s),
      },
      position: {
        qty: position.qty, avgPrice: position.avgPrice, openedDate: origin.openedDate,
        daysHeld: (ctx.dayIndex.get(today) ?? 0) - (ctx.dayIndex.get(origin.openedDate) ?? 0),
      },
      policy: policyOf.exits, previous: previousState(ctx, symbol, origin.openingOrderId), flattenDue, strategy: own,
    });
    ctx.exitStates.set(symbol, { ...decision.state, openingOrderId: origin.openingOrderId });
    const strategyId = origin.strategy ?? policyOf.id;
    const report = (outcome: BacktestDecision['outcome']): void =>
      emit(ctx, today, symbol, 'exit', strategyId, decision, outcome);
    if (decision.action !== 'exit') {
      report('no-trade');
      continue;
    }
    const pendingSells = [...account.pending.values()].filter((o) => o.side === 'sell').map((o) => o.symbol);
    const verdict = checkExit({
      symbol, orderType: settings.signals.exitType, phase: PHASE, openSellSymbols: pendingSells, tradingHalted: false,
    });
    if (!verdict.ok) {
      report('blocked');
      continue;
    }
    const type = settings.signals.exitType;
    const limit = type === 'market' ? krw(0)
      : limitPriceFor({
        side: 'sell', quote: nextDayQuote(s.bars[s.at]!, ctx.closeAt), offsetTicks: settings.signals.limitOffsetTicks,
      }).price;
    place(ctx, s, {
      symbol, side: 'sell', type, qty: position.qty, limit, strategy: origin.strategy ?? policyOf.id,
      rule: decision.rule,
      decidedOn: today, reservation: krw(0),
    });
    // A sell below the average price starts the symbol's re-entry cooldown (signals/risk.ts cooldownGuard).
    if (quote.price < position.avgPrice) ctx.losingExits[symbol] = ctx.closeAt;
    report('order');
  }
}

/** The `all` universe: every symbol is a candidate without a rank, with the day's figures. */
function scanRow(quote: ReturnType<typeof closeQuote>, name: string): ScanFields {
  return { name, rank: null, changeBp: quote.changeBp, tradedValue: quote.tradedValue, volume: quote.volume };
}

/**
 * Entries: the day's universe entries in scan order (universe.ts), or in the `all` universe (`entries`
 * null) every symbol for every strategy whose universe admits it, in config and code order.
 */
export function decideEntries(
  ctx: DayContext, today: TradingDate, names: ReadonlyMap<string, string>,
  entries: readonly UniverseEntry[] | null,
): void {
  if (entries !== null) {
    for (const e of entries) {
      const s = ctx.bySymbol.get(e.symbol);
      // A recorded candidate without a bar today cannot be decided; held or pending: as below.
      if (!s || s.at < 0 || ctx.account.positions.has(s.symbol) || ctx.account.pending.has(s.symbol)) continue;
      ctx.evaluations += 1;
      entryFor(ctx, e.strategy, s, today, '', e.scan);
    }
    return;
  }
  for (const strategy of ctx.settings.strategies) {
    for (const s of ctx.series) {
      if (s.at < 0 || ctx.account.positions.has(s.symbol) || ctx.account.pending.has(s.symbol)) continue;
      if (!admits(strategy.universe, {
        symbol: s.symbol, price: s.close as Krw, tradedValue: s.today!.value, ranks: NO_RANKS,
      })) continue;
      ctx.evaluations += 1;
      entryFor(ctx, strategy, s, today, names.get(s.symbol) ?? '');
    }
  }
}

/** `scan`: the universe entry's scan row; absent in the `all` universe (the day's own figures, no rank). */
function entryFor(
  ctx: DayContext, strategy: StrategyInstance, s: Series, today: TradingDate, name: string, scan?: ScanFields | null,
): void {
  const quote = closeQuote(s.bars, s.at, ctx.closeAt);
  const signal = decideEntry({
    symbol: s.symbol, today, quote, bars: windowOf(s, strategy), session: REGULAR_SESSION,
    scan: scan === undefined ? scanRow(quote, name) : scan, position: null,
    // the values are built only for a listener (docs/backtest.md §5)
    explain: ctx.onDecision !== undefined, barsChecked: true, sums: sumsOf(s),
  }, strategy);
  // No closure per evaluation: a backtest makes a million of them (bench/README.md).
  if (signal.action !== 'enter') return emit(ctx, today, s.symbol, 'entry', strategy.id, signal, 'no-trade');
  const { account, settings } = ctx;
  const sig = settings.signals;
  const priced = limitPriceFor({ side: 'buy', quote: nextDayQuote(s.bars[s.at]!, ctx.closeAt), offsetTicks: sig.limitOffsetTicks });
  const unitPrice = unitPriceOf(sig.entryType, priced.price, priced.limits.upper);
  const cash = account.buyingPower();
  const equity = account.equity(ctx.mark);
  const exposure = strategyExposure({
    strategy, equity, positions: [...account.positions.values()], origins: account.origins, open: openBuysOf(ctx),
  });
  const sized = sizeEntry({
    equity, cash, price: unitPrice, maxPositionBp: sig.maxPositionBp,
    maxOrderValue: krw(Math.min(sig.limits.maxOrderValue, exposure.budgetLeft)),
    minCashReserve: sig.limits.minCashReserve,
    commission: ppm(sig.commissionPpm),
  });
  const verdict = checkEntry({
    symbol: s.symbol, orderType: sig.entryType, phase: PHASE, qty: sized.qty, price: priced.price,
    priceLimits: priced.limits,
    halted: null, security: { halted: quote.halted, status: quote.status },
    heldSymbols: [...account.positions.keys()], openOrderSymbols: [...account.pending.keys()],
    ordersToday: ctx.ordersToday,
    dayStartEquity: ctx.dayStartEquity, dayPnl: krw(equity - ctx.dayStartEquity), lastLosingExitAt: ctx.losingExits,
    now: ctx.closeAt, cash, commission: ppm(sig.commissionPpm), limits: sig.limits,
  });
  const guards = [...verdict.checks, ...strategyGuards(strategy, exposure, sized.value, unitPrice)];
  for (const g of guards) if (!g.ok) return emit(ctx, today, s.symbol, 'entry', strategy.id, signal, 'blocked');
  place(ctx, s, {
    symbol: s.symbol, side: 'buy', type: sig.entryType, qty: sized.qty,
    limit: sig.entryType === 'market' ? krw(0) : priced.price,
    strategy: strategy.id, rule: signal.rule, decidedOn: today,
    reservation: account.reservationFor(unitPrice, sized.qty),
  });
  emit(ctx, today, s.symbol, 'entry', strategy.id, signal, 'order');
}

/**
 * openBuys, made again only when an order was placed since (the pending orders change only then
 * within a day's decisions): every entry that reaches sizing reads them.
 */
function openBuysOf(ctx: DayContext): OrderRecord[] {
  if (ctx.openBuys?.orders !== ctx.orders) ctx.openBuys = { orders: ctx.orders, list: openBuys(ctx.account) };
  return ctx.openBuys.list;
}

/** The pending buys as the working orders strategyExposure counts (by their intent key's strategy). */
function openBuys(account: Account): OrderRecord[] {
  const out: OrderRecord[] = [];
  for (const o of account.pending.values()) {
    if (o.side !== 'buy') continue;
    const intentKey = makeIntentKey({
      strategy: o.strategy, symbol: o.symbol, side: 'buy', date: o.decidedOn, signal: 'entry',
    });
    out.push({
      id: o.orderId, intentKey, symbol: o.symbol, side: 'buy', type: o.type, qty: o.qty as OrderRecord['qty'],
      price: o.limit, tradingDate: o.decidedOn,
      decisionId: null, configHash: '', reason: o.rule, origin: 'daemon', status: 'accepted', venueOrderId: null,
      branch: null,
      filledQty: 0 as OrderRecord['filledQty'], rejectCode: null, rejectMessage: null, createdAt: 0 as EpochMs,
      updatedAt: 0 as EpochMs, submittedAt: null,
    });
  }
  return out;
}
