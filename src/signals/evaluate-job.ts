import { kstDateOf, makeIntentKey, OPEN_STATUSES, positionOrigins, ppm, RISK_KEYS } from '../domain/index.js';
import type {
  AccountSnapshot, BarRepo, Broker, Clock, DailyBar, DecisionInput, DecisionRepo, EpochMs, FillRepo, GuardVerdict, Halt,
  KeyValueRepo, Krw, Logger, MarketData, OrderIntent, OrderRepo, OrderType, PositionRepo, Quote, StockCode, TradingDate,
} from '../domain/index.js';
import { sessionPhase, toSessionSeconds } from '../market/index.js';
import type { TradingCalendar } from '../market/index.js';
import type { RiskLimits } from './risk.js';
import { checkEntry } from './risk.js';
import { countsAsOrderToday, nextEntryAttempt } from './entry-attempt.js';
import { decideEntry, INDICATOR_PERIOD } from './decide-entry.js';
import { limitPriceFor } from './pricing.js';
import { sizeEntry } from './sizing.js';
import { strategyExposure, strategyGuards } from './strategy-risk.js';
import type { ScanFields, SignalValues, StrategyInstance } from './strategies/index.js';
import type { SessionWindow } from './volume.js';

/**
 * The signal worker's job: one symbol, one evaluation, one `decisions` row whatever the
 * outcome, and at most one order intent. Data comes through the ports; the decision itself is
 * the pure decideEntry/decideExit, so a backtest replays exactly this logic.
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
  /** the config in force when the job started: recorded with its decisions and intents */
  configHash: string;
  /** the enabled strategies (runtime/strategies.ts); never empty */
  strategies: readonly StrategyInstance[];
  /** schedule.flattenBeforeCloseMinutes: from this long before the closing auction every position is sold; 0 never */
  flattenBeforeCloseMinutes?: number;
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

/** bars kept beyond what the strategy reads, so the review indicators (14-period ATR/RSI) have history */
const BAR_MARGIN = 20;
/** one daily-price call returns at most 100 bars (docs/kis-wire.md §6.3): asking the cache for more would refetch every time */
const BARS_PER_CALL = 100;

export function barsWanted(strategy: StrategyInstance | undefined): number {
  return Math.min(BARS_PER_CALL, Math.max(strategy?.barsNeeded ?? 0, strategy?.exits.atrPeriod ?? 0, INDICATOR_PERIOD) + BAR_MARGIN);
}

/** Completed daily bars up to the previous trading day, from the cache, fetched when stale. */
export async function barsFor(deps: EvaluateDeps, symbol: StockCode, today: TradingDate, want: number): Promise<DailyBar[]> {
  const prev = deps.calendar.previousTradingDay(today);
  let bars = deps.bars.range(symbol, want, prev);
  if (bars.length < want || bars.at(-1)?.date !== prev) {
    // The newest 100 bars (docs/kis-wire.md §6.3: at most 100 per call), never the oldest.
    const fetched = await deps.market.dailyBars(symbol, BARS_PER_CALL, { lane: 'signal', end: prev });
    deps.bars.upsert(fetched, deps.clock.now());
    bars = deps.bars.range(symbol, want, prev);
  }
  return bars;
}

export function recordDecision(deps: EvaluateDeps, d: Omit<DecisionInput, 'configHash'>): number {
  const id = deps.decisions.insert({ ...d, configHash: deps.configHash });
  const failed = d.guards.filter((g) => !g.ok).map((g) => g.guard);
  deps.log.info({ decisionId: id, symbol: d.symbol, strategy: d.strategy, kind: d.kind, rule: d.rule, outcome: d.outcome, ...(failed.length ? { failedGuards: failed } : {}), ...(d.intentKey ? { intentKey: d.intentKey } : {}) }, `decision: ${d.kind} ${d.symbol} ${d.outcome} (${d.strategy}: ${d.rule})`);
  return id;
}

/** The whole quote the decision read: `kis-trader replay` rebuilds the snapshot from it (signals/replay.ts). */
export const quoteInputs = ({ symbol: _symbol, ...q }: Quote) => q;

/** Which cached bars the decision read: replay takes the same ones from daily_bars and checks the span. */
export const barsInputs = (bars: readonly DailyBar[]) => ({ barsUsed: bars.length, barsFrom: bars[0]?.date ?? null, barsTo: bars.at(-1)?.date ?? null });

export const describeSignal = (rule: string, values: SignalValues): string =>
  `${rule}: ${Object.entries(values).filter(([, v]) => typeof v === 'number').slice(0, 4).map(([k, v]) => `${k}=${Math.round((v as number) * 100) / 100}`).join(' ')}`;

/** The scan row a candidate came with (scan/universe.ts Candidate), as strategies read it. */
export function scanFieldsOf(candidate: Record<string, unknown> | null): ScanFields | null {
  if (candidate === null) return null;
  const ranks = Object.values((candidate.ranks ?? {}) as Record<string, number | null>).filter((r): r is number => typeof r === 'number');
  const num = (v: unknown): number => (typeof v === 'number' ? v : 0);
  return {
    name: typeof candidate.name === 'string' ? candidate.name : '',
    rank: ranks.length > 0 ? Math.min(...ranks) : null,
    changeBp: num(candidate.changeBp), tradedValue: num(candidate.tradedValue) as Krw, volume: num(candidate.volume) as ScanFields['volume'],
  };
}

/** When volume accrues today (a late-opening day included): the session every strategy's snapshot carries. */
export function sessionWindowOf(calendar: TradingCalendar, today: TradingDate): SessionWindow {
  const secs = toSessionSeconds(calendar.sessionTimesFor(today));
  return { openSecond: secs.open, closeSecond: secs.close };
}

export interface EntryInput {
  /** the strategy's id; null (a job queued before strategies had ids) means the first one */
  strategy: string | null;
  symbol: StockCode;
  candidate: Record<string, unknown> | null;
  scanSnapshotIds: number[];
}

export async function runEvaluateEntry(deps: EvaluateDeps, input: EntryInput): Promise<EvaluateResult> {
  const { symbol } = input;
  const now = deps.clock.now();
  const today = kstDateOf(now);
  const strategy = input.strategy === null ? deps.strategies[0] : deps.strategies.find((s) => s.id === input.strategy);
  const base = { at: now, tradingDate: today, symbol, kind: 'entry' as const, strategy: strategy?.id ?? input.strategy ?? '' };
  if (!strategy) {
    // Disabled or removed by a reload after the scan enqueued it.
    const inputs = { candidate: input.candidate, configured: deps.strategies.map((s) => s.id) };
    return { decisionId: recordDecision(deps, { ...base, inputs, rule: 'strategy-not-configured', guards: [], outcome: 'no-trade', intentKey: null }), intent: null };
  }
  const bars = await barsFor(deps, symbol, today, barsWanted(strategy));
  const quote = await deps.market.quote(symbol, { lane: 'signal' });
  const signal = decideEntry({
    symbol, today, quote, bars, session: sessionWindowOf(deps.calendar, today), scan: scanFieldsOf(input.candidate), position: null,
  }, strategy);
  const inputs: Record<string, unknown> = {
    quote: quoteInputs(quote), values: signal.values, ...(signal.detail === null ? {} : { detail: signal.detail }),
    candidate: input.candidate, scanSnapshotIds: input.scanSnapshotIds, ...barsInputs(bars),
  };
  if (signal.action !== 'enter') {
    return { decisionId: recordDecision(deps, { ...base, inputs, rule: signal.rule, guards: [], outcome: 'no-trade', intentKey: null }), intent: null };
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
  const open = deps.orders.withStatus(OPEN_STATUSES);
  const positions = deps.positions.list();
  const exposure = strategyExposure({ strategy, equity, positions, origins: positionOrigins(deps.orders, deps.fills), open });
  const maxOrderValue = Math.min(deps.limits.maxOrderValue, exposure.budgetLeft) as Krw;
  const sized = sizeEntry({
    equity, cash: power.cash, price: unitPrice, maxPositionBp: deps.maxPositionBp, maxOrderValue,
    minCashReserve: deps.limits.minCashReserve, commission: ppm(deps.commissionPpm),
  });
  const dayStart = deps.risk.get<number>(RISK_KEYS.dayStartEquity(today));
  const verdict = checkEntry({
    symbol, orderType: deps.entryType, phase: sessionPhase(now, deps.calendar), qty: sized.qty, price: priced.price,
    priceLimits: priced.limits, halted: deps.risk.get<Halt>(RISK_KEYS.halt),
    security: { halted: quote.halted, status: quote.status },
    heldSymbols: positions.map((p) => p.symbol), openOrderSymbols: open.map((o) => o.symbol),
    ordersToday: deps.orders.forDate(today).filter(countsAsOrderToday).length,
    dayStartEquity: (dayStart ?? equity) as Krw, dayPnl: (equity - (dayStart ?? equity)) as Krw,
    lastLosingExitAt: deps.risk.get<Partial<Record<StockCode, EpochMs>>>(RISK_KEYS.losingExits) ?? {},
    now, cash: power.cash, commission: ppm(deps.commissionPpm), limits: deps.limits,
  });
  inputs.sizing = { ...sized, unitPrice, cash: power.cash, equity, maxOrderValue };
  inputs.price = { limit: priced.price, reference: priced.reference, source: priced.referenceSource, clampedTo: priced.clampedTo };
  if (book) inputs.book = { ask: book.asks[0] ?? null, bid: book.bids[0] ?? null, at: book.at };
  const guards: GuardVerdict[] = [...verdict.checks, ...strategyGuards(strategy, exposure, sized.value, unitPrice)];
  if (!guards.every((g) => g.ok)) {
    return { decisionId: recordDecision(deps, { ...base, inputs, rule: signal.rule, guards, outcome: 'blocked', intentKey: null }), intent: null };
  }
  // One entry per strategy, symbol and trading day: a re-run of the same evaluation can never buy
  // twice; an attempt proven never placed may be followed by the next one (entry-attempt.ts).
  const baseKey = makeIntentKey({ strategy: strategy.id, symbol, side: 'buy', date: today, signal: 'entry' });
  const attempt = nextEntryAttempt({ baseKey, baseSignal: 'entry', orders: deps.orders.forDate(today), now });
  if (!attempt.ok) {
    const retry: GuardVerdict = { guard: attempt.guard, ok: false, reason: attempt.reason, context: attempt.context };
    const decisionId = recordDecision(deps, { ...base, inputs, rule: signal.rule, guards: [...guards, retry], outcome: 'blocked', intentKey: null });
    return { decisionId, intent: null };
  }
  if (attempt.attempt > 1) inputs.attempt = { n: attempt.attempt, after: attempt.after };
  const intentKey = makeIntentKey({ strategy: strategy.id, symbol, side: 'buy', date: today, signal: attempt.signal });
  const decisionId = recordDecision(deps, { ...base, inputs, rule: signal.rule, guards, outcome: 'order', intentKey });
  return {
    decisionId,
    intent: {
      intentKey, symbol, side: 'buy', type: deps.entryType, qty: sized.qty,
      price: deps.entryType === 'market' ? (0 as Krw) : priced.price,
      tradingDate: today, decisionId, configHash: deps.configHash, reason: describeSignal(signal.rule, signal.values),
    },
  };
}
