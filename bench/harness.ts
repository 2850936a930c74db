/**
 * What the KIS benches share (bench/README.md): a private redis-server unless REDIS_URL is set, the
 * simulator in its own process (bench/sim-server.ts: KIS is remote, so its admission clock must
 * not share an event loop with the client under test), and an in-memory token store.
 */
import { fork, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { configSchema } from '../src/config/index.js';
import type { Config } from '../src/config/index.js';
import { createShiftedClock, kstInstant, silentLogger, systemClock, tradingDate } from '../src/domain/index.js';
import type { Clock, EpochMs, StoredToken, TokenStore } from '../src/domain/index.js';
import { createKisClient } from '../src/kis/index.js';
import type { KisClient } from '../src/kis/index.js';
import { createRedisLock, createRedisRateBudget } from '../src/redis/index.js';
import { chooseVenue, rateBudgetOptions, venueClientOptions } from '../src/runtime/index.js';

export interface SimChild {
  url: string;
  stats(): Promise<{ requests: number; rateLimited: number; spurious: number }>;
  fault(spec: string): Promise<void>;
  spurious(probability: number): Promise<void>;
  /**
   * With `door`: when each POST reached the simulator's process (wall clock, ms with fractions,
   * performance.timeOrigin + performance.now()), by path, since the last call.
   */
  arrivals(): Promise<Array<{ path: string; at: number }>>;
  /** the simulator's listing codes */
  symbols(): Promise<string[]>;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const srv = createServer().listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const addr = srv.address();
  srv.close();
  await once(srv, 'close');
  return typeof addr === 'object' && addr ? addr.port : 0;
}

export async function privateRedis(): Promise<{ url: string; stop: () => Promise<void> }> {
  if (process.env.REDIS_URL) return { url: process.env.REDIS_URL, stop: () => Promise.resolve() };
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'bench-redis-'));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir];
  const child: ChildProcess = spawn('redis-server', args, { stdio: 'ignore' });
  const url = `redis://127.0.0.1:${port}`;
  const probe = new Redis(url, { retryStrategy: () => 50, maxRetriesPerRequest: null });
  probe.on('error', () => undefined);
  await probe.ping();
  await probe.quit();
  return {
    url,
    stop: async () => {
      child.kill('SIGTERM');
      await once(child, 'exit');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** bench/sim-server.ts in a child process, at `venueRate` calls/s per app key, with `symbols` listings. */
export async function startSimChild(venueRate: number, opts: { symbols?: number; door?: boolean } = {}): Promise<SimChild> {
  const args = [String(venueRate), String(opts.symbols ?? 20), opts.door === true ? 'door' : 'no-door'];
  const child = fork(join(import.meta.dirname, 'sim-server.ts'), args, {
    execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const next = <T>(): Promise<T> => new Promise((resolve) => { child.once('message', (m) => { resolve(m as T); }); });
  const { url } = await next<{ url: string }>();
  const ask = async <T>(m: unknown): Promise<T> => { const p = next<T>(); child.send(m as object); return p; };
  return {
    url,
    stats: async () => (await ask<{ stats: Awaited<ReturnType<SimChild['stats']>> }>({ cmd: 'stats' })).stats,
    fault: async (spec) => { await ask({ cmd: 'fault', spec }); },
    spurious: async (probability) => { await ask({ cmd: 'spurious', probability }); },
    symbols: async () => (await ask<{ symbols: string[] }>({ cmd: 'symbols' })).symbols,
    arrivals: async () => (await ask<{ arrivals: Array<{ path: string; at: number }> }>({ cmd: 'arrivals' })).arrivals,
    stop: async () => { const p = once(child, 'exit'); child.send({ cmd: 'stop' }); await p; },
  };
}

export function memoryTokenStore(): TokenStore & { tokens: Map<string, StoredToken> } {
  const tokens = new Map<string, StoredToken>();
  const attempts = new Map<string, EpochMs | null>();
  return {
    tokens,
    load: (k) => tokens.get(k) ?? null,
    save: (k, t) => { tokens.set(k, t); },
    clear: (k) => { tokens.delete(k); },
    lastIssueAttempt: (k) => attempts.get(k) ?? null,
    recordIssueAttempt: (k, at) => { attempts.set(k, at); },
  };
}

/** the p-th percentile (0..100) of `xs`, nearest rank; NaN when empty */
export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

/** Prints each target beside its figure; returns how many were missed. */
export function printChecks(checks: ReadonlyArray<{ what: string; figure: number; target: number; unit: string }>, out: (s: string) => void): number {
  let missed = 0;
  for (const c of checks) {
    const ok = c.figure <= c.target;
    if (!ok) missed += 1;
    const fig = Number.isInteger(c.figure) ? String(c.figure) : c.figure.toFixed(3);
    out(`${ok ? 'ok  ' : 'MISS'} ${c.what.padEnd(66)} ${`${fig}${c.unit}`.padStart(12)}   target ≤ ${c.target}${c.unit}`);
  }
  return missed;
}

/**
 * Runs a bench's main, which pushes a stop for each thing it starts and returns how many targets
 * it missed: stops them last first, and exits non-zero on a miss or a throw (bench/README.md: a
 * bench can fail).
 */
export function runBench(main: (stops: (() => Promise<unknown>)[]) => Promise<number>): void {
  const stops: (() => Promise<unknown>)[] = [];
  const stopAll = async (): Promise<void> => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
  main(stops).finally(stopAll).then((missed) => {
    if (missed > 0) {
      process.stderr.write(`${missed} target(s) missed\n`);
      process.exitCode = 1;
    }
  }, (err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}

/** the simulator's trading morning in real time (bench/sim-server.ts runs the same one) */
export function benchClock(): Clock {
  return createShiftedClock(systemClock, kstInstant(tradingDate('20260312'), '100000'));
}

/**
 * The daemon's trading client for `config` (sim mode, the simulator at `url`), built as app.ts
 * builds it (venueClientOptions, rateBudgetOptions), on the shared budget `budgetKey`.
 */
export function daemonClient(opts: {
  config: unknown; url: string; redis: Redis; tokens: TokenStore; clock: Clock; budgetKey: string;
}): { client: KisClient; config: Config; ratePerSec: number } {
  const config = configSchema.parse(opts.config);
  const venue = chooseVenue(config, null);
  const client = createKisClient(venueClientOptions(config, venue, {
    baseUrl: opts.url, store: { tokens: opts.tokens }, clock: opts.clock, log: silentLogger,
    lock: createRedisLock(opts.redis, { prefix: `${opts.budgetKey}:lock:` }),
    rateBudget: createRedisRateBudget(opts.redis, rateBudgetOptions(config, opts.budgetKey, venue.ratePerSec)),
  }));
  return { client, config, ratePerSec: venue.ratePerSec };
}
