import type { DailyBar, Krw, Quote, Shares, StockCode, TradingDate } from '../domain/index.js';
import { AppError, kstDateOf } from '../domain/index.js';
import { atrOf, averageVolumeOf, rsiOf, smaOf } from './indicators.js';
import type { SessionWindow } from './volume.js';
import { DEFAULT_MIN_SESSION_FRACTION_PCT, REGULAR_SESSION, projectDayVolume } from './volume.js';

export const STRATEGY_NAME = 'momentum-volume';

/** ATR and RSI are reported with every decision for review; they do not decide anything yet. */
export const INDICATOR_PERIOD = 14;

export interface StrategyParams {
  /** daily bars for the moving average and the average volume */
  lookbackDays: number;
  /** change vs the previous close must lie in [minChangeBp, maxChangeBp] (1 % = 100 bp) */
  minChangeBp: number;
  maxChangeBp: number;
  /** projected volume today vs the lookback average, in percent: 200 = 2× */
  minVolumeRatioPct: number;
  /** require the price to be strictly above the lookback moving average of closes */
  requireAboveMa: boolean;
  /** exit when the gain vs the average price reaches this */
  takeProfitBp: number;
  /** exit when the loss vs the average price reaches this; a distance, so 300 = exit at −3 % */
  stopLossBp: number;
  /** exit after this many trading days held */
  maxHoldDays: number;
  /** floor of the session share used to project today's volume (volume.ts); default 25 */
  minSessionFractionPct?: number;
}

export type SignalValues = Record<string, number | string | boolean | null>;

export interface EntryInput {
  symbol: StockCode;
  quote: Quote;
  /** completed days before today, oldest first; a bar dated today or later is ignored */
  bars: readonly DailyBar[];
  params: StrategyParams;
  /** when volume accrues today; default 09:00–15:30 KST */
  session?: SessionWindow;
}

export type EntryRule =
  | 'no-price'
  | 'halted'
  | 'insufficient-history'
  | 'change-below-min'
  | 'change-above-max'
  | 'at-upper-limit'
  | 'volume-ratio-below-min'
  | 'below-ma'
  | 'momentum-volume';

export interface EntrySignal {
  action: 'enter' | 'none';
  /** the rule that decided: the first failing one, or 'momentum-volume' when all passed */
  rule: EntryRule;
  values: SignalValues;
}

export interface ExitPosition {
  symbol: StockCode;
  qty: Shares;
  avgPrice: Krw;
  openedDate: TradingDate;
}

export interface ExitInput {
  position: ExitPosition;
  quote: Quote;
  bars: readonly DailyBar[];
  today: TradingDate;
  tradingDaysHeld: number;
  params: StrategyParams;
  /** the flatten time of the day has come (strategy.exitBeforeCloseMinutes, market/session.ts flattenAt) */
  flattenDue?: boolean;
}

export type ExitRule = 'take-profit' | 'stop-loss' | 'max-hold' | 'flatten-before-close' | 'hold' | 'no-price';

export interface ExitSignal {
  action: 'exit' | 'hold';
  rule: ExitRule;
  values: SignalValues;
}

/** (to − from) / from in basis points; null when `from` is not a usable price. */
export function changeBp(from: number, to: number): number | null {
  return from > 0 ? ((to - from) * 10_000) / from : null;
}

function checkSymbols(symbol: StockCode, quote: Quote, bars: readonly DailyBar[]): void {
  const wrong = quote.symbol !== symbol ? quote.symbol : bars.find((b) => b.symbol !== symbol)?.symbol;
  if (wrong !== undefined) {
    throw new AppError('SIGNALS_INVALID_INPUT', `data for ${wrong} passed to an evaluation of ${symbol}`, { details: { symbol, wrong } });
  }
}

/** Completed bars before the quote's trading day, oldest first (callers may pass them unsorted). */
function completedBars(bars: readonly DailyBar[], today: TradingDate): DailyBar[] {
  return bars.filter((b) => b.date < today).sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
}

function indicatorValues(bars: readonly DailyBar[]): SignalValues {
  return {
    atr: atrOf(bars, INDICATOR_PERIOD),
    rsi: rsiOf(bars.map((b) => b.close), INDICATOR_PERIOD),
  };
}

/**
 * The entry rule of 'momentum-volume': a stock that is up moderately today on unusual volume,
 * above its moving average, and not pinned at the upper limit. Every value is computed before
 * any rule decides, so the decision log shows all of them whichever rule fired.
 */
export function evaluateEntry(input: EntryInput): EntrySignal {
  const { symbol, quote, params } = input;
  checkSymbols(symbol, quote, input.bars);
  const today = kstDateOf(quote.at);
  const bars = completedBars(input.bars, today);
  const window = bars.slice(-params.lookbackDays);
  const enoughBars = params.lookbackDays >= 1 && window.length >= params.lookbackDays;

  // 기준가 is the previous close adjusted for ex-rights days (docs/kis-wire.md §11.2), the same
  // reference KIS measures prdy_ctrt against; the last bar's close is only a fallback.
  const lastClose = bars.at(-1)?.close ?? null;
  const prevClose = quote.basePrice > 0 ? quote.basePrice : lastClose;
  const change = prevClose === null ? null : changeBp(prevClose, quote.price);

  const avgVolume = enoughBars ? averageVolumeOf(window, params.lookbackDays) : null;
  const projection = projectDayVolume(quote.volume, quote.at, input.session ?? REGULAR_SESSION,
    params.minSessionFractionPct ?? DEFAULT_MIN_SESSION_FRACTION_PCT);
  const volumeRatioPct = avgVolume !== null && avgVolume > 0 ? (projection.projectedVolume * 100) / avgVolume : null;
  const ma = enoughBars ? smaOf(window.map((b) => b.close), params.lookbackDays) : null;
  const atUpperLimit = quote.upperLimit > 0 && quote.price >= quote.upperLimit;

  const values: SignalValues = {
    strategy: STRATEGY_NAME,
    today,
    price: quote.price,
    basePrice: quote.basePrice,
    prevClose,
    changeBp: change,
    volume: quote.volume,
    sessionElapsedPct: projection.sessionElapsedPct,
    volumeDivisorPct: projection.divisorPct,
    projectedVolume: projection.projectedVolume,
    avgVolume,
    volumeRatioPct,
    ma,
    upperLimit: quote.upperLimit,
    atUpperLimit,
    halted: quote.halted,
    ...indicatorValues(bars),
    barsUsed: window.length,
    barsAvailable: bars.length,
    lookbackDays: params.lookbackDays,
    minChangeBp: params.minChangeBp,
    maxChangeBp: params.maxChangeBp,
    minVolumeRatioPct: params.minVolumeRatioPct,
    requireAboveMa: params.requireAboveMa,
  };
  const decide = (rule: EntryRule): EntrySignal => ({ action: rule === 'momentum-volume' ? 'enter' : 'none', rule, values });

  // A zero or negative price is a missing quote, never a −100 % move (the Ouroboros bug).
  if (quote.price <= 0) return decide('no-price');
  if (quote.halted) return decide('halted');
  // A zero average means the stock did not trade in the window: no baseline to compare with.
  if (!enoughBars || change === null || avgVolume === null || avgVolume <= 0 || ma === null) return decide('insufficient-history');
  if (change < params.minChangeBp) return decide('change-below-min');
  if (change > params.maxChangeBp) return decide('change-above-max');
  // At 상한가 the queue to buy is long and fills go to earlier orders (docs/kis-wire.md §11.2).
  if (atUpperLimit) return decide('at-upper-limit');
  if (volumeRatioPct === null || volumeRatioPct < params.minVolumeRatioPct) return decide('volume-ratio-below-min');
  if (params.requireAboveMa && !(quote.price > ma)) return decide('below-ma');
  return decide('momentum-volume');
}

/**
 * The exit rules: stop-loss first (a position can only be in one of the two states, but a
 * misconfigured pair must still cut the loss), then take-profit, then the holding-time limit,
 * then the flatten before the close (named last so a stop-loss is still recorded as one).
 * The return is the gross price return vs the average price; fees and tax are the P&L report's
 * concern, not the trigger's.
 */
export function evaluateExit(input: ExitInput): ExitSignal {
  const { position, quote, params } = input;
  checkSymbols(position.symbol, quote, input.bars);
  const bars = completedBars(input.bars, input.today);
  const pnl = changeBp(position.avgPrice, quote.price);
  // Accept the stop as a distance whichever sign the config wrote, so −300 can never mean +3 %.
  const stopBp = Math.abs(params.stopLossBp);

  const values: SignalValues = {
    strategy: STRATEGY_NAME,
    today: input.today,
    openedDate: position.openedDate,
    qty: position.qty,
    price: quote.price,
    avgPrice: position.avgPrice,
    pnlBp: quote.price > 0 ? pnl : null,
    takeProfitBp: params.takeProfitBp,
    stopLossBp: stopBp,
    tradingDaysHeld: input.tradingDaysHeld,
    maxHoldDays: params.maxHoldDays,
    flattenDue: input.flattenDue ?? false,
    halted: quote.halted,
    ...indicatorValues(bars),
    barsAvailable: bars.length,
  };
  const decide = (rule: ExitRule): ExitSignal => ({ action: rule === 'hold' || rule === 'no-price' ? 'hold' : 'exit', rule, values });

  // The Ouroboros bug: a zero price read as a −100 % loss and sold the position. No price, no act.
  if (quote.price <= 0) return decide('no-price');
  // pnl is null only without a usable average price; then only the holding-time rule can apply.
  if (pnl !== null && pnl <= -stopBp) return decide('stop-loss');
  if (pnl !== null && pnl >= params.takeProfitBp) return decide('take-profit');
  if (input.tradingDaysHeld >= params.maxHoldDays) return decide('max-hold');
  if (input.flattenDue === true) return decide('flatten-before-close');
  return decide('hold');
}
