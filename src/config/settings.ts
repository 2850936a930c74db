import { basisPoints, krw, stockCode } from '../domain/index.js';
import type { JobSettings, StrategySlice } from '../domain/index.js';
import type { Config } from './schema.js';

/** The settings slices of src/jobs/ (domain/settings.ts), produced once from the validated config. */

const orNull = <T, U>(v: T | null, f: (v: T) => U): U | null => (v === null ? null : f(v));

/** The enabled strategies, in the order the config lists them; params stay as written (their schema parses them). */
export function strategySlices(config: Config): StrategySlice[] {
  return Object.entries(config.strategies).filter(([, s]) => s.enabled).map(([id, s]) => ({
    id, use: s.use ?? id, module: s.module, params: s.params,
    universe: {
      minPrice: orNull(s.universe.minPrice, krw), maxPrice: orNull(s.universe.maxPrice, krw),
      minTradedValue: orNull(s.universe.minTradedValue, krw), maxRank: s.universe.maxRank,
      symbols: s.universe.symbols.map(stockCode), exclude: s.universe.exclude.map(stockCode),
    },
    budgetBp: basisPoints(s.budgetPct),
    maxPositions: s.maxPositions,
    exits: {
      stopLossBp: basisPoints(s.exits.stopLossPct), takeProfitBp: orNull(s.exits.takeProfitPct, basisPoints),
      breakEvenAfterBp: orNull(s.exits.breakEvenAfterPct, basisPoints), trailAtrMultiple: s.exits.trailAtrMultiple,
      atrPeriod: s.exits.atrPeriod, maxHoldDays: s.exits.maxHoldDays,
    },
  }));
}


export function jobSettings(config: Config): JobSettings {
  const { risk, orders, scan } = config;
  const flattenBeforeCloseMinutes = config.schedule.flattenBeforeCloseMinutes;
  return {
    strategies: strategySlices(config),
    signals: {
      flattenBeforeCloseMinutes,
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
      flattenBeforeCloseMinutes,
      scans: config.daemon.role === 'all',
    },
    orders: {
      maxIntentAgeMs: orders.maxIntentAgeSeconds * 1000,
      unknownGraceMs: orders.unknownGraceSeconds * 1000,
      cancelUnfilledAfterMs: orders.cancelUnfilledAfterMinutes * 60_000,
    },
  };
}
