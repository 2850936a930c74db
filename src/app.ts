import { Redis } from 'ioredis';
import { chmodSync } from 'node:fs';
import { resolve } from 'node:path';
import { AppError, describeError, epochMs, isAppError, kstDateOf, systemClock } from './domain/index.js';
import type { Clock, KisEnv, Logger } from './domain/index.js';
import type { Env, LoadedConfig } from './config/index.js';
import { createKisClient, tokenStoreKey } from './kis/index.js';
import type { KisClient } from './kis/index.js';
import type { TradingCalendar } from './market/index.js';
import { createOrderWorker, createProducers, createSignalWorker } from './queues/index.js';
import type { Producers, WorkerHandle } from './queues/index.js';
import { acquireInstanceLock, createRedisLock, createRedisRateBudget } from './redis/index.js';
import type { InstanceLock } from './redis/index.js';
import { createScheduler } from './schedule.js';
import type { Scheduler } from './schedule.js';
import { createSimulator, SIM_DEFAULT_CREDENTIALS } from './sim/index.js';
import type { Simulator } from './sim/index.js';
import { openStore, sealTokenStore } from './store/index.js';
import type { Store } from './store/index.js';
import { planClock } from './app-clock.js';
import { createJobs } from './app-jobs.js';
import { feeRatesOf, loadCalendar } from './app-market.js';
import { lastSimTime, openSimJournal, removeSimEndpoint, SIM_CLOCK_KEY, writeSimEndpoint } from './app-sim.js';
import type { Jobs } from './app-jobs.js';
import { pingRedis, startEmbeddedRedis } from './embedded-redis.js';
import type { EmbeddedRedis } from './embedded-redis.js';
import { freshTradeLogGuard } from './app-trade-log.js';
import { createHeartbeat } from './app-heartbeat.js';

/**
 * The composition root (DESIGN.md §2): config → store → Redis → KIS client (or the simulator)
 * → reconcile with the broker → workers and schedule. Nothing is scheduled before the first
 * reconciliation: the daemon must know what it owns before it decides anything.
 */
export interface AppOptions {
  loaded: LoadedConfig;
  env: Env;
  /** relative paths in the config (store, calendar, data dir) resolve against this */
  cwd: string;
  log: Logger;
  hooks?: { afterSubmitting?: () => void };
}

export interface App {
  start(): Promise<void>;
  /** graceful: schedule off, in-flight order finished, workers (orders last), Redis, store */
  stop(): Promise<void>;
  haltEntries(reason: string, details?: Record<string, unknown>): void;
  readonly clock: Clock;
  readonly store: Store;
}

/** One warning per outage, not one per reconnect attempt; and a line when it comes back. */
function watchRedis(redis: Redis, log: Logger): void {
  let down = false;
  redis.on('error', (err: Error) => {
    if (down) return;
    down = true;
    log.warn({ err: err.message }, 'redis connection lost: jobs pause until it returns');
  });
  redis.on('ready', () => {
    if (!down) return;
    down = false;
    log.info({}, 'redis connection back: jobs resume');
  });
}

export async function connectRedis(url: string, log: Logger): Promise<Redis> {
  // Workers need maxRetriesPerRequest: null (STACK.md §1.8); BullMQ duplicates this connection for them.
  const redis = new Redis(url, { maxRetriesPerRequest: null, lazyConnect: true, connectTimeout: 3000 });
  watchRedis(redis, log);
  try {
    await Promise.race([
      redis.connect().then(() => redis.ping()),
      new Promise((_, reject) => setTimeout(() => reject(new Error('no answer within 5 s')), 5000)),
    ]);
  } catch (err) {
    redis.disconnect();
    throw new AppError('REDIS_UNAVAILABLE', `Redis at ${url.replace(/\/\/[^@]*@/, '//')} does not answer (${describeError(err)}): start it, or unset REDIS_URL to let the daemon run its own`, { cause: err });
  }
  return redis;
}

export function createApp(opts: AppOptions): App {
  const { config, secrets, hash } = opts.loaded;
  const log = opts.log;
  const at = (p: string) => resolve(opts.cwd, p);

  // A data folder made before files were owner-only (0755) is tightened on every start (issue 9 item 12).
  try { chmodSync(at(config.dataDir), 0o700); } catch { /* not there yet: created under umask 077 */ }
  let calendar: TradingCalendar = loadCalendar(at(config.market.calendarFile), config.market.sessions);
  // The store is opened before the clock is known (sim mode resumes from it): it reads time through this.
  let clockTarget: Clock = systemClock;
  const clock: Clock = { now: () => clockTarget.now() };
  const store = openStore({ path: at(config.store.path), synchronous: config.store.synchronous, clock, integrityCheck: true });
  const inProcessSim = config.mode === 'sim' && !opts.env.KIS_TRADER_SIM_URL;
  const simJournal = openSimJournal(opts.cwd, config);
  const simReached = inProcessSim ? lastSimTime(store.kv, simJournal) : 0;
  const plan = planClock({
    mode: config.mode, startAt: config.sim.startAt, speed: config.sim.speed, env: opts.env, calendar,
    resume: simReached > 0 ? { last: epochMs(simReached), endOfDay: config.schedule.afterCloseAt } : null,
  });
  clockTarget = plan.clock;
  const anchor = plan.anchor;
  const fees = feeRatesOf(config.market);
  let simClockTimer: ReturnType<typeof setInterval> | null = null;

  let embedded: EmbeddedRedis | null = null;
  let redis: Redis | null = null;
  let sim: Simulator | null = null;
  let kis: KisClient | null = null;
  let rankingClient: KisClient | null = null;
  let instance: InstanceLock | null = null;
  let ownsAccount = false;
  let producers: Producers | null = null;
  let workers: WorkerHandle[] = [];
  let scheduler: Scheduler | null = null;
  let jobs: Jobs | null = null;
  let stopping = false;
  const heartbeat = createHeartbeat({ store, mode: config.mode, clock, log });

  async function start(): Promise<void> {
    const url = opts.env.REDIS_URL ?? config.redis.url ?? null;
    if (url === null) {
      if (!config.redis.embedded.enabled) throw new AppError('REDIS_UNAVAILABLE', 'no Redis: set REDIS_URL or redis.url, or enable redis.embedded');
      embedded = await startEmbeddedRedis({
        binary: config.redis.embedded.binary, dataDir: at(config.dataDir), log,
        ping: pingRedis,
      });
    }
    redis = await connectRedis(url ?? embedded!.url, log);

    let env: KisEnv;
    let creds: { appKey: string; appSecret: string; account: string };
    let baseUrl: string;
    if (config.mode === 'sim') {
      env = config.sim.env;
      creds = SIM_DEFAULT_CREDENTIALS;
      if (!inProcessSim) {
        baseUrl = opts.env.KIS_TRADER_SIM_URL ?? '';
      } else {
        sim = createSimulator({
          env, seed: config.sim.seed, clock, calendar, fees, symbols: config.sim.symbols, faults: [...config.sim.faults],
          credentials: [{ ...SIM_DEFAULT_CREDENTIALS, initialCash: config.sim.initialCash as typeof SIM_DEFAULT_CREDENTIALS.initialCash }],
          log: log.child({ mod: 'sim' }), journal: simJournal, variant: config.sim.variant,
        });
        baseUrl = (await sim.start(config.sim.port)).url;
        writeSimEndpoint(opts.cwd, config, { url: baseUrl, pid: process.pid, anchor });
        // Remember how far sim time got, so a restart resumes there (app-clock.ts).
        simClockTimer = setInterval(() => store.kv.set(SIM_CLOCK_KEY, clock.now(), clock.now()), 5000);
        simClockTimer.unref();
      }
      log.info({ env, baseUrl, clockAnchor: anchor, speed: config.sim.speed }, 'sim mode: trading the built-in KIS simulator');
    } else {
      if (!secrets) throw new AppError('CONFIG_SECRET_MISSING', `${config.mode} mode needs KIS_APP_KEY, KIS_APP_SECRET and KIS_ACCOUNT`);
      env = config.mode;
      creds = { appKey: secrets.appKey, appSecret: secrets.appSecret, account: `${secrets.account.number}-${secrets.account.product}` };
      baseUrl = config.kis.baseUrl ?? (env === 'live' ? config.kis.liveBaseUrl : config.kis.paperBaseUrl);
      log.info({ env, baseUrl, rankings: env === 'paper' ? config.kis.paperRankingSource : 'kis' }, `${config.mode} mode`);
    }

    const prefix = config.redis.prefix;
    const lockName = `${prefix}:${creds.account}`;
    const holdInstance = async (): Promise<void> => {
      const lock = await acquireInstanceLock(redis!, lockName, 30_000);
      instance = lock;
      ownsAccount = true;
      void lock.lost.then(() => {
        if (stopping) return;
        ownsAccount = false;
        log.error({}, 'lost the single-instance lock (Redis outage?): no orders until it is held again');
        void reacquire();
      });
    };
    // One attempt at a time: commands queue while Redis is away, and a pile of them would race each other.
    const reacquire = async (): Promise<void> => {
      while (!stopping) {
        try {
          await holdInstance();
          log.info({}, 'single-instance lock held again: orders resume');
          return;
        } catch (err) {
          if (isAppError(err, 'REDIS_LOCK_HELD')) {
            jobs?.haltEntries('another daemon holds this account', { error: describeError(err) });
            return;
          }
        }
        await new Promise((r) => setTimeout(r, 5000).unref());
      }
    };
    await holdInstance();

    const tokenKey = tokenStoreKey(env, creds.appKey);
    const rateBudget = createRedisRateBudget(redis, {
      key: `${config.redis.prefix}:budget:${tokenKey}`,
      ratePerSec: env === 'live' ? config.kis.rate.liveCallsPerSec : config.kis.rate.paperCallsPerSec,
    });
    kis = createKisClient({
      env, baseUrl, ...creds, timeouts: { ...config.kis.timeouts }, rateBudget, tokenStore: sealTokenStore(store.tokens, creds.appSecret),
      lock: createRedisLock(redis, { prefix: config.redis.prefix }), clock, log,
      marketDivCode: config.kis.marketDivCode, tokenRefreshLeadMs: config.kis.tokenRefreshLeadMinutes * 60_000,
      ...(env === 'paper' && config.kis.paperTls.mode !== 'verify' ? { tls: {
        mode: config.kis.paperTls.mode,
        ...(config.kis.paperTls.serverName ? { serverName: config.kis.paperTls.serverName } : {}),
        ...(config.kis.paperTls.fingerprint256 ? { fingerprint256: config.kis.paperTls.fingerprint256 } : {}),
      } } : {}),
    });

    // KIS paper has no rankings (REFERENCE §6.5–6.6): with "live-readonly", a second client on the
    // live service, with its own keys, token and budget, is used for the rankings and nothing else.
    if (config.mode === 'paper' && config.kis.paperRankingSource === 'live-readonly' && secrets?.ranking) {
      const liveKey = tokenStoreKey('live', secrets.ranking.appKey);
      rankingClient = createKisClient({
        env: 'live', baseUrl: config.kis.liveBaseUrl, appKey: secrets.ranking.appKey, appSecret: secrets.ranking.appSecret,
        account: creds.account, timeouts: { ...config.kis.timeouts }, tokenStore: sealTokenStore(store.tokens, secrets.ranking.appSecret), clock, log,
        rateBudget: createRedisRateBudget(redis, { key: `${config.redis.prefix}:budget:${liveKey}`, ratePerSec: config.kis.rate.liveCallsPerSec }),
        lock: createRedisLock(redis, { prefix: config.redis.prefix }), marketDivCode: config.kis.marketDivCode,
      });
    }

    // KIS's own holiday list (chk-holiday, live only, once a day: REFERENCE §6.7) overrides the file.
    const client = kis;
    const syncHolidays = async (): Promise<void> => {
      if (env !== 'live' || config.mode !== 'live') return;
      try {
        calendar = calendar.withHolidays(await client.market.holidays(kstDateOf(clock.now()), { lane: 'reconcile' }));
      } catch (err) {
        log.warn({ err: describeError(err) }, 'holiday sync failed: using config/krx-calendar.json');
      }
    };

    producers = createProducers(redis, prefix, log);
    // Only the instance that holds the account (the lock above) writes the heartbeat `status` reads.
    heartbeat.start(() => producers);
    jobs = createJobs({
      config, configHash: hash, store, kis, producers, clock, calendar: () => calendar, fees, log,
      ownsAccount: () => ownsAccount, hooks: opts.hooks ?? {}, onPreOpen: syncHolidays,
      rankings: (rankingClient ?? kis).market,
    });

    // Know what we own before deciding anything (DESIGN.md §2 rule 1).
    await kis.tokens.get('reconcile');
    await syncHolidays();
    const freshLog = freshTradeLogGuard(store, clock, log);
    const first = await jobs.reconcile('startup');
    freshLog.after(first.account, kstDateOf(clock.now()), (reason, details) => jobs!.haltEntries(reason, details));

    workers = [createSignalWorker(redis, prefix, config.daemon.signalConcurrency, (j, id) => jobs!.processSignal(j, id), log)];
    if (config.daemon.role === 'all') workers.push(createOrderWorker(redis, prefix, (j, id) => jobs!.processOrder(j, id), log));
    for (const w of workers) w.run();

    scheduler = createScheduler({ config: config.schedule, calendar: () => calendar, clock, log, run: (job, t) => jobs!.runScheduled(job, t) });
    scheduler.start();
    // The current slot's scan now, not at the next boundary: a daemon started mid-session trades at once.
    void jobs.runScheduled('scan', clock.now()).catch((err: unknown) => log.error({ err: describeError(err) }, 'first scan failed'));
    heartbeat.beat();
    log.info({ mode: config.mode, configHash: hash }, 'kis-trader ready');
  }

  async function stop(): Promise<void> {
    stopping = true;
    // The runs in progress (a reconcile, a scan) finish before their connections close.
    await scheduler?.stop();
    await jobs?.close();
    if (simClockTimer) {
      clearInterval(simClockTimer);
      store.kv.set(SIM_CLOCK_KEY, clock.now(), clock.now());
    }
    // Signals first, orders last: an order in flight finishes before its worker returns.
    for (const w of workers) await w.close().catch((err: unknown) => log.warn({ err: describeError(err) }, 'worker close failed'));
    await producers?.close();
    await instance?.release().catch(() => undefined);
    await kis?.close().catch(() => undefined);
    await rankingClient?.close().catch(() => undefined);
    if (sim) {
      await sim.stop().catch(() => undefined);
      removeSimEndpoint(opts.cwd, config);
    }
    if (redis) await redis.quit().catch(() => redis?.disconnect());
    await embedded?.stop();
    heartbeat.stop();
    store.close();
  }

  return {
    start, stop,
    haltEntries: (reason, details) => jobs?.haltEntries(reason, details),
    clock, store,
  };
}
