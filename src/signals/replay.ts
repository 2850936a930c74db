import { epochMs, ppm } from '../domain/index.js';
import type { BookLevel, DailyBar, DecisionInput, Krw, OrderBook, Quote, SignalSettings, StockCode, TradingDate } from '../domain/index.js';
import type { TradingCalendar } from '../market/index.js';
import { decideEntry } from './decide-entry.js';
import { decideExit } from './decide-exit.js';
import type { ExitState } from './decide-exit.js';
import { barsWanted, scanFieldsOf, sessionWindowOf } from './evaluate-job.js';
import { limitPriceFor } from './pricing.js';
import { sizeEntry } from './sizing.js';
import type { SignalValues, StrategyInstance } from './strategies/index.js';

/**
 * `kis-trader replay` (docs/review.md): every decision of a day run again through the same pure
 * code (decideEntry, decideExit, limitPriceFor, sizeEntry) from what the decision recorded (the
 * quote, the scan row, the book, cash and equity) and the daily bars of the cache, then compared
 * field by field. Guards are not re-run: their context (other positions, open orders, the day's
 * P&L) is the trade log's, and their verdicts are recorded with each decision.
 */
export interface RecordedDecision extends DecisionInput {
  id: number;
}

export interface ReplayDeps {
  strategies: readonly StrategyInstance[];
  /** completed daily bars of `symbol` up to `end`, oldest first (the cache, as the daemon read it) */
  bars(symbol: StockCode, count: number, end: TradingDate): DailyBar[];
  calendar: TradingCalendar;
  settings: SignalSettings;
}

export interface ReplayDifference {
  decisionId: number;
  symbol: string;
  kind: 'entry' | 'exit';
  /** what differs: 'rule', 'action', 'value:<name>', 'qty', 'price', 'bars', 'strategy', 'inputs' */
  field: string;
  recorded: unknown;
  replayed: unknown;
}

type Diff = Omit<ReplayDifference, 'decisionId' | 'symbol' | 'kind'>;

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

function compareValues(recorded: unknown, replayed: SignalValues): Diff[] {
  const rec = (recorded ?? {}) as Record<string, unknown>;
  const keys = new Set([...Object.keys(rec), ...Object.keys(replayed)]);
  return [...keys].filter((k) => !same(rec[k] ?? null, replayed[k] ?? null))
    .map((k) => ({ field: `value:${k}`, recorded: rec[k] ?? null, replayed: replayed[k] ?? null }));
}

/** The quote as recorded, or null when the decision predates full quotes in its inputs. */
function quoteOf(d: RecordedDecision): Quote | null {
  const q = d.inputs['quote'] as Partial<Quote> | undefined;
  if (!q || q.status === undefined || q.tick === undefined) return null;
  return { ...q, symbol: d.symbol } as Quote;
}

/** The bars the decision read, checked against the span it recorded. */
function barsOf(d: RecordedDecision, deps: ReplayDeps, want: number): { bars: DailyBar[]; diff: Diff | null } {
  const bars = deps.bars(d.symbol, want, deps.calendar.previousTradingDay(d.tradingDate));
  const recorded = { count: d.inputs['barsUsed'], from: d.inputs['barsFrom'], to: d.inputs['barsTo'] };
  const replayed = { count: bars.length, from: bars[0]?.date ?? null, to: bars.at(-1)?.date ?? null };
  return { bars, diff: same(recorded, replayed) ? null : { field: 'bars', recorded, replayed } };
}

const NOT_REPLAYABLE: Diff = { field: 'inputs', recorded: 'recorded before replay inputs existed', replayed: null };

/** An entry decision run again; [] when it decides, sizes and prices the same. */
export function replayEntry(d: RecordedDecision, deps: ReplayDeps): Diff[] {
  const strategy = deps.strategies.find((s) => s.id === d.strategy);
  if (!strategy) return d.rule === 'strategy-not-configured' ? [] : [{ field: 'strategy', recorded: d.strategy, replayed: 'not configured' }];
  const quote = quoteOf(d);
  if (!quote) return [NOT_REPLAYABLE];
  const { bars, diff: barsDiff } = barsOf(d, deps, barsWanted(strategy));
  const signal = decideEntry({
    symbol: d.symbol, today: d.tradingDate, quote, bars, session: sessionWindowOf(deps.calendar, d.tradingDate),
    scan: scanFieldsOf((d.inputs['candidate'] ?? null) as Record<string, unknown> | null), position: null,
  }, strategy);
  const diffs: Diff[] = barsDiff ? [barsDiff] : [];
  const recordedAction = d.outcome === 'no-trade' ? 'none' : 'enter';
  if (signal.action !== recordedAction) diffs.push({ field: 'action', recorded: recordedAction, replayed: signal.action });
  if (signal.rule !== d.rule) diffs.push({ field: 'rule', recorded: d.rule, replayed: signal.rule });
  diffs.push(...compareValues(d.inputs['values'], signal.values));
  if (signal.action === 'enter' && recordedAction === 'enter') diffs.push(...replaySizing(d, quote, deps.settings));
  return diffs;
}

/** The limit price from the recorded book and the quantity from the recorded cash, equity and budget. */
function replaySizing(d: RecordedDecision, quote: Quote, s: SignalSettings): Diff[] {
  const sizing = d.inputs['sizing'] as { qty: number; cash: Krw; equity: Krw; maxOrderValue?: Krw } | undefined;
  const price = d.inputs['price'] as { limit: Krw } | undefined;
  const recordedBook = d.inputs['book'] as { ask: BookLevel | null; bid: BookLevel | null; at: number } | undefined;
  if (!sizing || !price || sizing.maxOrderValue === undefined || (s.entryType === 'limit' && !recordedBook)) return [NOT_REPLAYABLE];
  const book: OrderBook | null = recordedBook
    ? { symbol: d.symbol, asks: recordedBook.ask ? [recordedBook.ask] : [], bids: recordedBook.bid ? [recordedBook.bid] : [], at: epochMs(recordedBook.at) }
    : null;
  const priced = limitPriceFor({ side: 'buy', quote, ...(book ? { book } : {}), offsetTicks: s.limitOffsetTicks });
  const unitPrice = s.entryType === 'market' ? priced.limits.upper : priced.price;
  const sized = sizeEntry({
    equity: sizing.equity, cash: sizing.cash, price: unitPrice, maxPositionBp: s.maxPositionBp, maxOrderValue: sizing.maxOrderValue,
    minCashReserve: s.limits.minCashReserve, commission: ppm(s.commissionPpm),
  });
  const diffs: Diff[] = [];
  if (priced.price !== price.limit) diffs.push({ field: 'price', recorded: price.limit, replayed: priced.price });
  if (sized.qty !== sizing.qty) diffs.push({ field: 'qty', recorded: sizing.qty, replayed: sized.qty });
  return diffs;
}

/**
 * The exit decisions of one position, oldest first, run through the exit machine in a chain: each
 * starts from the state the one before it left (the daemon keeps it in risk_state between them).
 */
export function replayExitChain(chain: readonly RecordedDecision[], deps: ReplayDeps): ReplayDifference[] {
  let previous: ExitState | null = null;
  const out: ReplayDifference[] = [];
  for (const d of chain) {
    const policyOf = deps.strategies.find((s) => s.id === d.inputs['exitPolicyOf']) ?? deps.strategies[0];
    const quote = quoteOf(d);
    const position = d.inputs['position'] as { qty: number; avgPrice: Krw } | undefined;
    const tag = (diffs: Diff[]) => diffs.map((x) => ({ decisionId: d.id, symbol: d.symbol, kind: 'exit' as const, ...x }));
    if (!policyOf || !quote || !position) {
      out.push(...tag([NOT_REPLAYABLE]));
      previous = null;
      continue;
    }
    const { bars, diff: barsDiff } = barsOf(d, deps, barsWanted(policyOf));
    const flattenAt = d.inputs['flattenAt'] as number | null | undefined;
    const decision = decideExit({
      snapshot: { symbol: d.symbol, today: d.tradingDate, quote, bars, session: sessionWindowOf(deps.calendar, d.tradingDate), scan: null },
      position: {
        qty: position.qty as never, avgPrice: position.avgPrice, openedDate: d.inputs['openedDate'] as TradingDate,
        daysHeld: d.inputs['tradingDaysHeld'] as number,
      },
      policy: policyOf.exits, previous, flattenDue: typeof flattenAt === 'number' && d.at >= flattenAt,
      strategy: deps.strategies.find((s) => s.id === d.strategy) ?? null,
    });
    previous = decision.state;
    const diffs: Diff[] = barsDiff ? [barsDiff] : [];
    const recordedAction = d.outcome === 'no-trade' ? 'hold' : 'exit';
    const replayedAction = decision.action === 'exit' ? 'exit' : 'hold';
    if (replayedAction !== recordedAction) diffs.push({ field: 'action', recorded: recordedAction, replayed: replayedAction });
    if (decision.rule !== d.rule) diffs.push({ field: 'rule', recorded: d.rule, replayed: decision.rule });
    diffs.push(...compareValues(d.inputs['values'], decision.values));
    out.push(...tag(diffs));
  }
  return out;
}

/** The decisions of a day (and, for the exits, of each position since it opened) replayed. */
export function replayDecisions(day: readonly RecordedDecision[], exitHistory: (symbol: StockCode, openedDate: TradingDate) => RecordedDecision[],
  deps: ReplayDeps): ReplayDifference[] {
  const out: ReplayDifference[] = [];
  for (const d of day.filter((x) => x.kind === 'entry')) {
    out.push(...replayEntry(d, deps).map((x) => ({ decisionId: d.id, symbol: d.symbol, kind: 'entry' as const, ...x })));
  }
  // One chain per position: the symbol and the day it opened; only this day's decisions are reported.
  const ids = new Set(day.map((d) => d.id));
  const chains = new Map<string, RecordedDecision>();
  for (const d of day.filter((x) => x.kind === 'exit')) chains.set(`${d.symbol}.${String(d.inputs['openedDate'])}`, d);
  for (const d of chains.values()) {
    const chain = exitHistory(d.symbol, d.inputs['openedDate'] as TradingDate);
    out.push(...replayExitChain(chain, deps).filter((x) => ids.has(x.decisionId)));
  }
  return out;
}
