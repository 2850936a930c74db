import type { EpochMs } from '../domain/index.js';
import { kstSecondOfDay } from '../domain/index.js';

/** The part of the day in which volume accrues, as seconds since 00:00 KST. */
export interface SessionWindow {
  openSecond: number;
  closeSecond: number;
}

/**
 * 09:00 to 15:30 KST: continuous trading plus the closing auction, whose volume counts towards
 * the day (docs/kis-wire.md §11.1). Special days (first trading day, exam day) open later; the caller
 * knows the calendar and passes their window instead.
 */
export const REGULAR_SESSION: SessionWindow = { openSecond: 9 * 3600, closeSecond: 15 * 3600 + 30 * 60 };

/** Below this share of the session elapsed, the projection stops growing (see projectDayVolume). */
export const DEFAULT_MIN_SESSION_FRACTION_PCT = 25;

export interface VolumeProjection {
  /** share of the session elapsed at `at`, 0–100 */
  sessionElapsedPct: number;
  /** the share actually divided by: max(elapsed, floor), 0–100 */
  divisorPct: number;
  /** today's volume extrapolated to a full day */
  projectedVolume: number;
}

/**
 * Extrapolates today's partial volume to a full day so it can be compared with full-day averages.
 *
 * Linear: projected = volume / elapsed share of the session. Intraday volume is front-loaded
 * (the opening auction and first hour trade far more than a linear share), so a linear
 * projection early in the morning overstates the day, e.g. 10 % of the day's volume by 09:15
 * would project to 26× a normal day. To stay honest, the divisor never drops below
 * `minFractionPct` of the session: early in the day the projection understates rather than
 * overstates, so a volume signal before that point needs real volume, not arithmetic.
 * After the close the divisor is 100 % (no scaling); before the open the floor applies.
 */
export function projectDayVolume(
  volume: number,
  at: EpochMs,
  session: SessionWindow = REGULAR_SESSION,
  minFractionPct: number = DEFAULT_MIN_SESSION_FRACTION_PCT,
): VolumeProjection {
  const length = session.closeSecond - session.openSecond;
  const second = kstSecondOfDay(at);
  const elapsed = length <= 0 ? 1 : Math.min(Math.max((second - session.openSecond) / length, 0), 1);
  const floor = Math.min(Math.max(minFractionPct, 1), 100) / 100;
  const divisor = Math.max(elapsed, floor);
  return { sessionElapsedPct: elapsed * 100, divisorPct: divisor * 100, projectedVolume: volume / divisor };
}
