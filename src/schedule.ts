import { Cron } from 'croner';
import { DAY_MS, epochMs, kstInstant, kstParts, parseClockTime } from './domain/index.js';
import type { Clock, EpochMs, Logger } from './domain/index.js';
import { flattenAt, sessionPhase } from './market/index.js';
import type { SessionPhase, TradingCalendar } from './market/index.js';

/**
 * The daemon's timetable: one table of jobs, each with its cadence and the session phases it
 * may run in. Croner ticks every real second; which jobs are due is decided against the
 * injected Clock, so the same table drives live trading (system clock) and sim mode (a clock
 * shifted into a trading session, possibly faster than real time).
 *
 * Missed runs are never replayed: after downtime only the current slot runs, once
 * (croner semantics, docs/stack.md §1.7). Each periodic job runs at most once per slot, and a
 * job still running when its next slot comes is skipped (the `running` set below); croner's
 * `protect` is off and would not help: its callback starts the tick without waiting for it.
 */
export type JobName = 'pre-open' | 'scan' | 'exits' | 'flatten' | 'fills' | 'reconcile' | 'after-close';

export interface ScheduleConfig {
  scanEveryMinutes: number;
  exitCheckEveryMinutes: number;
  reconcileEveryMinutes: number;
  fillPollSeconds: number;
  /** 'HH:MM' KST */
  preOpenAt: string;
  afterCloseAt: string;
  /** schedule.flattenBeforeCloseMinutes: flatten this long before the closing auction; 0 (default) never */
  flattenBeforeCloseMinutes?: number;
}

interface Entry {
  job: JobName;
  /** periodic: slot length in ms; daily: the time of day in seconds */
  everyMs?: number;
  atSecondOfDay?: number;
  /** daily, this long before the day's closing auction (market/session.ts flattenAt: special sessions move it) */
  beforeClosingAuctionMinutes?: number;
  phases: readonly SessionPhase[];
}

const TRADING: readonly SessionPhase[] = ['opening-auction', 'regular', 'closing-auction'];

export function scheduleTable(cfg: ScheduleConfig): Entry[] {
  const flattenMinutes = cfg.flattenBeforeCloseMinutes ?? 0;
  return [
    { job: 'pre-open', atSecondOfDay: parseClockTime(cfg.preOpenAt), phases: ['closed', 'pre-market', 'opening-auction', 'regular'] },
    { job: 'scan', everyMs: cfg.scanEveryMinutes * 60_000, phases: ['regular'] },
    { job: 'exits', everyMs: cfg.exitCheckEveryMinutes * 60_000, phases: ['regular', 'closing-auction'] },
    // Once at the flatten time, whatever the exit cadence; the exit checks after it flatten too.
    ...(flattenMinutes > 0
      ? [{ job: 'flatten' as const, beforeClosingAuctionMinutes: flattenMinutes, phases: ['regular', 'closing-auction'] as const }]
      : []),
    { job: 'fills', everyMs: cfg.fillPollSeconds * 1000, phases: [...TRADING, 'post-close'] },
    { job: 'reconcile', everyMs: cfg.reconcileEveryMinutes * 60_000, phases: [...TRADING, 'post-close'] },
    { job: 'after-close', atSecondOfDay: parseClockTime(cfg.afterCloseAt), phases: ['closed', 'post-close', 'after-hours'] },
  ];
}

const slot = (t: EpochMs, everyMs: number): number => Math.floor((t - kstInstant(kstParts(t).date)) / everyMs);

/**
 * Why `job` may not run at `now`, or null when it may: every job runs on trading days only, and in its
 * table phases (a scan in the regular session). The one gate of scheduled runs and of runNow (the
 * start-up scan), so a daemon started on a holiday or after the close calls no ranking (issue 13).
 * A job not in the table (flatten when off) never may. Pure; throws what sessionPhase throws.
 */
export function whyNotNow(
  job: JobName, now: EpochMs, table: readonly Entry[], calendar: TradingCalendar,
): string | null {
  const date = kstParts(now).date;
  if (!calendar.isTradingDay(date)) return `${date} is not a KRX trading day (weekend or holiday)`;
  const entry = table.find((e) => e.job === job);
  if (!entry) return `${job} is not in the schedule`;
  const phase = sessionPhase(now, calendar);
  if (entry.phases.includes(phase)) return null;
  return `the market is in its ${phase} phase; ${job} runs in ${entry.phases.join(', ')}`;
}

/** The jobs whose slot (or time of day) was crossed in (prev, now], gated by whyNotNow at `now`. Pure. */
export function dueJobs(prev: EpochMs, now: EpochMs, table: readonly Entry[], calendar: TradingCalendar): JobName[] {
  if (now <= prev) return [];
  const due: JobName[] = [];
  for (const e of table) {
    if (whyNotNow(e.job, now, table, calendar) !== null) continue;
    if (e.everyMs !== undefined) {
      const newDay = kstParts(prev).date !== kstParts(now).date;
      if (newDay || slot(prev, e.everyMs) !== slot(now, e.everyMs)) due.push(e.job);
    } else {
      const at = e.atSecondOfDay !== undefined
        ? kstInstant(kstParts(now).date) + e.atSecondOfDay * 1000
        : e.beforeClosingAuctionMinutes !== undefined ? flattenAt(kstParts(now).date, calendar, e.beforeClosingAuctionMinutes) : null;
      // Crossed the time of day within this tick; a gap longer than a day never replays it.
      if (at !== null && prev < at && at <= now && now - prev < DAY_MS) due.push(e.job);
    }
  }
  return due;
}

/** Below the 15 s shutdown deadline with room for the order worker, Redis and the store after it. */
const STOP_WAIT_MS = 5000;

export interface Scheduler {
  start(): void;
  /**
   * No new runs; aborts the signal the runs in progress were handed (a scan gives up, a reconcile
   * finishes) and resolves when they have returned, or after `waitMs` with a warning naming them:
   * the shutdown deadline must not pass on a read. A submit in progress is the order desk's to
   * finish (OrderDesk.close).
   */
  stop(waitMs?: number): Promise<void>;
  /**
   * runs one job now, outside its slot (the first scan at start), as a scheduled run: stop() waits for
   * it. Only on a trading day and in the job's phases (whyNotNow): otherwise one info line says why not.
   */
  runNow(job: JobName): Promise<void>;
  /** why `job` may not run now (not a trading day, outside its phases), or null: whyNotNow on the clock's now */
  whyNotNow(job: JobName): string | null;
  /** runs one tick now (tests, and the catch-up at start) */
  tick(): Promise<void>;
}

export function createScheduler(opts: {
  config: ScheduleConfig;
  /** read at every tick: the broker's holiday list may replace the calendar while running */
  calendar: () => TradingCalendar;
  clock: Clock;
  log: Logger;
  run: (job: JobName, at: EpochMs, signal: AbortSignal) => Promise<void>;
}): Scheduler {
  const table = scheduleTable(opts.config);
  let prev = opts.clock.now();
  let cron: Cron | null = null;
  const running = new Set<JobName>();
  const inFlight = new Set<Promise<void>>();
  const stopping = new AbortController();

  const runOne = async (job: JobName, at: EpochMs): Promise<void> => {
    if (stopping.signal.aborted) return;
    // A job still busy from its previous slot is skipped, not queued behind itself.
    if (running.has(job)) {
      opts.log.debug({ job }, 'previous run still busy: skipping this slot');
      return;
    }
    running.add(job);
    try {
      await opts.run(job, at, stopping.signal);
    } catch (err) {
      if (stopping.signal.aborted) opts.log.info({ job }, 'scheduled run given up: stopping');
      else opts.log.error({ job, err: err instanceof Error ? err.message : String(err) }, 'scheduled job failed');
    } finally {
      running.delete(job);
    }
  };
  const track = (r: Promise<void>): Promise<void> => {
    inFlight.add(r);
    void r.finally(() => inFlight.delete(r));
    return r;
  };

  const tick = async (): Promise<void> => {
    const now = opts.clock.now();
    let jobs: JobName[];
    try {
      jobs = dueJobs(prev, now, table, opts.calendar());
    } catch (err) {
      opts.log.error({ err: err instanceof Error ? err.message : String(err) }, 'schedule cannot tell the session phase');
      jobs = [];
    }
    prev = epochMs(now);
    // Jobs of one tick run side by side; each is independent and guarded by `running`.
    await Promise.all(jobs.map((job) => track(runOne(job, now))));
  };

  const gate = (job: JobName, now: EpochMs): string | null => {
    try {
      return whyNotNow(job, now, table, opts.calendar());
    } catch (err) {
      return `the session phase is unknown (${err instanceof Error ? err.message : String(err)})`;
    }
  };

  return {
    start() {
      prev = opts.clock.now();
      cron = new Cron('* * * * * *', {
        timezone: 'Asia/Seoul',
        protect: false,
        catch: (err: unknown) => opts.log.error({ err: String(err) }, 'schedule tick failed'),
      }, () => { void tick(); });
    },
    async stop(waitMs = STOP_WAIT_MS) {
      cron?.stop();
      cron = null;
      stopping.abort(new Error('the daemon is stopping'));
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<'late'>((r) => { timer = setTimeout(() => r('late'), waitMs); });
      const done = await Promise.race([Promise.allSettled([...inFlight]), late]);
      clearTimeout(timer);
      if (done === 'late') opts.log.warn({ jobs: [...running], waitedMs: waitMs }, 'scheduled runs still busy at stop: left to end on their own');
    },
    whyNotNow: (job) => gate(job, opts.clock.now()),
    runNow: (job) => {
      const now = opts.clock.now();
      const why = gate(job, now);
      // Outside its window the job waits for its slot: a start-up scan on a closed day cost 118 KIS calls (issue 13).
      if (why !== null) {
        opts.log.info({ job, reason: why }, `${job} not run now: ${why}`);
        return Promise.resolve();
      }
      return track(runOne(job, now));
    },
    tick,
  };
}
