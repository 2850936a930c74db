import type { Redis } from 'ioredis';
import { chmodSync } from 'node:fs';
import { resolve } from 'node:path';
import { AppError, describeError, epochMs, kstDateOf, systemClock } from './domain/index.js';
import type { Clock, KisEnv, Logger } from './domain/index.js';
import { strategySlices } from './config/index.js';
import type { Env, LoadedConfig, LoadOptions } from './config/index.js';
import { createKisClient } from './kis/index.js';
import type { KisClient } from './kis/index.js';
import { taxTableGap } from './market/index.js';
import type { TradingCalendar } from './market/index.js';
import { createDecisionWorker, createOrderWorker, createProducers, createSignalWorker, startWorkerWatchdog } from './queues/index.js';
import type { Producers, WorkerHandle } from './queues/index.js';
import { createRedisLock, createRedisRateBudget } from './redis/index.js';
import { createScheduler } from './schedule.js';
import type { Scheduler } from './schedule.js';
import { openStore } from './store/index.js';
import type { Store, WebSocketBeat } from './store/index.js';
import {
  chooseVenue, connectRedis, createHeartbeat, createJobs, createLiveConfig, createOps, feeRatesOf, freshTradeLogGuard,
  accountLockName, holdAccountLock, lastSimTime, loadCalendar, openSimJournal, pingRedis, planClock, rankingClientOptions,
  rateBudgetOptions, readWindowFor, realtimeUrl, signalConcurrencyOf, startRealtime, websocketBeat,
  requireCalendarCovers, resolveStrategies, startEmbeddedRedis, startInProcessSim, venueClientOptions, warnPositionsWithoutStrategy,
  watchRedis, withCalendarFile,
} from './runtime/index.js';
import type {
  AccountLock, EmbeddedRedis, InForce, Jobs, LiveConfig, RealtimeWiring, RedisWatch, ReloadRecord, WatchTarget,
} from './runtime/index.js';

/**
 * The composition root (docs/architecture.md §2): config → store → Redis → KIS client (or the simulator)
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
  /**
   * How `loaded` was loaded, for reloads while running (runtime/live-config.ts), and the files
   * whose change triggers one. Without it the config stays as started.
   */
  reload?: { options: () => LoadOptions; watch: readonly WatchTarget[] };
  /**
   * The daemon cannot go on and must exit non-zero so pm2 restarts it (an external Redis gone for
   * longer than redis.maxOutageSeconds, a broken invariant at the job boundary). main.ts exits;
   * without it the error is only logged. Called once.
   */
  onFatal?: (err: AppError) => void;
}

export interface App {
  start(): Promise<void>;
  /** graceful: schedule off, in-flight order finished, workers (orders last), Redis, store */
  stop(): Promise<void>;
  haltEntries(reason: string, details?: Record<string, unknown>): void;
  /** re-reads the config (SIGHUP); null when it cannot now (starting, stopping, no `reload` option) */
  reloadConfig(trigger: string): Promise<ReloadRecord> | null;
  readonly clock: Clock;
  readonly store: Store;
  /** the KIS WebSocket session, once started (kis.websocket.enabled) */
  realtime(): RealtimeWiring | null;
}

export function createApp(opts: AppOptions): App {
  const { config, secrets, hash } = opts.loaded;
  const log = opts.log;
  const at = (p: string) => resolve(opts.cwd, p);

  // A data folder made before files were owner-only (0755) is tightened on every start (issue 9 item 12).
  try { chmodSync(at(config.dataDir), 0o700); } catch { /* not there yet: created under umask 077 */ }
  // Only live mode overlays KIS's own holiday list (chk-holiday is live-only, docs/kis-wire.md §6.7; see
  // syncHolidays below). Paper and sim modes trade on this file alone: a holiday KRX designates
  // later (as Constitution Day 2026-07-17) must be added to it by hand.
  const calendarPath = at(config.market.calendarFile);
  let calendar: TradingCalendar = loadCalendar(calendarPath, config.market.sessions);
  const holidaySync = config.mode === 'live' ? 'kis chk-holiday, daily' : 'none';
  log.info({ calendarFile: config.market.calendarFile, mode: config.mode, holidaySync }, config.mode === 'live'
    ? 'trading calendar loaded; KIS holidays (chk-holiday) override it once a day'
    : `trading calendar loaded; ${config.mode} mode does not sync holidays from KIS: the file alone decides`);
  // The store is opened before the clock is known (sim mode resumes from it): it reads time through this.
  let clockTarget: Clock = systemClock;
  const clock: Clock = { now: () => clockTarget.now() };
  const store = openStore({ path: at(config.store.path), synchronous: config.store.synchronous, clock, integrityCheck: true });
  const inProcessSim = config.mode === 'sim' && !opts.env.KIS_TRADER_SIM_URL;
  const simJournal = openSimJournal(opts.cwd, config);
  const simReached = inProcessSim ? lastSimTime(store.kv, simJournal) : 0;
  const plan = withCalendarFile(calendarPath, () => planClock({
    mode: config.mode, startAt: config.sim.startAt, speed: config.sim.speed, env: opts.env, calendar,
    resume: simReached > 0 ? { last: epochMs(simReached), endOfDay: config.schedule.afterCloseAt } : null,
  }));
  clockTarget = plan.clock;
  // A file that does not cover today would fail the first schedule tick: refuse it now (exit 78).
  requireCalendarCovers(calendar, kstDateOf(clock.now()), calendarPath);
  const fees = feeRatesOf(config.market);

  let embedded: EmbeddedRedis | null = null;
  let redis: Redis | null = null;
  let redisWatch: RedisWatch | null = null;
  let sim: { url: string; stop(): Promise<void> } | null = null;
  let kis: KisClient | null = null;
  let rankingClient: KisClient | null = null;
  let accountLock: AccountLock | null = null;
  let producers: Producers | null = null;
  let workers: Record<'signals' | 'decisions' | 'orders', WorkerHandle> | null = null;
  let watchdog: { stop(): void } | null = null;
  let scheduler: Scheduler | null = null;
  let jobs: Jobs | null = null;
  let realtime: RealtimeWiring | null = null;
  let stopping = false;
  // Restart-only keys are read from `config` above and below; the rest through live.current() (config/reload.ts).
  let live: LiveConfig | null = null;
  let claimed = false;
  // Alerts, Telegram commands, /metrics and /healthz (docs/operations.md); a channel enabled without
  // its secret in the environment is a config error here (exit 78).
  const ops = createOps({ config, env: opts.env, log, label: `kis-trader ${config.mode}` });
  const notifier = ops.notifier;
  let fatal: AppError | null = null;
  const onFatal = (err: AppError): void => {
    if (fatal) return;
    fatal = err;
    if (opts.onFatal) opts.onFatal(err);
    else log.fatal({ err: describeError(err), code: err.code }, err.message);
  };
  const websocket = (): WebSocketBeat | null => websocketBeat(config.kis.websocket.enabled, realtime);
  const heartbeat = createHeartbeat({ store, mode: config.mode, clock, log, onFatal, websocket });

  async function start(): Promise<void> {
    const startedAt = clock.now();
    if (config.daemon.role !== 'all') throw new AppError('CONFIG_INVALID', 'daemon.role "workers" runs as a workers process (runtime/workers-process.ts), not as the daemon');
    // A tax table that starts after today has no rate for today's sales (config check has no
    // clock to see it): refuse to start, exit 78, rather than record every sell's tax as unknown.
    const taxGap = taxTableGap(fees.taxTable, kstDateOf(clock.now()));
    if (taxGap !== null) throw new AppError('CONFIG_INVALID', `market.taxTable: ${taxGap}`);
    // Every strategy found and its params valid (exit 78 otherwise), before anything is touched.
    const resolve = (l: LoadedConfig) => resolveStrategies(strategySlices(l.config), opts.cwd);
    const strategies = await resolve(opts.loaded);
    const warnOrphans = (inForce: InForce['strategies']): void => warnPositionsWithoutStrategy(store, inForce, log);
    warnOrphans(strategies);
    live = createLiveConfig({
      loaded: { ...opts.loaded, strategies }, resolve, options: () => opts.reload!.options(), kv: store.kv, clock, log,
      onApplied: (inForce) => warnOrphans(inForce.strategies),
    });
    // Before Redis, the simulator or anything a running daemon owns is touched.
    const other = heartbeat.claim();
    if (other) {
      throw new AppError('APP_ALREADY_RUNNING',
        `another kis-trader (pid ${other.pid} on ${other.host}, mode ${other.mode}) runs on the trade log ${store.path}: stop it first; two daemons would trade one account twice`);
    }
    claimed = true;
    live.publish();
    const url = opts.env.REDIS_URL ?? config.redis.url ?? null;
    if (url === null) {
      if (!config.redis.embedded.enabled) throw new AppError('REDIS_UNAVAILABLE', 'no Redis: set REDIS_URL or redis.url, or enable redis.embedded');
      embedded = await startEmbeddedRedis({
        binary: config.redis.embedded.binary, dataDir: at(config.dataDir), log,
        ping: pingRedis,
      });
    }
    redis = await connectRedis(url ?? embedded!.url);
    const privateRedis: EmbeddedRedis | null = embedded;
    redisWatch = watchRedis(redis, log, {
      notifier,
      maxOutageMs: config.redis.maxOutageSeconds * 1000,
      positions: () => store.positions.list().map((p) => `${p.symbol}×${p.qty}`),
      onLongOutage: async (downMs) => {
        if (privateRedis?.owned) {
          await privateRedis.restart();
          return;
        }
        onFatal(new AppError('REDIS_UNAVAILABLE',
          `Redis ${privateRedis ? 'of another daemon' : 'at REDIS_URL'} unreachable for ${Math.round(downMs / 1000)} s: exiting so the process manager restarts the daemon`));
      },
    });

    const venue = chooseVenue(config, secrets);
    const env: KisEnv = venue.kisEnv;
    const creds = venue.credentials;

    const prefix = config.redis.prefix;
    // Before anything that a running daemon owns is touched (its simulator endpoint, its journal):
    // a second start is refused here and leaves everything as it was.
    accountLock = await holdAccountLock({
      redis, name: accountLockName(prefix, creds.account), log, notifier, stopping: () => stopping,
      onHeldElsewhere: (error) => jobs?.haltEntries('another daemon holds this account', { error }),
    });
    // not before: a start refused by either check above is no start to announce (nor a stop after it)
    notifier.notify({
      kind: 'start', message: 'kis-trader starting', details: { mode: config.mode, configHash: hash, pid: process.pid },
    });

    let baseUrl: string;
    if (config.mode === 'sim') {
      if (!inProcessSim) {
        baseUrl = opts.env.KIS_TRADER_SIM_URL ?? '';
      } else {
        const started = await startInProcessSim({
          cwd: opts.cwd, config, kv: store.kv, anchor: plan.anchor, options: {
            env, seed: config.sim.seed, clock, calendar, fees, symbols: config.sim.symbols, faults: [...config.sim.faults],
            log: log.child({ mod: 'sim' }), journal: simJournal, variant: config.sim.variant,
          },
        });
        sim = started;
        baseUrl = started.url;
      }
      log.info({ env, baseUrl, clockAnchor: plan.anchor, speed: config.sim.speed }, 'sim mode: trading the built-in KIS simulator');
    } else {
      baseUrl = venue.baseUrl ?? '';
      log.info({ env, baseUrl, rankings: env === 'paper' ? config.kis.paperRankingSource : 'kis' }, `${config.mode} mode`);
    }

    // The token goes to Redis too, so `workers` processes and a daemon on another machine sharing the
    // Redis use it instead of issuing their own (runtime/token-mirror.ts).
    kis = createKisClient({
      ...venueClientOptions(config, venue, {
        baseUrl, store, clock, log, share: { redis, prefix },
        lock: createRedisLock(redis, { prefix: config.redis.prefix }),
        rateBudget: ops.rateBudget(createRedisRateBudget(redis, rateBudgetOptions(config, venue.budgetKey, venue.ratePerSec))),
      }),
      telemetry: ops.telemetry,
    });

    const rankingOptions = rankingClientOptions(config, secrets, {
      account: creds.account, store, clock, log, lock: createRedisLock(redis, { prefix }), share: { redis, prefix },
      rateBudget: (key, ratePerSec) => createRedisRateBudget(redis!, rateBudgetOptions(config, key, ratePerSec)),
    });
    if (rankingOptions) rankingClient = createKisClient(rankingOptions);

    // KIS's own holiday list (chk-holiday, live only, once a day: docs/kis-wire.md §6.7) overrides the file.
    const client = kis;
    const syncHolidays = async (): Promise<void> => {
      if (env !== 'live' || config.mode !== 'live') return;
      try {
        calendar = calendar.withHolidays(await client.market.holidays(kstDateOf(clock.now()), { lane: 'reconcile' }));
      } catch (err) {
        log.warn({ err: describeError(err) }, 'holiday sync failed: using config/krx-calendar.json');
      }
    };

    // A failed order job whose intent never reached the trade log gives its key back (queues/producers.ts).
    producers = createProducers(redis, prefix, log, { orderIntentWritten: (key) => store.orders.byIntentKey(key) !== null });
    // Only the instance that holds the account (the lock above) writes the heartbeat `status` reads.
    heartbeat.start(() => producers);
    // One window of reads in flight for the process: the scan's reads go through it, and an "auto"
    // signal concurrency follows its size (issue 13, scans at the rate bound).
    const reads = readWindowFor(venue);
    jobs = createJobs({
      current: () => live!.current(), root: opts.cwd, store, kis, producers, clock, calendar: () => calendar, fees, log,
      ownsAccount: () => accountLock?.owns() ?? false, hooks: opts.hooks ?? {}, onPreOpen: syncHolidays,
      rankings: (rankingClient ?? kis).market, onFatal, notifier, reads,
    });

    // Know what we own before deciding anything (docs/architecture.md §2 rule 1).
    await kis.tokens.get('reconcile');
    await syncHolidays();
    const freshLog = freshTradeLogGuard(store, clock, log);
    const first = await jobs.reconcile('startup');
    freshLog.after(first.account, kstDateOf(clock.now()), (reason, details) => jobs!.haltEntries(reason, details));

    // The owner evaluates signal jobs too, records what `workers` processes decided, and alone sends orders.
    const owned = workers = {
      signals: createSignalWorker(redis, prefix, signalConcurrencyOf(config, reads), (j, id) => jobs!.processSignal(j, id), log,
        { name: `owner-${process.pid}` }),
      decisions: createDecisionWorker(redis, prefix, (j, id) => jobs!.processDecision(j, id), log),
      orders: createOrderWorker(redis, prefix, (j, id) => jobs!.processOrder(j, id), log),
    };
    for (const w of Object.values(owned)) w.run();
    watchdog = startWorkerWatchdog({
      workers: (Object.keys(owned) as (keyof typeof owned)[])
        .map((name) => ({ name, handle: owned[name], waiting: async () => (await producers!.counts())[name].waiting ?? 0 })),
      redisReady: () => redis?.status === 'ready', log, stallMs: config.daemon.workerStallSeconds * 1000,
    });

    // The one WebSocket session of the app key belongs here, with the order worker and the account lock.
    if (config.kis.websocket.enabled) {
      const htsId = secrets?.htsId ?? (config.mode === 'sim' ? 'sim' : null);
      realtime = startRealtime({
        config, env, url: realtimeUrl(config, env, baseUrl), htsId, kis, store, jobs, log, notifier,
        ownsAccount: () => accountLock?.owns() ?? false,
        // a change shows in `kis-trader status` at once, not with the next 15-s heartbeat
        onState: (state) => { ops.metrics?.setWebSocketState(state); heartbeat.beat(); },
      });
    }

    scheduler = createScheduler({
      config: config.schedule,
      calendar: () => calendar, clock, log, run: (job, t, signal) => jobs!.runScheduled(job, t, signal),
    });
    scheduler.start();
    if (opts.reload) live.watch(opts.reload.watch);
    // The current slot's scan now, not at the next boundary: a daemon started mid-session trades at once.
    // Outside the scan window (a closed day, before the open, after the close) runNow scans nothing and
    // says why in one line (issue 13); in the closing auction the exit checks the scan would have
    // enqueued run instead, as the schedule runs them there every minute.
    void scheduler.runNow('scan');
    if (scheduler.whyNotNow('scan') !== null && scheduler.whyNotNow('exits') === null) void scheduler.runNow('exits');
    heartbeat.beat();
    const ownedRedis = redis;
    await ops.start({
      store, clock, startedAt, calendar: () => calendar, token: () => client.tokens.current(), websocket,
      redisReady: () => ownedRedis.status === 'ready' && (redisWatch?.up() ?? true),
      queues: async () => {
        const p = producers;
        if (!p || ownedRedis.status !== 'ready') return null;
        let t: ReturnType<typeof setTimeout> | undefined;
        return Promise.race([p.counts(), new Promise<null>((r) => { t = setTimeout(() => r(null), 1000); })]).finally(() => clearTimeout(t));
      },
      haltEntries: (reason, details) => jobs!.haltEntries(reason, details),
    });
    notifier.notify({ kind: 'ready', message: 'kis-trader ready', details: { mode: config.mode, configHash: hash } });
  }

  async function stop(): Promise<void> {
    stopping = true;
    live?.close();
    if (scheduler) notifier.notify({ kind: 'stop', message: 'kis-trader stopping', details: { mode: config.mode } });
    watchdog?.stop();
    const close = (w: WorkerHandle) => w.close().catch((err: unknown) => log.warn({ err: describeError(err) }, 'worker close failed'));
    // Nothing new starts, side by side: the scheduler's runs give up or finish (a scan gives up), the
    // signal and decision workers take no more jobs (a backlog of them kept a stop busy for 15 s).
    await Promise.all([scheduler?.stop(), ...(workers ? [close(workers.signals), close(workers.decisions)] : [])]);
    await realtime?.stop();
    // Orders last: the submit or reconcile in progress, then the order in flight, finish.
    await jobs?.close();
    if (workers) await close(workers.orders);
    await producers?.close();
    await accountLock?.release().catch(() => undefined);
    await kis?.close().catch(() => undefined);
    await rankingClient?.close().catch(() => undefined);
    // saves how far sim time got (a restart resumes there), stops it, removes its endpoint file
    await sim?.stop().catch(() => undefined);
    redisWatch?.close();
    if (redis) await redis.quit().catch(() => redis?.disconnect());
    await embedded?.stop();
    heartbeat.stop();
    // last but the store: the `stop` notice leaves, /healthz and the Telegram commands go away
    await ops.stop().catch((err: unknown) => log.warn({ err: describeError(err) }, 'alerts and metrics did not stop cleanly'));
    store.close();
  }

  return {
    start, stop,
    haltEntries: (reason, details) => jobs?.haltEntries(reason, details),
    reloadConfig(trigger) {
      if (opts.reload && live && claimed && !stopping) return live.reload(trigger);
      log.warn({ trigger }, opts.reload ? 'config not reloaded: the daemon is starting or stopping' : 'config not reloaded: started without reload options');
      return null;
    },
    clock, store,
    realtime: () => realtime,
  };
}
