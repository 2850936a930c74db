/**
 * Rate-budget benchmark (see bench/README.md): the shared Redis budget against a faithful port of
 * the original Python client's limiter, both driving the production KIS client the same way (every
 * read of a process issued at once), in one process and in two, at the configured default live
 * rate, against the simulator in its own process with KIS's live limit (20 calls/s per app key,
 * sliding one-second window) and 100 ms added to every request. Then the same with 20 % spurious
 * EGW00201, and a lanes run (orders placed while the reads hold the limiter). Prints each target
 * beside its figure and exits 1 on any miss; the original's limiter is shown for reference only.
 *
 *   npm run bench            (REDIS_URL to use a running Redis; otherwise a private redis-server)
 */
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { defaultConfig } from '../src/config/index.js';
import { createShiftedClock, kstInstant, stockCode, systemClock, tradingDate } from '../src/domain/index.js';
import { createKisClient, tokenStoreKey } from '../src/kis/index.js';
import { createRedisLock, createRedisRateBudget } from '../src/redis/index.js';
import { rateBudgetOptions } from '../src/runtime/index.js';
import { SIM_DEFAULT_CREDENTIALS } from '../src/sim/index.js';
import { memoryTokenStore, privateRedis, runBench, startSimChild } from './harness.js';
import type { WorkerResult, WorkerSpec } from './rate-budget-worker.js';

const CONFIG = defaultConfig();
/** the daemon's live default (config/default.json kis.rate.liveCallsPerSec), not a constant of its own */
const RATE = CONFIG.kis.rate.liveCallsPerSec;
/** KIS live (docs/kis-wire.md §4), enforced by the simulator */
const VENUE_RATE = 20;
const LATENCY_MS = 100;
const READS = 360;
const ORDERS = 5;
const SPURIOUS = 0.2;
const BOUND_S = READS / RATE;
/** a slot of the shared budget: 1/rate stretched by its 3 % spacing margin */
const SLOT_MS = 1000 * 1.03 / RATE;

/** One worker process per share of the reads; all start on the same 'go'. */
async function runProcesses(specs: WorkerSpec[]): Promise<{ seconds: number; results: WorkerResult[] }> {
  const children = specs.map(() => fork(join(import.meta.dirname, 'rate-budget-worker.ts'), [], {
    execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  }));
  const first = (c: ChildProcess) => new Promise<unknown>((resolve, reject) => {
    c.once('message', resolve);
    c.once('exit', (code) => { reject(new Error(`bench worker exited with ${String(code)}`)); });
  });
  await Promise.all(children.map((c, i) => { const p = first(c); c.send({ cmd: 'run', spec: specs[i] }); return p; }));
  const done = children.map((c) => first(c) as Promise<{ result: WorkerResult }>);
  const t0 = performance.now();
  for (const c of children) c.send({ cmd: 'go' });
  const results = (await Promise.all(done)).map((m) => m.result);
  const seconds = (performance.now() - t0) / 1000;
  await Promise.all(children.map((c) => (c.exitCode === null ? once(c, 'exit') : Promise.resolve())));
  return { seconds, results };
}

interface Check { what: string; figure: number; target: number; unit: string; ok: boolean }

interface Row {
  run: string;
  limiter: 'redis budget' | 'seed LeakyBucket';
  processes: number;
  seconds: number;
  ratio: number;
  egw00201: number;
  spurious: number;
  /** answers the simulator gave in the run (spurious share = spurious / requests) */
  requests: number;
  failed: number;
  answered: number;
  /** ours: lowest and median shared rate seen after a grant */
  rateMin: number | null;
  rateMedian: number | null;
  orderWaitMaxMs: number | null;
  orderAnswerMaxMs: number | null;
  checks: Check[];
}

const median = (xs: number[]): number | null => {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

async function main(stops: (() => Promise<unknown>)[]): Promise<number> {
  const redisInfo = await privateRedis();
  stops.push(() => redisInfo.stop());
  const redis = new Redis(redisInfo.url);
  stops.push(() => redis.quit());
  const sim = await startSimChild(VENUE_RATE);
  stops.push(() => sim.stop());
  const clock = createShiftedClock(systemClock, kstInstant(tradingDate('20260312'), '100000'));
  const symbols = ['005930', '000660', '035420'].map(stockCode);
  const tokens = memoryTokenStore();
  // warm-up outside the timing, through the shared budget: one token for every process, and the
  // simulator building each symbol's day
  const warm = createKisClient({
    env: 'live', baseUrl: sim.url, appKey: SIM_DEFAULT_CREDENTIALS.appKey, appSecret: SIM_DEFAULT_CREDENTIALS.appSecret,
    account: SIM_DEFAULT_CREDENTIALS.account,
    timeouts: { connectMs: 2_000, headersMs: 5_000, bodyMs: 5_000, totalMs: 10_000 },
    rateBudget: createRedisRateBudget(redis, { key: `bench:warm:${process.pid}`, ratePerSec: RATE }),
    tokenStore: tokens, lock: createRedisLock(redis, { prefix: `bench:${process.pid}:` }), clock,
  });
  let orderPrice = 0;
  for (const s of symbols) {
    const q = await warm.market.quote(s);
    if (s === symbols[0]) orderPrice = q.lowerLimit; // a buy that rests in the book
  }
  await warm.close();
  const token = tokens.tokens.get(tokenStoreKey('live', SIM_DEFAULT_CREDENTIALS.appKey))!;
  await sim.fault(`latency::*:${LATENCY_MS}`);

  const rows: Row[] = [];
  let runNo = 0;
  async function measure(
    run: string, limiter: 'redis' | 'seed', processes: number, opts: { spurious?: number; orders?: number } = {},
  ): Promise<Row> {
    await sim.spurious(opts.spurious ?? 0);
    await delay(1_100); // the simulator's window forgets the previous run
    const budget = rateBudgetOptions(CONFIG, `bench:budget:${process.pid}:${++runNo}`, RATE);
    const specs: WorkerSpec[] = Array.from({ length: processes }, (_, i) => ({
      limiter, simUrl: sim.url, redisUrl: redisInfo.url, budget, token,
      reads: Math.floor(READS / processes) + (i < READS % processes ? 1 : 0),
      orders: i === 0 ? opts.orders ?? 0 : 0, orderPrice,
    }));
    const before = await sim.stats();
    const { seconds, results } = await runProcesses(specs);
    const after = await sim.stats();
    const rates = results.flatMap((r) => r.rates);
    const waits = results.flatMap((r) => r.orderWaitsMs);
    const answers = results.flatMap((r) => r.orderAnswerMs);
    for (const f of results.flatMap((r) => r.failures)) process.stderr.write(`  ${run} (${limiter}): ${f}\n`);
    const spurious = after.spurious - before.spurious;
    const row: Row = {
      run, limiter: limiter === 'redis' ? 'redis budget' : 'seed LeakyBucket', processes,
      seconds, ratio: seconds / BOUND_S,
      egw00201: after.rateLimited - before.rateLimited - spurious, spurious, requests: after.requests - before.requests,
      failed: results.reduce((n, r) => n + r.failed, 0), answered: results.reduce((n, r) => n + r.answered, 0),
      rateMin: rates.length ? Math.min(...rates) : null, rateMedian: median(rates),
      orderWaitMaxMs: waits.length ? Math.max(...waits) : null,
      orderAnswerMaxMs: answers.length ? Math.max(...answers) : null,
      checks: [],
    };
    rows.push(row);
    return row;
  }
  const check = (row: Row, what: string, figure: number, target: number, unit = ''): void => {
    row.checks.push({ what, figure, target, unit, ok: figure <= target });
  };

  for (const processes of [1, 2]) {
    const ours = await measure(`${processes} process${processes > 1 ? 'es' : ''}`, 'redis', processes);
    check(ours, 'elapsed ÷ bound', ours.ratio, 1.05);
    check(ours, 'EGW00201 (from the venue limit)', ours.egw00201, 0);
    check(ours, 'reads not answered', ours.failed, 0);
    await measure(`${processes} process${processes > 1 ? 'es' : ''}`, 'seed', processes);
  }
  const noisy = await measure('20 % spurious EGW00201', 'redis', 1, { spurious: SPURIOUS });
  check(noisy, 'elapsed ÷ bound', noisy.ratio, 3);
  check(noisy, 'reads not answered', noisy.failed, 0);
  await measure('20 % spurious EGW00201', 'seed', 1, { spurious: SPURIOUS });
  const lanes = await measure(`lanes: ${ORDERS} orders during the reads`, 'redis', 1, { orders: ORDERS });
  // an order takes its lane's own slot and holds the other lanes' sends: about one slot (rate-budget-script.ts)
  check(lanes, 'order-lane grant wait, max', lanes.orderWaitMaxMs ?? Infinity, Math.ceil(3 * SLOT_MS), ' ms');
  check(lanes, 'reads and orders not answered', lanes.failed, 0);
  await measure(`lanes: ${ORDERS} orders during the reads`, 'seed', 1, { orders: ORDERS });

  const out = (s: string) => { process.stdout.write(`${s}\n`); };
  out(`${READS} quote reads per run, issued at once (split evenly over the processes), both limiters at the default`);
  out(`live rate ${RATE}/s (kis.rate.liveCallsPerSec); simulator: live limit ${VENUE_RATE}/s per app key,`);
  out(`+${LATENCY_MS} ms per request; bound = ${READS} / ${RATE} = ${BOUND_S.toFixed(1)} s.`);
  out('Targets apply to the Redis budget; the seed\'s limiter is reference.');
  out('');
  out(`${'run'.padEnd(32)} ${'limiter'.padEnd(17)} ${'s'.padStart(6)} ${'÷bound'.padStart(7)} `
    + `${'EGW00201'.padStart(8)} `
    + `${'spurious'.padStart(12)} ${'failed'.padStart(6)}  rate min/median  order wait/answer max`);
  for (const r of rows) {
    const rate = r.rateMin === null ? '—' : `${r.rateMin.toFixed(1)}/${(r.rateMedian ?? 0).toFixed(1)}`;
    const spur = r.spurious === 0 ? '0' : `${r.spurious} (${Math.round(100 * r.spurious / Math.max(1, r.requests))} %)`;
    const order = r.orderWaitMaxMs === null ? '—'
      : `${r.orderWaitMaxMs.toFixed(0)} / ${(r.orderAnswerMaxMs ?? 0).toFixed(0)} ms`;
    out(`${r.run.padEnd(32)} ${r.limiter.padEnd(17)} ${r.seconds.toFixed(2).padStart(6)} `
      + `${r.ratio.toFixed(3).padStart(7)} ${String(r.egw00201).padStart(8)} ${spur.padStart(12)} ${String(r.failed).padStart(6)}  `
      + `${rate.padEnd(15)}  ${order}`);
  }
  out('');
  let missed = 0;
  for (const r of rows) {
    for (const c of r.checks) {
      if (!c.ok) missed += 1;
      const fig = Number.isInteger(c.figure) ? String(c.figure) : c.figure.toFixed(3);
      const line = `${c.ok ? 'ok  ' : 'MISS'} ${`${r.run}: ${c.what}`.padEnd(62)} ${`${fig}${c.unit}`.padStart(10)}`;
      out(`${line}   target ≤ ${c.target}${c.unit}`);
    }
  }
  out(JSON.stringify({ reads: READS, rate: RATE, venueRate: VENUE_RATE, latencyMs: LATENCY_MS, rows }));

  return missed;
}

runBench(main);
