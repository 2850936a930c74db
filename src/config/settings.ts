import { krw, stockCode } from '../domain/index.js';
import type { JobSettings } from '../domain/index.js';
import type { Config } from './schema.js';

/** The settings slices of src/jobs/ (domain/settings.ts), produced once from the validated config. */

/**
 * Percent → basis points (1 % = 100 bp), rounded to the nearest basis point, halves toward +∞
 * (Math.round: 0.125 % is 13 bp, -0.125 % is -12 bp). For the percents users write the rounding
 * only absorbs binary noise (0.29 × 100 = 28.999…); a percent finer than 0.01 loses its remainder.
 */
export function basisPoints(pct: number): number {
  return Math.round(pct * 100);
}

export function jobSettings(config: Config): JobSettings {
  const { strategy, risk, orders, scan } = config;
  return {
    signals: {
      strategy: {
        lookbackDays: strategy.lookbackDays, minChangeBp: basisPoints(strategy.minChangePct),
        maxChangeBp: basisPoints(strategy.maxChangePct), minVolumeRatioPct: basisPoints(strategy.minVolumeRatio),
        requireAboveMa: strategy.requireAboveMa, takeProfitBp: basisPoints(strategy.takeProfitPct),
        stopLossBp: basisPoints(strategy.stopLossPct), maxHoldDays: strategy.maxHoldDays,
      },
      exitBeforeCloseMinutes: strategy.exitBeforeCloseMinutes,
      limits: {
        maxPositions: risk.maxPositions, maxOrdersPerDay: risk.maxOrdersPerDay,
        maxDailyLossBp: basisPoints(risk.maxDailyLossPct), cooldownMinutes: risk.reentryCooldownMinutes,
        maxOrderValue: krw(risk.maxOrderValue), minCashReserve: krw(risk.minCashReserve),
      },
      maxPositionBp: basisPoints(risk.maxPositionPct),
      commissionPpm: config.market.commissionPpm,
      entryType: orders.entryType, exitType: orders.exitType, limitOffsetTicks: orders.limitOffsetTicks,
    },
    scan: {
      kinds: scan.rankings, marketCode: scan.marketCode, watchlist: config.kis.watchlist.map(stockCode),
      paperRankingSource: config.kis.paperRankingSource,
      filter: {
        minPrice: krw(scan.minPrice), maxPrice: krw(scan.maxPrice), minTradedValue: krw(scan.minTradedValue),
        topN: scan.topN, exclude: scan.exclude.map(stockCode), excludeNamePatterns: [...scan.excludeNamePatterns],
        excludeKinds: { ...scan.excludeKinds },
      },
      exitBeforeCloseMinutes: strategy.exitBeforeCloseMinutes,
      scans: config.daemon.role === 'all',
    },
    orders: {
      maxIntentAgeMs: orders.maxIntentAgeSeconds * 1000,
      unknownGraceMs: orders.unknownGraceSeconds * 1000,
      cancelUnfilledAfterMs: orders.cancelUnfilledAfterMinutes * 60_000,
    },
  };
}
