import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { epochMs, kstInstant, systemClock } from '../../src/domain/index.js';
import type { Clock, TradingDate } from '../../src/domain/index.js';
import { DEFAULT_FEE_RATES } from '../../src/market/index.js';
import type { TradingCalendar } from '../../src/market/index.js';
import { createSimulator } from '../../src/sim/index.js';
import type { SimCredentials, Simulator, SimVariantName } from '../../src/sim/index.js';
import { anchoredClock, loadCalendar } from '../../src/runtime/index.js';

/**
 * Runs the real daemon (src/main.ts through tsx) as a child process against a simulator in the
 * test process, both on one shifted clock, so a test can SIGKILL the daemon at any moment and
 * start it again on the same SQLite file and Redis — the crash tests of issue 5.
 */
export const ROOT = join(import.meta.dirname, '..', '..');

export function repoCalendar(): TradingCalendar {
  return loadCalendar(join(ROOT, 'config', 'krx-calendar.json'));
}

export interface SimHarness {
  sim: Simulator;
  url: string;
  clock: Clock;
  anchor: string;
  stop(): Promise<void>;
}

/** A simulator whose clock reads `hhmmss` KST on `date` now and runs `speed` times real time. */
export async function startSharedSim(opts: {
  date: TradingDate; hhmmss: string; speed?: number; env?: 'live' | 'paper'; faults?: string[]; variant?: SimVariantName;
  /** the simulated customers; the built-in sim credentials when absent */
  credentials?: SimCredentials[];
}): Promise<SimHarness> {
  const real = systemClock.now();
  const simStart = kstInstant(opts.date, opts.hhmmss);
  const speed = opts.speed ?? 1;
  const clock = anchoredClock({ sim: simStart, real, speed });
  const sim = createSimulator({
    env: opts.env ?? 'live', seed: 7, clock, calendar: repoCalendar(), fees: DEFAULT_FEE_RATES, faults: opts.faults ?? [],
    ...(opts.variant ? { variant: opts.variant } : {}),
    ...(opts.credentials ? { credentials: opts.credentials } : {}),
  });
  const { url } = await sim.start(0);
  return { sim, url, clock, anchor: `${simStart}@${real}x${speed}`, stop: () => sim.stop() };
}

export interface DaemonProcess {
  child: ChildProcess;
  lines: Record<string, unknown>[];
  stderr: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  waitForLog(pred: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
}

export interface DaemonEnv {
  dir: string;
  env: Record<string, string>;
  dbPath: string;
  prefix: string;
  cleanup(): void;
}

/** Env for a sim-mode daemon pointed at `sim`, with its own data dir, SQLite file and Redis prefix. */
export function daemonEnv(harness: SimHarness, redisUrl: string, extra: Record<string, string> = {}): DaemonEnv {
  const dir = mkdtempSync(join(tmpdir(), 'kis-daemon-'));
  const prefix = `t-${randomUUID().slice(0, 8)}`;
  const dbPath = join(dir, 'trade.sqlite');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? dir,
    KIS_TRADER_MODE: 'sim',
    KIS_TRADER_SIM_URL: harness.url,
    KIS_TRADER_CLOCK_ANCHOR: harness.anchor,
    REDIS_URL: redisUrl,
    KIS_TRADER__REDIS__PREFIX: prefix,
    KIS_TRADER__STORE__PATH: dbPath,
    KIS_TRADER__DATA_DIR: dir,
    KIS_TRADER__LOG__LEVEL: 'info',
    ...extra,
  };
  return { dir, env, dbPath, prefix, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function spawnDaemon(env: Record<string, string>): DaemonProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'main.ts')], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: Record<string, unknown>[] = [];
  const stderr: string[] = [];
  const waiters = new Set<() => void>();
  let buf = '';
  child.stdout.on('data', (d: Buffer) => {
    buf += d.toString();
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      try { lines.push(JSON.parse(line) as Record<string, unknown>); } catch { stderr.push(line); }
    }
    for (const w of waiters) w();
  });
  child.stderr.on('data', (d: Buffer) => { stderr.push(d.toString()); });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => { resolve({ code, signal }); for (const w of waiters) w(); });
  });
  return {
    child, lines, stderr, exited,
    waitForLog(pred, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const hit = lines.find(pred);
          if (hit) { cleanup(); resolve(hit); return true; }
          if (child.exitCode !== null || child.signalCode !== null) {
            cleanup();
            reject(new Error(`daemon exited before the expected log line; last lines:\n${lines.slice(-8).map((l) => JSON.stringify(l)).join('\n')}\n${stderr.join('')}`));
            return true;
          }
          return false;
        };
        const timer = setTimeout(() => { cleanup(); reject(new Error(`no such log line within ${timeoutMs} ms; last lines:\n${lines.slice(-8).map((l) => JSON.stringify(l)).join('\n')}\n${stderr.join('')}`)); }, timeoutMs);
        const cleanup = () => { clearTimeout(timer); waiters.delete(listener); };
        const listener = () => { check(); };
        if (!check()) waiters.add(listener);
      });
    },
  };
}

/** Polls `fn` until it returns a value that is not undefined; a deadline, not a sleep-as-assertion. */
export async function waitFor<T>(fn: () => T | undefined, timeoutMs = 30_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface OrderRow { id: number; intent_key: string; status: string; venue_order_id: string | null; filled_qty: number; origin: string }

/** Reads the daemon's trade log from the test process (WAL lets a reader in beside the writer). */
export function readOrders(dbPath: string): OrderRow[] {
  let db: Database.Database | null = null;
  try {
    db = new Database(dbPath, { readonly: true, fileMustExist: true });
    return db.prepare('SELECT id, intent_key, status, venue_order_id, filled_qty, origin FROM orders ORDER BY id').all() as OrderRow[];
  } catch {
    return [];
  } finally {
    db?.close();
  }
}

export function readRows<T>(dbPath: string, sql: string): T[] {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    return db.prepare(sql).all() as T[];
  } finally {
    db.close();
  }
}

export const nowMs = () => epochMs(Date.now());

/** waitFor for an async probe. */
export async function waitForAsync<T>(fn: () => Promise<T | undefined>, timeoutMs = 30_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
