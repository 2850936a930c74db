import { z } from 'zod';
import { minutes, percent, stockCodeField, won } from './fields.js';

export const scanSchema = z.strictObject({
  rankings: z.array(z.enum(['volume', 'fluctuation'])).min(1).default(['volume', 'fluctuation']),
  /** FID_INPUT_ISCD: 0000 all, 0001 KOSPI, 1001 KOSDAQ, 2001 KOSPI200 (REFERENCE §6.5–6.6) */
  marketCode: z.string().regex(/^\d{4}$/, { error: 'expected a four-digit KIS market code like 0000' }).default('0000'),
  minPrice: won(1_000),
  maxPrice: won(500_000),
  /** today's traded value so far, in won */
  minTradedValue: won(1_000_000_000),
  /** KIS rankings return at most 30 rows (REFERENCE §6.5) */
  topN: z.int().min(1).max(30).default(10),
  exclude: z.array(stockCodeField).default([]),
  /** regular expressions matched case-insensitively against the stock name (scan/name-patterns.ts): SPACs, ETNs and ETF brands are not momentum stocks */
  excludeNamePatterns: z.array(z.string().min(1))
    .default(['스팩', 'ETN', 'KODEX', 'TIGER', 'ARIRANG', 'HANARO', 'KOSEF']),
});

/** Percents may carry decimals here; the strategy converts them to bp with explicit rounding. */
export const strategySchema = z.strictObject({
  name: z.enum(['momentum-volume']).default('momentum-volume'),
  lookbackDays: z.int().min(5).max(100).default(20),
  /** KRX daily limits are ±30 % (REFERENCE §11.2), so changes outside that never happen */
  minChangePct: percent(2, -30, 30),
  maxChangePct: percent(15, -30, 30),
  /** today's volume vs the lookback average */
  minVolumeRatio: z.number().positive().max(100).default(2),
  requireAboveMa: z.boolean().default(true),
  takeProfitPct: percent(5, 0.1, 100),
  stopLossPct: percent(3, 0.1, 30),
  maxHoldDays: z.int().min(1).max(60).default(5),
  /** sell everything this many minutes before the close; 0 keeps positions overnight */
  exitBeforeCloseMinutes: minutes(0, 0, 60),
});

/**
 * Every limit has an allowed range and values outside it are errors, so a typo can tighten the
 * risk but never remove it. The daily-loss halt blocks entries only, never exits.
 */
export const riskSchema = z.strictObject({
  maxPositions: z.int().min(1).max(20).default(5),
  /** % of account value per position */
  maxPositionPct: percent(10, 1, 25),
  maxOrderValue: z.int().positive().max(100_000_000).default(5_000_000),
  /** entries halt once today's realised + unrealised loss reaches this % of account value */
  maxDailyLossPct: percent(3, 0.5, 10),
  maxOrdersPerDay: z.int().min(1).max(200).default(20),
  minCashReserve: won(0),
  /** no re-entry into a symbol this long after exiting it */
  reentryCooldownMinutes: minutes(120, 0, 1440),
});

export const ordersSchema = z.strictObject({
  entryType: z.enum(['limit', 'market']).default('limit'),
  /** how many ticks through the touch a limit entry is priced */
  limitOffsetTicks: z.int().min(0).max(5).default(1),
  /** 0 keeps an unfilled entry until the close */
  cancelUnfilledAfterMinutes: minutes(10, 0, 390),
  /** how long an order in "unknown" waits before reconciliation decides it */
  unknownGraceSeconds: z.int().min(10).max(900).default(90),
  /** an intent older than this (from its decision) is not sent: the market it was decided on has moved */
  maxIntentAgeSeconds: z.int().min(10).max(1800).default(180),
  exitType: z.enum(['limit', 'market']).default('market'),
});
