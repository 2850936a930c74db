import type { Database } from 'better-sqlite3';
import type { KeyValueRepo } from '../domain/index.js';

/**
 * The running daemon's heartbeat, in the kv table of its own trade log, so `kis-trader status`
 * can tell whether it runs without Redis or a socket (issue 9 item 4). `at` and `since` are wall
 * clock (the CLI compares them with its own); lastScan and lastReconcile are on the daemon's
 * clock (the simulated one in sim mode), as every other instant in the log.
 */
export const HEARTBEAT_KEY = 'daemon-heartbeat';
/** how often the daemon writes it */
export const HEARTBEAT_INTERVAL_MS = 15_000;
/** a heartbeat older than four intervals is a dead or stuck daemon */
export const HEARTBEAT_STALE_MS = 4 * HEARTBEAT_INTERVAL_MS;

export interface QueueDepths {
  signals: Record<string, number>;
  orders: Record<string, number>;
  /** results from `workers` processes (absent in heartbeats of older versions) */
  decisions?: Record<string, number>;
  /** processes consuming signal jobs: the daemon and its `workers` processes */
  signalConsumers?: number;
}

/** The KIS WebSocket session as the heartbeat shows it (kis/realtime.ts RealtimeStats). */
export interface WebSocketBeat {
  connected: boolean;
  /** registrations the server confirmed */
  active: number;
  /** wanted but left out by the limit of registrations */
  overLimit: number;
  trades: number;
  notices: number;
  /** wall clock of the next reconnect while down */
  reconnectAt: number | null;
  lastProblem: string | null;
}

export interface Heartbeat {
  pid: number;
  host: string;
  mode: string;
  since: number;
  at: number;
  lastScan: number | null;
  lastReconcile: number | null;
  /** BullMQ job counts; null when Redis did not answer in time */
  queues: QueueDepths | null;
  /** set by a graceful stop */
  stoppedAt: number | null;
  /** null: the WebSocket is off; absent in heartbeats of older versions */
  websocket?: WebSocketBeat | null;
}

/** When the last scan stored its rankings, and the last reconcile its account snapshot. */
export function lastActivity(db: Database): { lastScan: number | null; lastReconcile: number | null } {
  // by rowid, not MAX(at): the table holds every raw ranking response and has no index on `at`
  const scan = db.prepare<[], { at: number }>('SELECT at FROM scan_snapshots ORDER BY id DESC LIMIT 1').get();
  const rec = db.prepare<[string], { at: number }>('SELECT updated_at AS at FROM risk_state WHERE key = ?').get('account');
  return { lastScan: scan?.at ?? null, lastReconcile: rec?.at ?? null };
}

export type DaemonState =
  | { running: true; heartbeat: Heartbeat; ageMs: number }
  | { running: false; heartbeat: Heartbeat | null; ageMs: number | null; why: string };

/**
 * Running = a heartbeat younger than HEARTBEAT_STALE_MS, not marked stopped, from a process that
 * is alive (checked only on the same host: a pid elsewhere means nothing here).
 */
export function daemonState(kv: KeyValueRepo, now: number, host: string, alive: (pid: number) => boolean): DaemonState {
  const hb = kv.get<Heartbeat>(HEARTBEAT_KEY);
  if (!hb) return { running: false, heartbeat: null, ageMs: null, why: 'no heartbeat: never started on this trade log' };
  const ageMs = Math.max(0, now - hb.at);
  if (hb.stoppedAt !== null) return { running: false, heartbeat: hb, ageMs, why: 'stopped' };
  if (hb.host === host && !alive(hb.pid)) return { running: false, heartbeat: hb, ageMs, why: `process ${hb.pid} is gone` };
  if (ageMs > HEARTBEAT_STALE_MS) return { running: false, heartbeat: hb, ageMs, why: 'heartbeat too old' };
  return { running: true, heartbeat: hb, ageMs };
}
