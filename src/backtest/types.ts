import type {
  DailyBar, DailyPnl, EpochMs, Krw, RoundTrip, Side, SignalSettings, StockCode, TradingDate,
} from '../domain/index.js';
import type { FeeRates, TradingCalendar } from '../market/index.js';
import type { MarketTick, OpeningAuctionBook } from '../exchange/index.js';
import type { SignalValues, StrategyInstance } from '../signals/index.js';
import type { PerformanceMetrics, PnlSummary } from '../review/index.js';
import type { BacktestUniverse, UniverseReport, UniverseScan } from './universe.js';

/** What a backtest runs with: the daemon's own strategies and signal settings, plus the execution model's knobs. */
export interface BacktestSettings {
  /** the enabled strategies, resolved as the daemon resolves them (runtime/strategies.ts) */
  strategies: readonly StrategyInstance[];
  /** risk limits, sizing, order types and the limit offset (config/settings.ts jobSettings().signals) */
  signals: SignalSettings;
  /** ticks the open is moved against us for a fill at the open (config backtest.slippageTicks, docs/backtest.md) */
  slippageTicks: number;
  initialCash: Krw;
  /** the rankings the scan asks for and the scan's filter (config scan.*): the universe's (universe.ts) */
  scan: UniverseScan;
}

export interface BacktestInput {
  settings: BacktestSettings;
  /** daily bars per symbol, any order; bars before `from` are history only */
  bars: ReadonlyMap<StockCode, readonly DailyBar[]>;
  names?: Readonly<Record<string, string>>;
  from: TradingDate;
  to: TradingDate;
  fees: FeeRates;
  /** where each day's candidates come from (docs/backtest.md §3); absent: `all`, every symbol unranked */
  universe?: BacktestUniverse;
  /** the trading days; by default the dates the bars trade on (docs/backtest.md) */
  calendar?: TradingCalendar;
  /**
   * One symbol-day's intraday path, asked for only at the open of a day on which an order of that
   * symbol is pending (never by the decision code): with it the order is worked along the path,
   * without it on the daily bar (docs/backtest.md §2). The sim source supplies it (synthetic-source.ts).
   */
  paths?: (symbol: StockCode, date: TradingDate) => DayPath | null;
  /** every decision, as it is made: for tests and a decision log (costs nothing when absent) */
  onDecision?: (decision: BacktestDecision) => void;
  /** after each day of the period: `done` of `total` days, for a progress line */
  onDay?: (done: number, total: number, date: TradingDate) => void;
}

/**
 * A day of the market as the simulator's matching engine meets it (exchange/exchange.ts advanceTo):
 * the opening call auction, one tick a minute of continuous trading, the closing call auction.
 * Ticks are made on demand, so a day costs only the minutes an order is worked through.
 */
export interface DayPath {
  /** the market's own orders in the opening call; null when the symbol takes no orders that day (suspended) */
  opening: (OpeningAuctionBook & { at: EpochMs }) | null;
  /** minutes of continuous trading */
  steps: number;
  /** minute k's tick (its last trade, volume and book); null while the symbol is halted */
  tick(k: number): MarketTick | null;
  /** the closing call auction; volume 0 when nothing trades in it */
  closing: { at: EpochMs; price: Krw; volume: number };
}

export interface BacktestDecision {
  date: TradingDate;
  symbol: StockCode;
  kind: 'entry' | 'exit';
  strategy: string;
  /** what the decision code answered: enter / none, exit / hold */
  action: string;
  rule: string;
  /** 'order' when an order was placed, 'blocked' when a guard refused it, 'no-trade' otherwise */
  outcome: 'order' | 'blocked' | 'no-trade';
  values: SignalValues;
}

/** One fill of the backtest, in the order the engine made them: the list the hash is taken over. */
export interface BacktestFill {
  seq: number;
  orderId: number;
  date: TradingDate;
  /**
   * when the engine filled it (docs/backtest.md §2): on daily bars the open, the tick that traded
   * through the limit or the close; on a path the opening auction, the minute, or the closing auction
   */
  at: EpochMs;
  symbol: StockCode;
  side: Side;
  qty: number;
  price: Krw;
  amount: Krw;
  commission: Krw;
  tax: Krw;
  strategy: string;
  /** the rule of the decision behind the order */
  rule: string;
}

export interface BacktestSummary extends PnlSummary, PerformanceMetrics {
  /** symbol-days the decision code evaluated (exits and entries) */
  evaluations: number;
  orders: number;
  /** orders that ended unfilled (a gap past the limit, a locked limit, no bar) */
  unfilled: number;
  fees: number;
}

export interface BacktestResult {
  roundTrips: RoundTrip[];
  daily: DailyPnl[];
  fills: BacktestFill[];
  summary: BacktestSummary;
  /** sha256 of the canonical JSON of `fills` */
  hash: string;
  /** which universe the run used, and on how many days the recorded scans gave it */
  universe: UniverseReport;
}
