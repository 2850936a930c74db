import { AppError, createShiftedClock, epochMs, kstDateOf, kstInstant, systemClock } from '../domain/index.js';
import type { Clock, EpochMs } from '../domain/index.js';
import type { Env } from '../config/index.js';
import type { TradingCalendar } from '../market/index.js';

/**
 * The daemon's clock. Live and paper: the system clock. Sim mode: the simulator's clock,
 * shifted to `startAt` KST on the current trading day (or the next one) and running `speed`
 * times faster, so `npm start` shows trading at any hour of any day (issue: "In sim mode the
 * clock is the simulator's").
 *
 * KIS_TRADER_CLOCK_ANCHOR=<simEpochMs>@<realEpochMs>x<speed> pins the same shifted clock in
 * several processes (a test that runs the simulator in one process and the daemon in another).
 */
export interface ClockPlan {
  clock: Clock;
  anchor: string | null;
}

export function parseClockAnchor(value: string): { sim: EpochMs; real: EpochMs; speed: number } {
  const m = /^(\d+)@(\d+)x(\d+(?:\.\d+)?)$/.exec(value);
  if (!m) throw new AppError('CONFIG_INVALID', `KIS_TRADER_CLOCK_ANCHOR must look like <simEpochMs>@<realEpochMs>x<speed>, got "${value}"`);
  return { sim: epochMs(Number(m[1])), real: epochMs(Number(m[2])), speed: Number(m[3]) };
}

export function anchoredClock(anchor: { sim: EpochMs; real: EpochMs; speed: number }, base: Clock = systemClock): Clock {
  return { now: () => epochMs(anchor.sim + Math.floor((base.now() - anchor.real) * anchor.speed)) };
}

export function simStartInstant(now: EpochMs, startAt: string, calendar: TradingCalendar): EpochMs {
  const today = kstDateOf(now);
  const day = calendar.isTradingDay(today) ? today : calendar.nextTradingDay(today);
  return kstInstant(day, `${startAt.replace(':', '')}00`);
}

/**
 * Where a restarted sim-mode daemon picks up: the simulated time it had reached, so its broker
 * (the simulator, rebuilt from its journal) is as it left it; or, when that day's trading was
 * over, the next trading day at `startAt`. Downtime does not pass in sim time.
 */
export function simResumeInstant(last: EpochMs, startAt: string, endOfDay: string, calendar: TradingCalendar): EpochMs {
  const day = kstDateOf(last);
  if (calendar.isTradingDay(day) && last < kstInstant(day, `${endOfDay.replace(':', '')}00`)) return epochMs(last + 1000);
  return kstInstant(calendar.nextTradingDay(day), `${startAt.replace(':', '')}00`);
}

export function planClock(opts: {
  mode: 'sim' | 'paper' | 'live'; startAt: string | null; speed: number; env: Env; calendar: TradingCalendar;
  /** sim mode: the simulated time a previous run reached, and the time of day after which it rolls to the next day */
  resume?: { last: EpochMs; endOfDay: string } | null;
}): ClockPlan {
  const pinned = opts.env.KIS_TRADER_CLOCK_ANCHOR;
  if (pinned) {
    const a = parseClockAnchor(pinned);
    return { clock: anchoredClock(a), anchor: pinned };
  }
  if (opts.mode !== 'sim' || opts.startAt === null) return { clock: systemClock, anchor: null };
  const real = systemClock.now();
  const sim = opts.resume
    ? simResumeInstant(opts.resume.last, opts.startAt, opts.resume.endOfDay, opts.calendar)
    : simStartInstant(real, opts.startAt, opts.calendar);
  return { clock: createShiftedClock(systemClock, sim, opts.speed), anchor: `${sim}@${real}x${opts.speed}` };
}
