import type { Redis } from 'ioredis';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { AppError, describeError, kstDateOf, measuredMarket } from '../domain/index.js';
import type { Logger } from '../domain/index.js';
import { jobSettings, strategySlices } from '../config/index.js';
import type { Env, LoadedConfig } from '../config/index.js';
import { memoryBars, runBookSignalJob } from '../jobs/index.js';
import type { SignalBook } from '../jobs/index.js';
import { createKisClient } from '../kis/index.js';
import type { KisClient } from '../kis/index.js';
import { createProducers, createSignalWorker, startWorkerWatchdog } from '../queues/index.js';
import type { DecisionJob, Producers, SignalJob, WorkerHandle } from '../queues/index.js';
import { createRedisLock, createRedisRateBudget } from '../redis/index.js';
import { planClock } from './clock.js';
import { loadCalendar, requireCalendarCovers } from './market.js';
import { evaluationHash } from './evaluation-hash.js';
import { connectRedis, watchRedis } from './redis-connection.js';
import { resolveStrategies } from './strategies.js';
import { memoryTokenStore } from './token-mirror.js';
import { chooseVenue, rateBudgetOptions, readWindowFor, signalConcurrencyOf, venueClientOptions } from './venue.js';

/**
 * `daemon.role: "workers"` (docs/architecture.md §2, README "Scale out"): a process, on another
 * machine or not, that takes signal jobs from the owner's Redis and evaluates them through the
 * same code as the owner (jobs/signal.ts runBookSignalJob) over the book each job carries, with
 * its own market data calls (under the shared rate budget). It sends each decision and intent to
 * the owner on the `decisions` queue; the owner records it in SQLite and hands the intent to its
 * order worker. No instance lock, no heartbeat, no trade log, no schedule, no orders, no reconcile.
 */
export interface WorkersProcessOptions {
  loaded: LoadedConfig;
  env: Env;
  /** relative paths in the config (calendar, strategy modules) resolve against this */
  cwd: string;
  log: Logger;
  /**
   * The process cannot go on and must exit non-zero so pm2 restarts it: the owner's Redis gone for
   * longer than redis.maxOutageSeconds. main.ts exits; without it the error is only logged.
   */
  onFatal?: (err: AppError) => void;
}

export interface WorkersProcess {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** who evaluated, as recorded in decisions.inputs.evaluatedBy */
  readonly evaluatedBy: string;
}

/** What a `workers` process cannot do without: said before anything is connected (exit 78). */
export function workersRequirements(loaded: LoadedConfig, env: Env): string | null {
  const { config } = loaded;
  if ((env.REDIS_URL ?? config.redis.url ?? null) === null) {
    return 'daemon.role "workers" needs the Redis of the daemon that owns the account: set REDIS_URL (or redis.url); an embedded Redis would be private to this process';
  }
  if (config.mode === 'sim' && !env.KIS_TRADER_SIM_URL) {
    return 'daemon.role "workers" in sim mode needs KIS_TRADER_SIM_URL: the simulator of the owner (an own simulator would be another market)';
  }
  if (config.mode === 'sim' && config.sim.startAt !== null && !env.KIS_TRADER_CLOCK_ANCHOR) {
    return 'daemon.role "workers" in sim mode needs KIS_TRADER_CLOCK_ANCHOR: the owner\'s sim clock (its start line logs clockAnchor)';
  }
  return null;
}

export function createWorkersProcess(opts: WorkersProcessOptions): WorkersProcess {
  const { config, secrets, hash } = opts.loaded;
  const log = opts.log.child({ role: 'workers' });
  const evaluatedBy = `${hostname()}:${process.pid}`;
  let redis: Redis | null = null;
  let kis: KisClient | null = null;
  let producers: Producers | null = null;
  let worker: WorkerHandle | null = null;
  let watchdog: { stop(): void } | null = null;
  let redisWatch: { close(): void } | null = null;
  // one warning per owner config this process does not match, not one per job
  const mismatchWarned = new Set<string>();

  async function start(): Promise<void> {
    const missing = workersRequirements(opts.loaded, opts.env);
    if (missing !== null) throw new AppError('CONFIG_INVALID', missing);
    const strategies = await resolveStrategies(strategySlices(config), opts.cwd);
    const calendarPath = resolve(opts.cwd, config.market.calendarFile);
    const calendar = loadCalendar(calendarPath, config.market.sessions);
    const { clock } = planClock({ mode: config.mode, startAt: config.sim.startAt, speed: config.sim.speed, env: opts.env, calendar });
    requireCalendarCovers(calendar, kstDateOf(clock.now()), calendarPath);
    redis = await connectRedis(opts.env.REDIS_URL ?? config.redis.url ?? '');
    const connection = redis;
    // Without the owner's Redis there are no jobs: after redis.maxOutageSeconds exit, and let the
    // process manager start it again, rather than sit "online" reconnecting for ever.
    redisWatch = watchRedis(connection, log, {
      maxOutageMs: config.redis.maxOutageSeconds * 1000,
      onLongOutage: (downMs) => {
        const err = new AppError('REDIS_UNAVAILABLE', `the owner's Redis unreachable for ${Math.round(downMs / 1000)} s: exiting so the process manager restarts this workers process`);
        if (opts.onFatal) opts.onFatal(err);
        else log.fatal({ err: err.message, code: err.code }, err.message);
      },
    });
    const prefix = config.redis.prefix;
    const venue = chooseVenue(config, secrets);
    const baseUrl = config.mode === 'sim' ? opts.env.KIS_TRADER_SIM_URL ?? '' : venue.baseUrl ?? '';
    // No trade log here: the token lives in memory and comes from the owner through Redis (token-mirror.ts).
    const client = createKisClient(venueClientOptions(config, venue, {
      baseUrl, store: { tokens: memoryTokenStore() }, clock, log, share: { redis: connection, prefix },
      lock: createRedisLock(connection, { prefix }),
      rateBudget: createRedisRateBudget(connection, rateBudgetOptions(config, venue.budgetKey, venue.ratePerSec)),
    }));
    kis = client;
    const out = createProducers(connection, prefix, log);
    producers = out;
    const settings = jobSettings(config).signals;
    const evaluation = evaluationHash(config);
    const bars = memoryBars();
    // no scan here: the evaluations' own reads tell the window (and an "auto" concurrency) the latency
    const reads = readWindowFor(venue);
    const market = measuredMarket(client.market, reads);

    const send = async (result: DecisionJob): Promise<void> => {
      // Keyed by the signal job: a signal job run twice sends one result (the second add is a no-op).
      const added = await out.decisions.add(result.signalJobId, result);
      if (!added) log.info({ signalJobId: result.signalJobId }, 'result already sent for this signal job');
    };
    const processSignal = async (job: SignalJob, jobId: string): Promise<void> => {
      const defer = (reason: string) => send({ outcome: 'deferred', signalJobId: jobId, evaluatedBy, reason, signal: job });
      if (job.book === undefined) return defer('the job carries no book (enqueued by an older daemon)');
      if (job.evaluationHash !== evaluation || job.configHash === undefined) {
        const owner = job.evaluationHash ?? 'none';
        if (!mismatchWarned.has(owner)) {
          mismatchWarned.add(owner);
          log.warn({ signalJobId: jobId, owner, here: evaluation },
            'strategies or signal settings here differ from the owner\'s: the owner evaluates these jobs. A workers process reads its config '
            + 'once: after the owner\'s config changed (a reload), restart this process on the same files');
        }
        return defer(`evaluation config ${evaluation} here, ${job.evaluationHash ?? 'none'} at the owner`);
      }
      const r = await runBookSignalJob({
        market, broker: client.broker, bars, calendar: () => calendar, clock, log,
        // the owner's config in force: the decision is recorded under it, as the owner's own are
        configHash: job.configHash, settings, strategies,
      }, job, job.book as SignalBook);
      await send({ outcome: 'evaluated', signalJobId: jobId, evaluatedBy, decision: r.decision, intent: r.intent, riskWrites: r.riskWrites });
    };
    worker = createSignalWorker(connection, prefix, signalConcurrencyOf(config, reads), processSignal, log, { name: `workers-${evaluatedBy.replace(/[^A-Za-z0-9._:-]/g, '_')}` });
    worker.run();
    const handle = worker;
    watchdog = startWorkerWatchdog({
      workers: [{ name: 'signals', handle, waiting: async () => (await out.counts()).signals.waiting ?? 0 }],
      redisReady: () => connection.status === 'ready', log, stallMs: config.daemon.workerStallSeconds * 1000,
    });
    log.info({ mode: config.mode, configHash: hash, evaluationHash: evaluation, evaluatedBy, strategies: strategies.map((s) => s.id) }, 'kis-trader workers ready: evaluating signal jobs for the owner');
  }

  async function stop(): Promise<void> {
    watchdog?.stop();
    redisWatch?.close();
    await worker?.close().catch((err: unknown) => log.warn({ err: describeError(err) }, 'worker close failed'));
    await producers?.close();
    await kis?.close().catch(() => undefined);
    if (redis) await redis.quit().catch(() => redis?.disconnect());
  }

  return { start, stop, evaluatedBy };
}
