import { z } from 'zod';
import { minutes, percent, stockCodeField, won } from './fields.js';

/**
 * The default name exclusions: SPACs, ETNs, preferred shares, and ETF brands as listed in 2026
 * (ARIRANG is now PLUS, KOSEF KIWOOM, KBSTAR RISE, KINDEX ACE; the old names stay for recorded
 * snapshots). A brand must be followed by a space, as in every ETF name ("KODEX 200"), so
 * companies that merely start with the letters (HK이노엔, BNK금융지주) are not caught.
 */
export const DEFAULT_EXCLUDE_NAME_PATTERNS: readonly string[] = [
  '스팩',
  'ETN',
  // preferred shares: 우, 1우, 2우B, 우C, 우(전환) at the end of the name
  '[0-9]?우[BC]?(\\(전환\\))?$',
  '^(KODEX|TIGER|ACE|RISE|PLUS|SOL|KIWOOM|HANARO|TIME|KoAct|1Q|WON|UNICORN|BNK|DAISHIN343|HK|KCGI|ITF|VITA|TRUSTON|FOCUS'
    + '|마이다스|에셋플러스|파워|마이티|히어로즈|TREX|TIMEFOLIO|ARIRANG|KOSEF|KBSTAR|KINDEX)\\s',
];

/** true = the volume ranking leaves that kind out (FID_TRGT_EXLS_CLS_CODE, docs/kis-wire.md §6.5). */
const excludeKindsSchema = z.strictObject({
  /** 투자위험 / 투자경고 / 투자주의 */
  investmentWarning: z.boolean().default(true),
  /** 관리종목 */
  administrative: z.boolean().default(true),
  /** 정리매매: the last days before a delisting */
  liquidationTrading: z.boolean().default(true),
  /** 불성실공시 */
  unfaithfulDisclosure: z.boolean().default(true),
  /** 우선주 */
  preferred: z.boolean().default(true),
  /** 거래정지 */
  halted: z.boolean().default(true),
  etf: z.boolean().default(true),
  etn: z.boolean().default(true),
  /**
   * 신용주문불가: kept by default. The daemon buys with cash only, so whether KIS lends on a name
   * does not touch its orders; the risky reasons behind the list have their own kinds above, and
   * the rest of it (new listings, small caps) is the momentum universe itself.
   */
  creditNotAllowed: z.boolean().default(false),
  spac: z.boolean().default(true),
});

/**
 * scan/name-patterns.ts compiles each pattern with flags 'iu'; one that does not compile would fail
 * every scan, so the schema refuses it (with the same flags), beside any other problem in the file.
 */
const namePattern = z.string().min(1).superRefine((source, ctx) => {
  try {
    new RegExp(source, 'iu');
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: `is not a valid regular expression (${err instanceof Error ? err.message : String(err)})` });
  }
});

export const scanSchema = z.strictObject({
  rankings: z.array(z.enum(['volume', 'fluctuation'])).min(1).default(['volume', 'fluctuation']),
  /** FID_INPUT_ISCD: 0000 all, 0001 KOSPI, 1001 KOSDAQ, 2001 KOSPI200 (docs/kis-wire.md §6.5–6.6) */
  marketCode: z.string().regex(/^\d{4}$/, { error: 'expected a four-digit KIS market code like 0000' }).default('0000'),
  minPrice: won(1_000),
  maxPrice: won(500_000),
  /** today's traded value so far, in won */
  minTradedValue: won(1_000_000_000),
  /** KIS rankings return at most 30 rows (docs/kis-wire.md §6.5) */
  topN: z.int().min(1).max(30).default(10),
  exclude: z.array(stockCodeField).default([]),
  /**
   * Kinds the volume ranking leaves out at KIS (docs/kis-wire.md §6.5); ETNs (Q codes) and preferred
   * shares (codes not ending in 0) are also dropped by code from every ranking.
   */
  excludeKinds: excludeKindsSchema.prefault({}),
  /**
   * The second line behind excludeKinds: regular expressions matched case-insensitively against
   * the stock name (src/scan/name-patterns.ts), for rankings that cannot exclude by kind (§6.6).
   */
  excludeNamePatterns: z.array(namePattern).default([...DEFAULT_EXCLUDE_NAME_PATTERNS]),
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
