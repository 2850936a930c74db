import type { Redis } from 'ioredis';
import type { Config, Secrets } from '../config/index.js';
import { AppError, createReadWindow, systemClock } from '../domain/index.js';
import type { Clock, DistributedLock, KisEnv, Logger, RateBudget, ReadWindow, TokenStore } from '../domain/index.js';
import { tokenStoreKey } from '../kis/index.js';
import type { KisClientOptions, KisTlsOptions } from '../kis/index.js';
import type { RedisRateBudgetOptions } from '../redis/index.js';
import { SIM_DEFAULT_CREDENTIALS } from '../sim/index.js';
import { sealTokenStore } from '../store/index.js';
import type { Store } from '../store/index.js';
import { mirrorTokensToRedis } from './token-mirror.js';

/**
 * Where this config trades, the one answer the daemon (app.ts) and the CLI (cli/compose.ts) share:
 * the simulator (in-process or external: the caller starts or finds it, so `baseUrl` is null
 * here), KIS paper or KIS live, with the credentials, the rate and the paper host's certificate
 * options that go with it.
 */
export interface Venue {
  mode: Config['mode'];
  kisEnv: KisEnv;
  credentials: { appKey: string; appSecret: string; account: string };
  /** KIS's host; null in sim mode (the simulator's URL is known once it runs) */
  baseUrl: string | null;
  /** the paper host's certificate quirk (docs/kis-wire.md §2), null when verified normally */
  tls: KisTlsOptions | null;
  ratePerSec: number;
  /** the Redis key of the account's shared call budget: one per app key, whoever calls */
  budgetKey: string;
}

export function chooseVenue(config: Config, secrets: Secrets | null): Venue {
  let kisEnv: KisEnv;
  let credentials: Venue['credentials'];
  if (config.mode === 'sim') {
    kisEnv = config.sim.env;
    credentials = SIM_DEFAULT_CREDENTIALS;
  } else {
    if (!secrets) throw new AppError('CONFIG_SECRET_MISSING', `${config.mode} mode needs KIS_APP_KEY, KIS_APP_SECRET and KIS_ACCOUNT`);
    kisEnv = config.mode;
    credentials = { appKey: secrets.appKey, appSecret: secrets.appSecret, account: `${secrets.account.number}-${secrets.account.product}` };
  }
  const { paperTls } = config.kis;
  return {
    mode: config.mode, kisEnv, credentials,
    baseUrl: config.mode === 'sim' ? null : config.kis.baseUrl ?? (kisEnv === 'live' ? config.kis.liveBaseUrl : config.kis.paperBaseUrl),
    tls: config.mode === 'paper' && paperTls.mode !== 'verify' ? {
      mode: paperTls.mode,
      ...(paperTls.serverName ? { serverName: paperTls.serverName } : {}),
      ...(paperTls.fingerprint256 ? { fingerprint256: paperTls.fingerprint256 } : {}),
    } : null,
    ratePerSec: kisEnv === 'live' ? config.kis.rate.liveCallsPerSec : config.kis.rate.paperCallsPerSec,
    budgetKey: `${config.redis.prefix}:budget:${tokenStoreKey(kisEnv, credentials.appKey)}`,
  };
}

/** Where a client keeps its token beside its own store: the Redis every process of the account shares. */
export interface TokenShare {
  redis: Redis;
  /** redis.prefix */
  prefix: string;
}

/**
 * The token store of one app key: its own store (the trade log, or memory) sealed under the app
 * secret, and with `share` the same token in Redis, sealed too, so a process on another machine
 * reuses it (runtime/token-mirror.ts).
 */
function tokenStoreFor(
  own: TokenStore, appSecret: string, share: TokenShare | undefined, clock: Clock, log: Logger,
): TokenStore {
  const sealed = sealTokenStore(own, appSecret);
  return share ? mirrorTokensToRedis(sealed, { ...share, appSecret, clock, log }) : sealed;
}

/**
 * The shared budget's options for an app key's `budgetKey` at `ratePerSec`: the adaptive slow-down
 * of kis.rate.adaptive, the same for every process that reads this config.
 */
export function rateBudgetOptions(config: Config, budgetKey: string, ratePerSec: number): RedisRateBudgetOptions {
  const a = config.kis.rate.adaptive;
  return {
    key: budgetKey, ratePerSec, penaltyFactor: a.cutFactor, cutAtMostEveryMs: a.cutAtMostEveryMs,
    climbPerSec: ratePerSec * a.climbPctPerSec / 100,
  };
}

/**
 * The trading client's options for a venue. The token is kept encrypted under a key from the app
 * secret (store/tokens.ts): daemon and CLI read and write the same sealed row, and with `share`
 * the same token in Redis.
 */
export function venueClientOptions(config: Config, venue: Venue, opts: {
  baseUrl: string; store: Pick<Store, 'tokens'>; rateBudget: RateBudget; lock: DistributedLock; clock: Clock; log: Logger;
  share?: TokenShare;
}): KisClientOptions & { tokenStore: TokenStore } {
  return {
    env: venue.kisEnv, baseUrl: opts.baseUrl, ...venue.credentials, timeouts: { ...config.kis.timeouts },
    ...(venue.tls === null ? {} : { tls: venue.tls }),
    rateBudget: opts.rateBudget,
    tokenStore: tokenStoreFor(opts.store.tokens, venue.credentials.appSecret, opts.share, opts.clock, opts.log),
    lock: opts.lock, clock: opts.clock, log: opts.log,
    marketDivCode: config.kis.marketDivCode, tokenRefreshLeadMs: config.kis.tokenRefreshLeadMinutes * 60_000,
    useHashkey: config.kis.useHashkey,
  };
}

/**
 * KIS paper has no rankings (docs/kis-wire.md §6.5–6.6): with "live-readonly", a second client's
 * options, on the live service with its own keys, token and budget, for the rankings and nothing
 * else. Null outside paper mode or without the ranking keys; made whenever the keys are there, so
 * kis.paperRankingSource can change while running.
 */
export function rankingClientOptions(config: Config, secrets: Secrets | null, opts: {
  account: string; store: Pick<Store, 'tokens'>; clock: Clock; log: Logger;
  lock: DistributedLock; rateBudget: (budgetKey: string, ratePerSec: number) => RateBudget; share?: TokenShare;
}): KisClientOptions | null {
  if (config.mode !== 'paper' || !secrets?.ranking) return null;
  const { appKey, appSecret } = secrets.ranking;
  return {
    env: 'live', baseUrl: config.kis.liveBaseUrl, appKey, appSecret, account: opts.account, timeouts: { ...config.kis.timeouts },
    tokenStore: tokenStoreFor(opts.store.tokens, appSecret, opts.share, opts.clock, opts.log),
    clock: opts.clock, log: opts.log, lock: opts.lock,
    rateBudget: opts.rateBudget(`${config.redis.prefix}:budget:${tokenStoreKey('live', appKey)}`, config.kis.rate.liveCallsPerSec),
    marketDivCode: config.kis.marketDivCode,
  };
}

/**
 * The process's window of KIS reads in flight at the venue's rate (domain/read-window.ts). Its
 * latencies are real milliseconds, whatever the daemon's clock (a sim run may go faster).
 */
export function readWindowFor(venue: Pick<Venue, 'ratePerSec'>): ReadWindow {
  return createReadWindow({ ratePerSec: venue.ratePerSec, clock: systemClock });
}

/** daemon.signalConcurrency: a fixed number, or with "auto" the read window's size whenever asked. */
export function signalConcurrencyOf(config: Config, reads: ReadWindow): number | (() => number) {
  const c = config.daemon.signalConcurrency;
  return c === 'auto' ? () => reads.size() : c;
}
