import { formatKst } from '../domain/index.js';
import type { EpochMs, Notice } from '../domain/index.js';
import { sessionPhase } from '../market/index.js';
import type { SessionPhase, TradingCalendar } from '../market/index.js';
import { daemonState } from '../store/index.js';
import type { Store } from '../store/index.js';

/**
 * The silence alarm (`kis-trader watchdog`, run by pm2 cron every minute: docs/operations.md
 * "Silence alarm"): during a session, a daemon whose heartbeat is older than `silenceMs`, stopped
 * or gone is silent. The daemon cannot report its own hang, so this runs as another process and
 * reads the heartbeat the daemon writes into its trade log (store/heartbeat.ts).
 */
export const WATCHDOG_ALARM_KEY = 'watchdog.alarm';
const SESSION: readonly SessionPhase[] = ['opening-auction', 'regular', 'closing-auction'];

export interface SilenceVerdict {
  /** a silence alarm is due now */
  silent: boolean;
  /** already alarmed for this same heartbeat: no second message */
  alreadyAlarmed: boolean;
  phase: SessionPhase;
  /** one line for the operator */
  line: string;
  notice: Notice | null;
}

/** `now` is wall clock, as the heartbeat's `at`; `anyTime` checks outside sessions too (sim mode). */
export function checkSilence(opts: {
  store: Store; now: EpochMs; calendar: TradingCalendar; silenceMs: number; host: string; alive: (pid: number) => boolean; anyTime?: boolean;
}): SilenceVerdict {
  const phase = sessionPhase(opts.now, opts.calendar);
  const d = daemonState(opts.store.kv, opts.now, opts.host, opts.alive);
  const age = d.ageMs;
  const inSession = SESSION.includes(phase) || opts.anyTime === true;
  const tooOld = age === null || age > opts.silenceMs;
  // A stopped or vanished daemon is silent too, once its last heartbeat is old enough: a restart
  // (pm2, an upgrade) writes a new one well within the window.
  const problem = !tooOld ? null : d.running ? `no heartbeat for ${Math.round((age ?? 0) / 60_000)} min` : d.why;
  const minutes = Math.round(opts.silenceMs / 60_000);
  if (!inSession || problem === null) {
    const line = problem === null
      ? `daemon heartbeat ${Math.round((age ?? 0) / 1000)} s ago (${d.running ? 'running' : d.why}; market ${phase})`
      : `daemon silent (${problem}) but the market is ${phase}: no alarm outside a session`;
    return { silent: false, alreadyAlarmed: false, phase, line, notice: null };
  }
  const hbAt = d.heartbeat?.at ?? null;
  const last = opts.store.kv.get<{ heartbeatAt: number | null }>(WATCHDOG_ALARM_KEY);
  const alreadyAlarmed = last !== null && last.heartbeatAt === hbAt;
  const since = hbAt === null ? 'never' : formatKst(hbAt as EpochMs).slice(0, 19);
  const message = `no heartbeat for over ${minutes} min during the ${phase} session (${problem}; last heartbeat ${since}): the daemon is down or stuck, positions are not watched`;
  return {
    silent: true, alreadyAlarmed, phase, line: message,
    notice: { kind: 'silence', message, details: { phase, lastHeartbeat: hbAt, why: problem, silenceMinutes: minutes } },
  };
}

/** remembers the heartbeat an alarm was sent for, so the next minute's run does not repeat it */
export function markAlarmed(store: Store, heartbeatAt: number | null, now: EpochMs): void {
  store.kv.set(WATCHDOG_ALARM_KEY, { heartbeatAt }, now);
}
