/**
 * Rate-budget benchmark (see bench/README.md): 400 reads through the real KIS client against
 * the simulator (live, 20 calls/s per app key, 100 ms added to every request), first pipelined
 * through the shared Redis budget at 20/s, then one after another through a wait-then-request
 * leaky bucket like the seed's. Prints wall time ÷ the ideal 400 / 20 s and the EGW00201 count.
 *
 *   npm run bench            (REDIS_URL to use a running Redis; otherwise a private redis-server)
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { createShiftedClock, kstInstant, stockCode, systemClock, tradingDate } from '../src/domain/index.js';
import { fork } from 'node:child_process';
import type { DistributedLock, EpochMs, Lane, RateBudget, StoredToken, TokenStore } from '../src/domain/index.js';
import { createKisClient } from '../src/kis/index.js';
import type { KisClient } from '../src/kis/index.js';
import { createRedisLock, createRedisRateBudget } from '../src/redis/index.js';
import { SIM_DEFAULT_CREDENTIALS } from '../src/sim/index.js';

const READS = 400;
const RATE = 20;
const LATENCY_MS = 100;
const IDEAL_S = READS / RATE;

/** The seed's LeakyBucket (kis_api.py): one caller at a time waits out the interval, then goes. */
function createLeakyBucket(ratePerSec: number): RateBudget {
  const interval = 1000 / ratePerSec;
  let last = 0;
  let tail: Promise<unknown> = Promise.resolve();
  return {
    acquire(_lane: Lane) {
      const turn = tail.then(async () => {
        const wait = last + interval - performance.now();
        if (wait > 0) await delay(wait);
        last = performance.now();
        return Math.max(0, wait);
      });
      tail = turn;
      return turn;
    },
    penalize: () => Promise.resolve(),
    currentRate: () => Promise.resolve(ratePerSec),
  };
}

function memoryTokenStore(): TokenStore {
  const tokens = new Map<string, StoredToken>();
  const attempts = new Map<string, EpochMs | null>();
  return {
    load: (k) => tokens.get(k) ?? null,
    save: (k, t) => { tokens.set(k, t); },
    clear: (k) => { tokens.delete(k); },
    lastIssueAttempt: (k) => attempts.get(k) ?? null,
    recordIssueAttempt: (k, at) => { attempts.set(k, at); },
  };
}

async function freePort(): Promise<number> {
  const srv = createServer().listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const addr = srv.address();
  srv.close();
  await once(srv, 'close');
  return typeof addr === 'object' && addr ? addr.port : 0;
}

async function privateRedis(): Promise<{ url: string; stop: () => Promise<void> }> {
  if (process.env.REDIS_URL) return { url: process.env.REDIS_URL, stop: () => Promise.resolve() };
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'bench-redis-'));
  const child: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    { stdio: 'ignore' });
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

interface SimChild {
  url: string;
  stats(): Promise<{ requests: number; rateLimited: number; tokensIssued: number }>;
  fault(spec: string): Promise<void>;
  stop(): Promise<void>;
}

/** bench/sim-server.ts in a child process, driven over IPC. */
async function startSimChild(): Promise<SimChild> {
  const child = fork(join(import.meta.dirname, 'sim-server.ts'), [String(RATE)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const next = <T>(): Promise<T> => new Promise((resolve) => { child.once('message', (m) => { resolve(m as T); }); });
  const { url } = await next<{ url: string }>();
  return {
    url,
    stats: async () => { const p = next<{ stats: Awaited<ReturnType<SimChild['stats']>> }>(); child.send({ cmd: 'stats' }); return (await p).stats; },
    fault: async (spec) => { const p = next(); child.send({ cmd: 'fault', spec }); await p; },
    stop: async () => { const p = once(child, 'exit'); child.send({ cmd: 'stop' }); await p; },
  };
}

async function main(): Promise<void> {
  const redisInfo = await privateRedis();
  const redis = new Redis(redisInfo.url);
  // the client's clock: the same trading morning the simulator runs, in real time
  const clock = createShiftedClock(systemClock, kstInstant(tradingDate('20260312'), '100000'));
  const sim = await startSimChild();
  const url = sim.url;
  const symbols = ['005930', '000660', '035420'].map(stockCode);
  const lock: DistributedLock = createRedisLock(redis, { prefix: `bench:${process.pid}:` });
  const shared = memoryTokenStore();
  const client = (rateBudget: RateBudget): KisClient => createKisClient({
    env: 'live', baseUrl: url, appKey: SIM_DEFAULT_CREDENTIALS.appKey, appSecret: SIM_DEFAULT_CREDENTIALS.appSecret,
    account: SIM_DEFAULT_CREDENTIALS.account, timeouts: { connectMs: 2_000, headersMs: 5_000, bodyMs: 5_000, totalMs: 10_000 },
    rateBudget, tokenStore: shared, lock, clock,
  });

  const budget = createRedisRateBudget(redis, { key: `bench:budget:${process.pid}:${Date.now()}`, ratePerSec: RATE });
  const pipelined = client(budget);
  // warm-up outside the timing: the token, and the simulator building each symbol's day
  for (const s of symbols) await pipelined.market.quote(s);
  await sim.fault(`latency::*:${LATENCY_MS}`);
  await delay(1_100);

  const limitedBefore = (await sim.stats()).rateLimited;
  let t0 = performance.now();
  await Promise.all(Array.from({ length: READS }, (_, i) => pipelined.market.quote(symbols[i % symbols.length]!)));
  const pipelinedS = (performance.now() - t0) / 1000;
  const pipelinedLimited = (await sim.stats()).rateLimited - limitedBefore;

  await delay(1_100);
  const sequential = client(createLeakyBucket(RATE));
  const seqBefore = (await sim.stats()).rateLimited;
  t0 = performance.now();
  for (let i = 0; i < READS; i++) await sequential.market.quote(symbols[i % symbols.length]!);
  const sequentialS = (performance.now() - t0) / 1000;
  const sequentialLimited = (await sim.stats()).rateLimited - seqBefore;

  const rows = [
    { limiter: 'Redis budget, pipelined', seconds: pipelinedS, ratio: pipelinedS / IDEAL_S, egw00201: pipelinedLimited },
    { limiter: 'leaky bucket, sequential (seed)', seconds: sequentialS, ratio: sequentialS / IDEAL_S, egw00201: sequentialLimited },
  ];
  process.stdout.write(`${READS} reads, budget ${RATE}/s, simulator live ${RATE}/s, +${LATENCY_MS} ms per request; ideal ${IDEAL_S.toFixed(1)} s\n`);
  for (const r of rows) {
    process.stdout.write(`${r.limiter.padEnd(34)} ${r.seconds.toFixed(2).padStart(7)} s   ratio ${r.ratio.toFixed(3)}   EGW00201 ${r.egw00201}\n`);
  }
  process.stdout.write(`${JSON.stringify({ reads: READS, rate: RATE, latencyMs: LATENCY_MS, results: rows })}\n`);

  await pipelined.close();
  await sequential.close();
  await sim.stop();
  await redis.quit();
  await redisInfo.stop();
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exitCode = 1;
});
