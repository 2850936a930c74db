import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadConfig } from '../config/index.js';
import type { Env, LoadedConfig } from '../config/index.js';
import { AppError, epochMs, isAppError, kstDateOf, silentLogger, systemClock } from '../domain/index.js';
import type { Broker, Clock, DistributedLock, KisEnv, Lane, MarketData, RateBudget, TokenStore } from '../domain/index.js';
import { createKisClient } from '../kis/index.js';
import type { KisTlsOptions, TokenManager } from '../kis/index.js';
import { createRedisLock, createRedisRateBudget } from '../redis/index.js';
import { createSimulator, SIM_DEFAULT_CREDENTIALS } from '../sim/index.js';
import type { Simulator } from '../sim/index.js';
import { openStore, openStoreReadOnly } from '../store/index.js';
import type { Store } from '../store/index.js';
import {
  anchoredClock, chooseVenue, feeRatesOf, lastSimTime, loadCalendar, openSimJournal, parseClockAnchor, planClock,
  probeRedis, rateBudgetOptions, readLiveSimEndpoint, requireCalendarCovers, venueClientOptions, withCalendarFile,
} from '../runtime/index.js';

/**
 * The CLI's composition root (like app.ts for the daemon; exempt from the folder rule):
 * it builds the store and a KIS client for the mode the config selects.
 */
export interface KisSession {
  market: MarketData;
  broker: Broker;
  mode: 'sim' | 'paper' | 'live';
  /** where the client talks to: KIS, or the simulator in sim mode (for `doctor`) */
  baseUrl: string;
  kisEnv: KisEnv;
  /** the token the client uses, kept in the trade log's kis_tokens like the daemon's */
  tokens: TokenManager;
  tokenStore: TokenStore;
  /** the paper host's certificate options the client uses, if any */
  tls: KisTlsOptions | null;
  /** "today" for the session: the simulated one in sim mode */
  clock: Clock;
  close(): Promise<void>;
}

/**
 * Without a reachable Redis (the daemon's private one is not advertised), the CLI paces its own
 * calls in-process. It then shares no budget with a running daemon: a few operator calls fit
 * in the headroom the defaults leave under KIS's limits (docs/kis-wire.md §4).
 */
function localBudget(ratePerSec: number, clock: Clock = systemClock): RateBudget {
  let next = 0;
  return {
    async acquire(_lane: Lane) {
      const now = clock.now();
      const at = Math.max(now, next);
      next = at + 1000 / ratePerSec;
      const wait = at - now;
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      return wait;
    },
    penalize: () => Promise.resolve(),
    currentRate: () => Promise.resolve(ratePerSec),
  };
}

const localLock: DistributedLock = { withLock: (_name, _ttl, _wait, fn) => fn() };

/** `dir` is the config directory (runtime/home.ts resolves it); relative paths in the config resolve against `cwd`. */
export function loadCliConfig(env: Env, cwd: string, dir?: string, mode?: string): LoadedConfig {
  return loadConfig({ dir: resolve(cwd, dir ?? 'config'), env, argvMode: mode, purpose: 'read' });
}

/**
 * The trade log of this config; a command that only reads never creates one. `readOnly`: the
 * review commands' connection, which never writes nor migrates (safe while the daemon runs).
 */
export function openCliStore(loaded: LoadedConfig, cwd: string, clock: Clock = systemClock, opts: { mustExist?: boolean; readOnly?: boolean } = {}): Store {
  const path = resolve(cwd, loaded.config.store.path);
  if ((opts.mustExist || opts.readOnly) && !existsSync(path)) {
    throw new AppError('CLI_NO_TRADE_LOG',
      `no trade log at ${path} (mode ${loaded.config.mode}): the daemon has not run with this config yet, or this is not the installation you meant (--config-dir, KIS_TRADER_HOME); a running daemon keeps the mode and store.path it started with until it restarts`);
  }
  return opts.readOnly ? openStoreReadOnly({ path, clock }) : openStore({ path, synchronous: loaded.config.store.synchronous, clock });
}

/** What every trade-log listing says it shows: the mode and the file. */
export function tradeLogSource(loaded: LoadedConfig, cwd: string): string {
  return `${loaded.config.mode} · ${resolve(cwd, loaded.config.store.path)}`;
}

export async function connectKis(loaded: LoadedConfig, env: Env, cwd: string): Promise<KisSession> {
  const { config, secrets } = loaded;
  const calendar = loadCalendar(resolve(cwd, config.market.calendarFile), config.market.sessions);
  // The store is opened first (sim mode resumes the clock from it) and reads time through this.
  let clockTarget: Clock = systemClock;
  const clock: Clock = { now: () => clockTarget.now() };
  const store = openCliStore(loaded, cwd, clock);
  let sim: Simulator | null = null;
  const venue = chooseVenue(config, secrets);
  const { kisEnv } = venue;
  let baseUrl: string;
  if (config.mode === 'sim') {
    const running = env.KIS_TRADER_SIM_URL ? null : readLiveSimEndpoint(cwd, config);
    if (env.KIS_TRADER_SIM_URL) {
      baseUrl = env.KIS_TRADER_SIM_URL;
      clockTarget = planClock({ mode: config.mode, startAt: config.sim.startAt, speed: config.sim.speed, env, calendar }).clock;
    } else if (running) {
      // A daemon is trading its simulator: use that one, on the daemon's clock.
      baseUrl = running.url;
      clockTarget = running.anchor ? anchoredClock(parseClockAnchor(running.anchor)) : systemClock;
    } else {
      // No daemon: the simulator rebuilt from the same journal, at the time the daemon reached.
      const journal = openSimJournal(cwd, config);
      const reached = lastSimTime(store.kv, journal);
      clockTarget = planClock({
        mode: config.mode, startAt: config.sim.startAt, speed: config.sim.speed, env, calendar,
        resume: reached > 0 ? { last: epochMs(reached), endOfDay: config.schedule.afterCloseAt } : null,
      }).clock;
      sim = createSimulator({
        env: kisEnv, seed: config.sim.seed, clock, calendar, fees: feeRatesOf(config.market), symbols: config.sim.symbols, journal,
        variant: config.sim.variant, credentials: [{ ...SIM_DEFAULT_CREDENTIALS, initialCash: config.sim.initialCash as typeof SIM_DEFAULT_CREDENTIALS.initialCash }],
      });
      baseUrl = (await sim.start(0)).url;
    }
  } else {
    baseUrl = venue.baseUrl ?? '';
  }
  const url = env.REDIS_URL ?? config.redis.url;
  const redis = url ? await probeRedis(url) : null;
  // The same client as the daemon's (runtime/venue.ts); only the budget and lock fall back to local ones.
  const options = venueClientOptions(config, venue, {
    baseUrl, store, clock, log: silentLogger,
    rateBudget: redis
      ? createRedisRateBudget(redis, rateBudgetOptions(config, venue.budgetKey, venue.ratePerSec))
      : localBudget(venue.ratePerSec),
    lock: redis ? createRedisLock(redis, { prefix: config.redis.prefix }) : localLock,
    // the daemon's token through its Redis when there is one (runtime/token-mirror.ts)
    ...(redis ? { share: { redis, prefix: config.redis.prefix } } : {}),
  });
  const { tokenStore } = options;
  const tls = venue.tls;
  const client = createKisClient(options);
  return {
    market: client.market,
    broker: client.broker,
    mode: config.mode,
    clock,
    baseUrl, kisEnv, tokens: client.tokens, tokenStore, tls,
    async close() {
      await client.close();
      await sim?.stop();
      redis?.disconnect();
      store.close();
    },
  };
}

/** The clock the daemon of this config uses: in sim mode the trading day the simulator trades. */
export function cliClock(loaded: LoadedConfig, env: Env, cwd: string): Clock {
  const { config } = loaded;
  const calendar = loadCalendar(resolve(cwd, config.market.calendarFile), config.market.sessions);
  return planClock({ mode: config.mode, startAt: config.sim.startAt, speed: config.sim.speed, env, calendar }).clock;
}

/**
 * What `config check` verifies beyond the schema, so it refuses what the daemon would refuse at
 * start: the calendar file (readable, valid, covering the day the daemon would trade — the
 * simulated day in sim mode). Returns the problems, each naming the file.
 */
export function configFileProblems(loaded: LoadedConfig, env: Env, cwd: string): string[] {
  const { config } = loaded;
  const path = resolve(cwd, config.market.calendarFile);
  try {
    const calendar = loadCalendar(path, config.market.sessions);
    const clock = withCalendarFile(path, () => planClock({ mode: config.mode, startAt: config.sim.startAt, speed: config.sim.speed, env, calendar }).clock);
    requireCalendarCovers(calendar, kstDateOf(clock.now()), path);
    return [];
  } catch (err) {
    if (isAppError(err, 'CONFIG_INVALID')) return [err.message];
    throw err;
  }
}
