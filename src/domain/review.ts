import type { Krw } from './money.js';
import type { EpochMs, TradingDate } from './time.js';

/**
 * The review's rows (v_round_trips, v_daily_pnl): store/ reads them, review/ summarises and draws
 * them, and a backtest makes the same. Money is integer won; returns are basis points (integer,
 * truncated toward zero).
 */

/**
 * One entry order and the exit fills matched to its shares FIFO per symbol (docs/review.md): closed
 * when every share it bought is sold. Gross, fees, tax and net are of the closed shares only; the
 * entry's fees are split over its shares so that the parts always add up to the won.
 */
export interface RoundTrip {
  /** the entry order's id */
  id: number;
  symbol: string;
  /** the strategy of the entry order; null for an order the daemon adopted (external) */
  strategy: string | null;
  status: 'open' | 'closed';
  openedAt: EpochMs;
  /** the last matched exit fill; null while nothing is sold */
  closedAt: EpochMs | null;
  /** closedAt − openedAt in seconds; null while open */
  holdingSeconds: number | null;
  /** shares the entry order bought */
  qty: number;
  /** of those, shares sold again */
  closedQty: number;
  /** average entry and exit prices, won (rounded half up) */
  entryPrice: Krw;
  exitPrice: Krw | null;
  /** of the closed shares: exit value − entry value */
  gross: Krw;
  /** of the closed shares: entry and exit commission */
  commission: Krw;
  /** of the closed shares: sell tax (and any tax on the entry) */
  tax: Krw;
  /** gross − commission − tax */
  net: Krw;
  /** net ÷ the closed shares' entry cost (value + its fees), in bp; null while nothing is sold */
  returnBp: number | null;
  /** the rule of the decision behind the last exit order; null when no decision names one */
  exitRule: string | null;
  /** shares still held (qty − closedQty) and their entry cost, value and fees */
  openQty: number;
  openCost: Krw;
  /** KST date of the entry's first fill */
  tradingDate: TradingDate;
  /** open shares at the last mark: (mark × open shares) − their entry cost; null when closed or unpriced */
  unrealised: Krw | null;
  /** the mark used for `unrealised`, won */
  mark: Krw | null;
}

/** One trading day (v_daily_pnl): what the after-close job recorded. */
export interface DailyPnl {
  date: TradingDate;
  /** realised P&L of the day's fills, after fees and tax (average cost) */
  realised: Krw;
  /** open positions at the after-close marks */
  unrealised: Krw;
  fees: Krw;
  tax: Krw;
  /** the broker's total value at the after-close reconcile */
  equity: Krw;
  peakEquity: Krw;
  drawdown: Krw;
  drawdownBp: number;
}
