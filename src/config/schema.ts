import { z } from 'zod';
import { clockTime, won } from './fields.js';
import { kisSchema, redisSchema } from './schema-kis.js';
import { marketSchema, scheduleSchema } from './schema-market.js';
import { alertsSchema, metricsSchema } from './schema-ops.js';
import { strategiesSchema } from './schema-strategies.js';
import { ordersSchema, riskSchema, scanSchema } from './schema-trading.js';

/**
 * The single home of every config default. `.prefault({})` (not `.default`) makes a missing
 * section parse `{}` so the defaults of its fields apply.
 */

export const modeSchema = z.enum(['sim', 'paper', 'live']);

export const storeSchema = z.strictObject({
  path: z.string().min(1).default('data/kis-trader.sqlite'),
  /** FULL: orders and fills survive power loss (docs/stack.md §6) */
  synchronous: z.enum(['FULL', 'NORMAL']).default('FULL'),
  /**
   * The after-close job's daily copy of the trade log, `<dir>/<mode>-<YYYYMMDD>.sqlite` (jobs/after-close.ts).
   * In a `backups/` folder beside the trade log (the default), the daemon names the newest one when
   * the log is damaged at start.
   */
  backups: z.strictObject({
    enabled: z.boolean().default(true),
    /** relative to the installation, like `path` */
    dir: z.string().min(1).default('data/backups'),
    /** copies of this mode dated more than this many days before the trading day are deleted; other files never */
    keepDays: z.int().min(1).max(3650).default(14),
  }).prefault({}),
});

export const logSchema = z.strictObject({
  level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  pretty: z.boolean().default(false),
});

export const simSchema = z.strictObject({
  /** which KIS environment the simulator imitates */
  env: z.enum(['live', 'paper']).default('live'),
  seed: z.int().min(0).default(42),
  /** 0 = an ephemeral port */
  port: z.int().min(0).max(65_535).default(0),
  symbols: z.int().min(200).max(5_000).default(200),
  initialCash: won(100_000_000),
  /** the simulator clock starts at this KST time of the current (or next) trading day; null = real time */
  startAt: clockTime('09:05').nullable(),
  /** simulated seconds per real second */
  speed: z.number().min(1).max(600).default(1),
  /** fault specs like 'accept-then-drop:order-cash:1'; the simulator parses them */
  faults: z.array(z.string().trim().min(1)).default([]),
  /**
   * which of the answer shapes KIS is known to use the simulator sends (src/sim/variants.ts):
   * 'captured' as live KIS answers today, 'workbook' as the official examples show
   */
  variant: z.enum(['captured', 'workbook']).default('captured'),
});

export const daemonSchema = z.strictObject({
  /** must stay under pm2's kill_timeout of 20 s (docs/stack.md §8) */
  shutdownDeadlineMs: z.int().min(1_000).max(19_000).default(15_000),
  /**
   * 'all': the daemon that owns the account (trade log, schedule, orders). 'workers': evaluates
   * signal jobs for it from another process, through its Redis (runtime/workers-process.ts, README "Scale out").
   */
  role: z.enum(['all', 'workers']).default('all'),
  /**
   * signal jobs run at once in this process: "auto" follows the size of the process's KIS read
   * window (rate × p90 latency × 1.5, at most 2 s of reads and 32: domain/read-window.ts), so
   * evaluations keep the rate budget busy; a number fixes it (issue 13: 2 at a time took 1.47×
   * the rate bound at 100 ms latency). The window learns the latency from the scan's and the
   * evaluations' reads (200 ms assumed before the first: 6 at 18/s)
   */
  signalConcurrency: z.union([z.literal('auto'), z.int().min(1).max(32)]).default('auto'),
  /** a worker that starts no job this long while its jobs wait (and Redis answers) is restarted (queues/watchdog.ts) */
  workerStallSeconds: z.int().min(5).max(3600).default(60),
});

/** `kis-trader backtest` (docs/backtest.md); the daemon does not read it. */
export const backtestSchema = z.strictObject({
  /** ticks a fill at the open is moved against us: the spread and impact a daily bar does not show */
  slippageTicks: z.int().min(0).max(20).default(1),
  initialCash: won(100_000_000),
});

export const configSchema = z.strictObject({
  mode: modeSchema.default('sim'),
  dataDir: z.string().min(1).default('data'),
  kis: kisSchema.prefault({}),
  redis: redisSchema.prefault({}),
  schedule: scheduleSchema.prefault({}),
  market: marketSchema.prefault({}),
  scan: scanSchema.prefault({}),
  strategies: strategiesSchema,
  risk: riskSchema.prefault({}),
  orders: ordersSchema.prefault({}),
  store: storeSchema.prefault({}),
  log: logSchema.prefault({}),
  sim: simSchema.prefault({}),
  daemon: daemonSchema.prefault({}),
  backtest: backtestSchema.prefault({}),
  alerts: alertsSchema.prefault({}),
  metrics: metricsSchema.prefault({}),
});

type DeepReadonly<T> = T extends (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object ? { readonly [K in keyof T]: DeepReadonly<T[K]> } : T;

export type Config = DeepReadonly<z.output<typeof configSchema>>;
export type ConfigMode = Config['mode'];
export type KisConfig = Config['kis'];
export type RedisConfig = Config['redis'];
export type ScheduleConfig = Config['schedule'];
export type MarketConfig = Config['market'];
export type SessionsConfig = MarketConfig['sessions'];
export type ScanConfig = Config['scan'];
export type StrategiesConfig = Config['strategies'];
export type RiskConfig = Config['risk'];
export type OrdersConfig = Config['orders'];
export type StoreConfig = Config['store'];
export type LogConfig = Config['log'];
export type SimConfig = Config['sim'];
export type DaemonConfig = Config['daemon'];
export type AlertsConfig = Config['alerts'];
export type MetricsConfig = Config['metrics'];

/** Every default, as `config/default.json` must list it. */
export function defaultConfig(): Config {
  return configSchema.parse({});
}
