import { z } from 'zod';
import { httpUrl, ms, minutes, redisUrl, stockCodeField, wsUrl } from './fields.js';

/** Node's `cert.fingerprint256` format: 32 hex bytes joined by colons. */
const FINGERPRINT256 = /^([0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2}$/;

export const kisTimeoutsSchema = z.strictObject({
  connectMs: ms(3_000),
  headersMs: ms(5_000),
  bodyMs: ms(5_000),
  totalMs: ms(10_000),
});

/**
 * Calls per second per app key. KIS allows 20 live and 2 paper (docs/kis-wire.md §4); the defaults keep
 * headroom and the maxima are KIS's own limits, since going past them only earns EGW00201.
 */
/**
 * The adaptive slow-down of the shared budget on EGW00201 (AIMD, src/redis/rate-budget-script.ts,
 * docs/kis-wire.md §4): each EGW00201 multiplies the rate by `cutFactor`, at most once per
 * `cutAtMostEveryMs`; the rate then climbs back by `climbPctPerSec` % of the configured rate each
 * second, errors or not, never above the configured rate and never below 1/s (or the configured
 * rate, if lower). With the defaults, 20 % spurious EGW00201 keep it around 10–15/s on live
 * (bench/README.md), not at 1/s.
 */
export const kisRateAdaptiveSchema = z.strictObject({
  cutFactor: z.number().gt(0).lt(1).default(0.7),
  /** 0 = every EGW00201 cuts (the answers of one overloaded moment then compound) */
  cutAtMostEveryMs: z.int().min(0).max(60_000).default(1_000),
  climbPctPerSec: z.number().positive().max(100).default(20),
});

export const kisRateSchema = z.strictObject({
  liveCallsPerSec: z.number().positive().max(20).default(18),
  paperCallsPerSec: z.number().positive().max(2).default(1.8),
  adaptive: kisRateAdaptiveSchema.prefault({}),
});

/**
 * docs/kis-wire.md §1 "VTS TLS quirk": the paper host's certificate reportedly mismatches its name.
 * Verification stays on unless the operator explicitly pins the name or the certificate.
 */
export const paperTlsSchema = z.strictObject({
  mode: z.enum(['verify', 'pin-name', 'pin-fingerprint']).default('verify'),
  serverName: z.string().min(1).nullable().default(null),
  fingerprint256: z.string()
    .regex(FINGERPRINT256, { error: 'expected a SHA-256 certificate fingerprint like AB:CD:…(32 bytes)' })
    .nullable().default(null),
});

/**
 * The real-time session (docs/kis-wire.md §10): fill notices reconcile at once and trades of held
 * symbols run the exits on each tick. On by default in every mode: polling and the minute exit
 * check stay as the reconciliation behind it. Fill notices also need KIS_HTS_ID in live and paper.
 */
export const kisWebsocketSchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** overrides the per-environment URL; sim mode uses the simulator's port */
  url: wsUrl().nullable().default(null),
  liveUrl: wsUrl().default('ws://ops.koreainvestment.com:21000'),
  paperUrl: wsUrl().default('ws://ops.koreainvestment.com:31000'),
  /** KIS allows 41 per session, notices included (docs/kis-wire.md §4) */
  maxRegistrations: z.int().min(1).max(41).default(41),
});

export const kisSchema = z.strictObject({
  /** overrides the per-environment base URL (sim mode points this at the simulator) */
  baseUrl: httpUrl().nullable().default(null),
  /** docs/kis-wire.md §1 */
  liveBaseUrl: httpUrl().default('https://openapi.koreainvestment.com:9443'),
  paperBaseUrl: httpUrl().default('https://openapivts.koreainvestment.com:29443'),
  timeouts: kisTimeoutsSchema.prefault({}),
  rate: kisRateSchema.prefault({}),
  /** tokens live 24 h (docs/kis-wire.md §3.1); refresh this long before expiry */
  tokenRefreshLeadMinutes: minutes(30, 1, 720),
  paperTls: paperTlsSchema.prefault({}),
  /**
   * the hashkey header on order bodies (docs/kis-wire.md §3.4). KIS documents it as optional; each
   * order with it costs one more POST and one more slot of the rate budget before it can leave
   * (bench/README.md, order-latency). On by default, as before.
   */
  useHashkey: z.boolean().default(true),
  /** FID_COND_MRKT_DIV_CODE: J = KRX, NX = NXT, UN = unified (docs/kis-wire.md §8.2) */
  marketDivCode: z.enum(['J', 'NX', 'UN']).default('J'),
  /**
   * KIS paper has no ranking endpoints (docs/kis-wire.md §6.5–6.6): rankings come either from live
   * read-only keys (KIS_RANKING_APP_KEY/SECRET) or from this watch list.
   */
  paperRankingSource: z.enum(['live-readonly', 'watchlist']).default('watchlist'),
  watchlist: z.array(stockCodeField).default([]),
  websocket: kisWebsocketSchema.prefault({}),
});

export const redisSchema = z.strictObject({
  /** env REDIS_URL wins over this; with neither, an embedded redis-server is started */
  url: redisUrl().nullable().default(null),
  prefix: z.string().regex(/^[A-Za-z0-9_:-]+$/, { error: 'expected letters, digits, _ : or -' }).default('kis'),
  embedded: z.strictObject({
    enabled: z.boolean().default(true),
    binary: z.string().min(1).default('redis-server'),
  }).prefault({}),
  /**
   * Redis unreachable this long: the daemon restarts its private redis-server, or, with an external
   * Redis, exits non-zero so pm2 restarts it, instead of staying "online" with no job running
   */
  maxOutageSeconds: z.int().min(5).max(3600).default(60),
});
