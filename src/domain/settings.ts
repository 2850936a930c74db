import type { Krw } from './money.js';
import type { OrderType, RankingExclusions, RankingKind, StockCode } from './types.js';

/**
 * The typed settings each job of src/jobs/ is fed, produced once from the validated config by
 * config/settings.ts, so no job converts units itself (percent → basis points, seconds → ms).
 * The shapes match what signals/, scan/ and orders/ take.
 */

export interface SignalSettings {
  /** schedule.flattenBeforeCloseMinutes: from this long before the closing auction every position is sold; 0 never */
  flattenBeforeCloseMinutes: number;
  limits: {
    maxPositions: number; maxOrdersPerDay: number; maxDailyLossBp: number; cooldownMinutes: number;
    maxOrderValue: Krw; minCashReserve: Krw;
  };
  maxPositionBp: number;
  commissionPpm: number;
  entryType: OrderType;
  exitType: OrderType;
  limitOffsetTicks: number;
}

export interface ScanSettings {
  kinds: readonly RankingKind[];
  marketCode: string;
  watchlist: readonly StockCode[];
  /** paper mode: scan the watch list instead of the rankings (KIS paper has none, docs/kis-wire.md §6.5) */
  paperRankingSource: 'watchlist' | 'live-readonly';
  filter: {
    minPrice: Krw; maxPrice: Krw; minTradedValue: Krw; topN: number; exclude: StockCode[];
    excludeNamePatterns: string[]; excludeKinds: RankingExclusions;
  };
  /** no new entries from this long before the closing auction (schedule.flattenBeforeCloseMinutes) */
  flattenBeforeCloseMinutes: number;
  /** only role 'all' scans: a 'workers' process evaluates what others enqueue */
  scans: boolean;
}

export interface OrderSettings {
  maxIntentAgeMs: number;
  unknownGraceMs: number;
  cancelUnfilledAfterMs: number;
}

export interface JobSettings {
  signals: SignalSettings;
  /** the enabled strategies, in the order the config lists them */
  strategies: StrategySlice[];
  scan: ScanSettings;
  orders: OrderSettings;
}

/**
 * The protective exits of one strategy's positions (signals/decide-exit.ts), in basis points; null
 * turns a rule off. The hard stop cannot be turned off.
 */
export interface ExitPolicy {
  stopLossBp: number;
  takeProfitBp: number | null;
  /** once the peak since entry is this far above the average price, the stop moves up to it */
  breakEvenAfterBp: number | null;
  /** sell when the price falls this many ATRs below the peak since entry */
  trailAtrMultiple: number | null;
  atrPeriod: number;
  /** sell after this many trading days held */
  maxHoldDays: number | null;
}

/** Which scan candidates a strategy evaluates; null or empty means no limit. */
export interface StrategyUniverse {
  minPrice: Krw | null;
  maxPrice: Krw | null;
  minTradedValue: Krw | null;
  /** the best ranking position a candidate must reach (1 = top) */
  maxRank: number | null;
  /** only these codes, when not empty */
  symbols: readonly StockCode[];
  exclude: readonly StockCode[];
}

/** One entry of `strategies` in the config, enabled, with its params still as the file wrote them. */
export interface StrategySlice {
  id: string;
  use: string;
  /** the file a 'module' strategy is loaded from, as written (relative to the installation) */
  module: string | null;
  params: Readonly<Record<string, unknown>>;
  universe: StrategyUniverse;
  /** share of account value its positions and working buys may take */
  budgetBp: number;
  maxPositions: number;
  exits: ExitPolicy;
}
