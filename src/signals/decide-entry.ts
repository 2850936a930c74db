import type { DailyBar, Quote, StockCode, TradingDate } from '../domain/index.js';
import { AppError } from '../domain/index.js';
import { atrOf, Rsi } from './indicators.js';
import { NO_VALUES } from './strategies/index.js';
import type { Snapshot, SignalValues, StrategyInstance } from './strategies/index.js';

/** ATR and RSI are reported with every decision for review, whichever strategy decides. */
export const INDICATOR_PERIOD = 14;

export interface EntryDecision {
  action: 'enter' | 'none';
  /** the rule that decided: the first failing one, or the strategy's own when it fired */
  rule: string;
  values: SignalValues;
  /** the comparison that decided, when the strategy words it ("change 1.20 % < 2.00 %") */
  detail: string | null;
}

export function checkSymbols(symbol: StockCode, quote: Quote, bars: readonly DailyBar[]): void {
  let wrong = quote.symbol !== symbol ? quote.symbol : undefined;
  // a loop, not bars.find: no closure on a path a backtest takes a million times
  for (let i = 0; i < bars.length && wrong === undefined; i++) if (bars[i]!.symbol !== symbol) wrong = bars[i]!.symbol;
  if (wrong !== undefined) {
    throw new AppError('SIGNALS_INVALID_INPUT', `data for ${wrong} passed to an evaluation of ${symbol}`, { details: { symbol, wrong } });
  }
}

/**
 * Completed bars before the trading day, oldest first (callers may pass them unsorted). Bars that
 * already are (the usual case, and every call of a backtest) are returned as they are: the copy and
 * sort were a fifth of a backtest's time (bench/README.md), and the decision code only reads them.
 */
export function completedBars(bars: readonly DailyBar[], today: TradingDate): readonly DailyBar[] {
  let ordered = true;
  for (let i = 0; i < bars.length && ordered; i++) {
    ordered = bars[i]!.date < today && (i === 0 || bars[i - 1]!.date < bars[i]!.date);
  }
  if (ordered) return bars;
  return bars.filter((b) => b.date < today).sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
}

/** The snapshot's completed bars, oldest first, after checking they and the quote are the symbol's. */
export function checkedBars(snapshot: Pick<Snapshot, 'symbol' | 'quote' | 'bars' | 'today' | 'barsChecked'>): readonly DailyBar[] {
  if (snapshot.barsChecked !== true) {
    checkSymbols(snapshot.symbol, snapshot.quote, snapshot.bars);
    return completedBars(snapshot.bars, snapshot.today);
  }
  checkSymbols(snapshot.symbol, snapshot.quote, []);
  return snapshot.bars;
}

export function reviewIndicators(bars: readonly DailyBar[]): SignalValues {
  const rsi = new Rsi(INDICATOR_PERIOD);
  for (const b of bars) rsi.add(b.close);
  return { atr: atrOf(bars, INDICATOR_PERIOD), rsi: rsi.value };
}

/**
 * The entry decision, pure (docs/architecture.md §2): what every strategy shares (a usable price,
 * no trading halt), then the strategy. The daemon's signal job and the backtester both call this.
 */
export function decideEntry(snapshot: Snapshot, strategy: StrategyInstance): EntryDecision {
  const { quote, today } = snapshot;
  const bars = checkedBars(snapshot);
  // Unexplained (Snapshot.explain false): the same rules, without the decision log's values.
  const explain = snapshot.explain !== false;
  const common: SignalValues = explain ? {
    strategy: strategy.id, use: strategy.use, today, price: quote.price, basePrice: quote.basePrice, volume: quote.volume,
    upperLimit: quote.upperLimit, halted: quote.halted, ...reviewIndicators(bars), barsAvailable: bars.length,
  } : NO_VALUES;
  // A zero or negative price is a missing quote, never a −100 % move (the Ouroboros bug).
  if (quote.price <= 0) return { action: 'none', rule: 'no-price', values: common, detail: explain ? `price ${quote.price}` : null };
  if (quote.halted) return { action: 'none', rule: 'halted', values: common, detail: explain ? 'trading in the symbol is halted' : null };
  // completedBars returns the snapshot's own bars when they are in order: no copy of the snapshot
  // then. Other bars than the snapshot's lose the running sums, which were of the snapshot's.
  const signal = strategy.entry(bars === snapshot.bars ? snapshot : { ...snapshot, bars, sums: undefined });
  // Object.assign, not {...common, ...signal.values}: V8 (Node 20) clones two large objects through a
  // spread literal ~25× slower, which was most of a backtest's time (bench/README.md).
  return {
    action: signal.fire ? 'enter' : 'none', rule: signal.rule, values: explain ? Object.assign(common, signal.values) : NO_VALUES,
    detail: explain ? signal.detail ?? null : null,
  };
}
