import type { Krw } from './money.js';
import type { OrderType, RankingExclusions, RankingKind, StockCode } from './types.js';

/**
 * The typed settings each job of src/jobs/ is fed, produced once from the validated config by
 * config/settings.ts, so no job converts units itself (percent → basis points, seconds → ms).
 * The shapes match what signals/, scan/ and orders/ take.
 */

export interface SignalSettings {
  strategy: {
    lookbackDays: number; minChangeBp: number; maxChangeBp: number; minVolumeRatioPct: number;
    requireAboveMa: boolean; takeProfitBp: number; stopLossBp: number; maxHoldDays: number;
  };
  exitBeforeCloseMinutes: number;
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
  /** no new entries from this long before the closing auction (strategy.exitBeforeCloseMinutes) */
  exitBeforeCloseMinutes: number;
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
  scan: ScanSettings;
  orders: OrderSettings;
}
