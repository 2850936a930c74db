import { kstDateOf, makeIntentKey, OPEN_STATUSES, ppm, RISK_KEYS, shares } from '../domain/index.js';
import type {
  AccountSnapshot, BarRepo, Broker, Clock, DailyBar, DecisionInput, DecisionRepo, EpochMs, FillRepo, GuardVerdict, Halt,
  KeyValueRepo, Krw, Logger, MarketData, OrderIntent, OrderRepo, OrderType, PositionRepo, Quote, StockCode, TradingDate,
} from '../domain/index.js';
import { flattenAt, sessionPhase, toSessionSeconds } from '../market/index.js';
import type { TradingCalendar } from '../market/index.js';
import type { RiskLimits } from './risk.js';
import { checkEntry, checkExit } from './risk.js';
import { countsAsOrderToday, nextEntryAttempt } from './entry-attempt.js';
import { limitPriceFor } from './pricing.js';
import { sizeEntry } from './sizing.js';
import { evaluateEntry, evaluateExit, STRATEGY_NAME } from './strategy.js';
import type { StrategyParams } from './strategy.js';

/**
 * The signal worker's job: one symbol, one evaluation, one `decisions` row whatever the
 * outcome, and at most one order intent. Data comes through the ports; the decision itself is
 * the pure strategy and risk code, so a backtest replays exactly this logic.
 */
export interface EvaluateDeps {
  market: MarketData;
  broker: Broker;
  bars: BarRepo;
  decisions: DecisionRepo;
  positions: PositionRepo;
  orders: OrderRepo;
  fills: FillRepo;
  risk: KeyValueRepo;
  calendar: TradingCalendar;
  clock: Clock;
  log: Logger;
  configHash: string;
  strategy: StrategyParams;
  /** strategy.exitBeforeCloseMinutes: from this long before the closing auction every position is sold; 0 never */
  exitBeforeCloseMinutes?: number;
  limits: RiskLimits;
  maxPositionBp: number;
  commissionPpm: number;
  entryType: OrderType;
  exitType: OrderType;
  limitOffsetTicks: number;
}

export interface EvaluateResult {
  decisionId: number;
  intent: OrderIntent | null;
}

/** bars kept beyond the lookback so the indicators (14-period ATR/RSI) have history */
const BAR_MARGIN = 20;

/** Completed daily bars up to the previous trading day, from the cache, fetched when stale. */
export async function barsFor(deps: EvaluateDeps, symbol: StockCode, today: TradingDate): Promise<DailyBar[]> {
  const want = Math.max(deps.strategy.lookbackDays, 14) + BAR_MARGIN;
  const prev = deps.calendar.previousTradingDay(today);
  let bars = deps.bars.range(symbol, want, prev);
  if (bars.length < want || bars.at(-1)?.date !== prev) {
    // The newest 100 bars (docs/kis-wire.md §6.3: at most 100 per call), never the oldest.
    const fetched = await deps.market.dailyBars(symbol, 100, { lane: 'signal', end: prev });
    deps.bars.upsert(fetched, deps.clock.now());
    bars = deps.bars.range(symbol, want, prev);
  }
  return bars;
}

function decide(deps: EvaluateDeps, d: Omit<DecisionInput, 'strategy' | 'configHash'>): number {
  const id = deps.decisions.insert({ ...d, strategy: STRATEGY_NAME, configHash: deps.configHash });
  const failed = d.guards.filter((g) => !g.ok).map((g) => g.guard);
  deps.log.info({ decisionId: id, symbol: d.symbol, kind: d.kind, rule: d.rule, outcome: d.outcome, ...(failed.length ? { failedGuards: failed } : {}), ...(d.intentKey ? { intentKey: d.intentKey } : {}) }, `decision: ${d.kind} ${d.symbol} ${d.outcome} (${d.rule})`);
  return id;
}

const quoteInputs = (q: Quote) => ({ price: q.price, basePrice: q.basePrice, upperLimit: q.upperLimit, lowerLimit: q.lowerLimit, volume: q.volume, changeBp: q.changeBp, at: q.at });

export async function runEvaluateEntry(deps: EvaluateDeps, input: { symbol: StockCode; candidate: Record<string, unknown> | null; scanSnapshotIds: number[] }): Promise<EvaluateResult> {
  const { symbol } = input;
  const now = deps.clock.now();
  const today = kstDateOf(now);
  const bars = await barsFor(deps, symbol, today);
  const quote = await deps.market.quote(symbol, { lane: 'signal' });
  const secs = toSessionSeconds(deps.calendar.sessionTimesFor(today));
  const signal = evaluateEntry({ symbol, quote, bars, params: deps.strategy, session: { openSecond: secs.open, closeSecond: secs.close } });
  const base = { at: now, tradingDate: today, symbol, kind: 'entry' as const };
  const inputs: Record<string, unknown> = { quote: quoteInputs(quote), values: signal.values, candidate: input.candidate, scanSnapshotIds: input.scanSnapshotIds, barsUsed: bars.length };
  if (signal.action !== 'enter') {
    return { decisionId: decide(deps, { ...base, inputs, rule: signal.rule, guards: [], outcome: 'no-trade', intentKey: null }), intent: null };
  }

  // A limit entry is priced from the best ask of the order book (inquire-asking-price-exp-ccn,
  // docs/kis-wire.md §6.2), not the last trade, which may sit at the bid; limitPriceFor falls back to
  // the last price when the book has no ask and says so in referenceSource (inputs.price.source).
  const book = deps.entryType === 'limit' ? await deps.market.orderBook(symbol, { lane: 'signal' }) : null;
  const priced = limitPriceFor({ side: 'buy', quote, ...(book ? { book } : {}), offsetTicks: deps.limitOffsetTicks });
  // A market buy reserves cash at the upper limit (docs/kis-wire.md §13 item 11): size and check it there.
  const unitPrice: Krw = deps.entryType === 'market' ? priced.limits.upper : priced.price;
  const power = await deps.broker.buyingPower(symbol, deps.entryType, unitPrice, { lane: 'signal' });
  const account = deps.risk.get<AccountSnapshot>(RISK_KEYS.account);
  const equity = account?.totalValue ?? power.cash;
  const sized = sizeEntry({
    equity, cash: power.cash, price: unitPrice, maxPositionBp: deps.maxPositionBp, maxOrderValue: deps.limits.maxOrderValue,
    minCashReserve: deps.limits.minCashReserve, commission: ppm(deps.commissionPpm),
  });
  const open = deps.orders.withStatus(OPEN_STATUSES);
  const dayStart = deps.risk.get<number>(RISK_KEYS.dayStartEquity(today));
  const verdict = checkEntry({
    symbol, orderType: deps.entryType, phase: sessionPhase(now, deps.calendar), qty: sized.qty, price: priced.price,
    priceLimits: priced.limits, halted: deps.risk.get<Halt>(RISK_KEYS.halt),
    security: { halted: quote.halted, status: quote.status },
    heldSymbols: deps.positions.list().map((p) => p.symbol), openOrderSymbols: open.map((o) => o.symbol),
    ordersToday: deps.orders.forDate(today).filter(countsAsOrderToday).length,
    dayStartEquity: (dayStart ?? equity) as Krw, dayPnl: (equity - (dayStart ?? equity)) as Krw,
    lastLosingExitAt: deps.risk.get<Partial<Record<StockCode, EpochMs>>>(RISK_KEYS.losingExits) ?? {},
    now, cash: power.cash, commission: ppm(deps.commissionPpm), limits: deps.limits,
  });
  inputs.sizing = { ...sized, unitPrice, cash: power.cash, equity };
  inputs.price = { limit: priced.price, reference: priced.reference, source: priced.referenceSource, clampedTo: priced.clampedTo };
  const guards: GuardVerdict[] = verdict.checks;
  if (!verdict.ok) {
    return { decisionId: decide(deps, { ...base, inputs, rule: signal.rule, guards, outcome: 'blocked', intentKey: null }), intent: null };
  }
  // One entry per symbol and trading day: a re-run of the same evaluation can never buy twice;
  // an attempt proven never placed may be followed by the next one (entry-attempt.ts).
  const baseKey = makeIntentKey({ strategy: STRATEGY_NAME, symbol, side: 'buy', date: today, signal: 'entry' });
  const attempt = nextEntryAttempt({ baseKey, baseSignal: 'entry', orders: deps.orders.forDate(today), now });
  if (!attempt.ok) {
    const retry: GuardVerdict = { guard: 'entry-retry', ok: false, reason: attempt.reason, context: attempt.context };
    const decisionId = decide(deps, { ...base, inputs, rule: signal.rule, guards: [...guards, retry], outcome: 'blocked', intentKey: null });
    return { decisionId, intent: null };
  }
  if (attempt.attempt > 1) inputs.attempt = { n: attempt.attempt, after: attempt.after };
  const intentKey = makeIntentKey({ strategy: STRATEGY_NAME, symbol, side: 'buy', date: today, signal: attempt.signal });
  const decisionId = decide(deps, { ...base, inputs, rule: signal.rule, guards, outcome: 'order', intentKey });
  return {
    decisionId,
    intent: {
      intentKey, symbol, side: 'buy', type: deps.entryType, qty: sized.qty,
      price: deps.entryType === 'market' ? (0 as Krw) : priced.price,
      tradingDate: today, decisionId, configHash: deps.configHash, reason: `${signal.rule}: ${fmt(signal.values)}`,
    },
  };
}

const fmt = (values: Record<string, unknown>): string =>
  Object.entries(values).filter(([, v]) => typeof v === 'number').slice(0, 4).map(([k, v]) => `${k}=${Math.round((v as number) * 100) / 100}`).join(' ');

/** When the current position was opened: the date of the buy fill that took it from flat. */
function openedDate(deps: EvaluateDeps, symbol: StockCode, fallback: TradingDate): TradingDate {
  const daemonOrderIds = new Set(deps.orders.withStatus(['accepted', 'partial', 'filled', 'cancelled', 'expired']).filter((o) => o.origin === 'daemon').map((o) => o.id));
  let qty = 0;
  let opened: TradingDate = fallback;
  for (const f of deps.fills.all()) {
    if (f.symbol !== symbol || !daemonOrderIds.has(f.orderId)) continue;
    if (f.side === 'buy' && qty === 0) opened = f.tradingDate;
    qty += f.side === 'buy' ? f.qty : -Number(f.qty);
    if (qty < 0) qty = 0;
  }
  return opened;
}

function tradingDaysBetween(calendar: TradingCalendar, from: TradingDate, to: TradingDate): number {
  let n = 0;
  for (let d = from; d < to && n < 400; d = calendar.nextTradingDay(d)) n++;
  return n;
}

/**
 * Bars only add indicator values to the exit's decision row: a failed fetch (KIS down, rate
 * limited) must not stop a stop-loss (issue 8 §3), so the exit goes on with the cached bars.
 */
async function exitBars(deps: EvaluateDeps, symbol: StockCode, today: TradingDate): Promise<{ bars: DailyBar[]; error: string | null }> {
  try {
    return { bars: await barsFor(deps, symbol, today), error: null };
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    deps.log.warn({ symbol, err: error }, 'daily bars unavailable: evaluating the exit on the quote and the cached bars');
    const want = Math.max(deps.strategy.lookbackDays, 14) + BAR_MARGIN;
    return { bars: deps.bars.range(symbol, want, deps.calendar.previousTradingDay(today)), error };
  }
}

export async function runEvaluateExit(deps: EvaluateDeps, input: { symbol: StockCode }): Promise<EvaluateResult | null> {
  const { symbol } = input;
  const position = deps.positions.get(symbol);
  if (!position || position.qty <= 0) return null;
  const now = deps.clock.now();
  const today = kstDateOf(now);
  const quote = await deps.market.quote(symbol, { lane: 'signal' });
  const { bars, error: barsError } = await exitBars(deps, symbol, today);
  const opened = openedDate(deps, symbol, today);
  const held = tradingDaysBetween(deps.calendar, opened, today);
  const flatten = flattenAt(today, deps.calendar, deps.exitBeforeCloseMinutes ?? 0);
  const signal = evaluateExit({
    position: { symbol, qty: position.qty, avgPrice: position.avgPrice, openedDate: opened }, quote, bars, today, tradingDaysHeld: held,
    params: deps.strategy, flattenDue: flatten !== null && now >= flatten,
  });
  const base = { at: now, tradingDate: today, symbol, kind: 'exit' as const };
  const inputs: Record<string, unknown> = {
    quote: quoteInputs(quote), values: signal.values, position, openedDate: opened, tradingDaysHeld: held, flattenAt: flatten,
    ...(barsError === null ? {} : { barsError }),
  };
  if (signal.action !== 'exit') {
    return { decisionId: decide(deps, { ...base, inputs, rule: signal.rule, guards: [], outcome: 'no-trade', intentKey: null }), intent: null };
  }
  // Only our own sell still open is a duplicate; our entry is cancelled by the order path first.
  const openSells = deps.orders.withStatus(OPEN_STATUSES).filter((o) => o.origin === 'daemon' && o.side === 'sell');
  const verdict = checkExit({
    symbol, orderType: deps.exitType, phase: sessionPhase(now, deps.calendar), openSellSymbols: openSells.map((o) => o.symbol),
    tradingHalted: quote.halted,
  });
  if (!verdict.ok) {
    return { decisionId: decide(deps, { ...base, inputs, rule: signal.rule, guards: verdict.checks, outcome: 'blocked', intentKey: null }), intent: null };
  }
  // Each exit attempt of the day gets its own key: one that ended unfilled may be followed by another.
  const attempt = deps.orders.forDate(today).filter((o) => o.symbol === symbol && o.side === 'sell' && o.origin === 'daemon').length;
  const intentKey = makeIntentKey({ strategy: STRATEGY_NAME, symbol, side: 'sell', date: today, signal: `exit-${attempt}` });
  const price = deps.exitType === 'market' ? (0 as Krw) : limitPriceFor({ side: 'sell', quote, offsetTicks: deps.limitOffsetTicks }).price;
  const decisionId = decide(deps, { ...base, inputs, rule: signal.rule, guards: verdict.checks, outcome: 'order', intentKey });
  if (signal.rule === 'stop-loss') {
    const exits = deps.risk.get<Record<string, number>>(RISK_KEYS.losingExits) ?? {};
    deps.risk.set(RISK_KEYS.losingExits, { ...exits, [symbol]: now }, now);
  }
  return {
    decisionId,
    intent: {
      intentKey, symbol, side: 'sell', type: deps.exitType, qty: shares(position.qty), price,
      tradingDate: today, decisionId, configHash: deps.configHash, reason: `${signal.rule}: ${fmt(signal.values)}`,
    },
  };
}
