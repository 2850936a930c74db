import { randomBytes } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { Queue, Worker } from 'bullmq';
import type { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Config } from '../config/index.js';
import { krw, shares } from '../domain/index.js';
import type { BacktestUniverse } from '../backtest/index.js';
import type { DailyBar, RankingSnapshot, StockCode, TradingDate } from '../domain/index.js';
import type { PointBars, PointJob, PointResult, PointRunner, SimMarketSpec } from './backtest-point.js';

/**
 * A sweep spread over machines (docs/backtest.md, distributed sweep): `kis-trader sweep --redis URL`
 * puts the bars in Redis once and each point in the `sweep` queue as a BullMQ job; `kis-trader
 * sweep-worker --redis URL` processes take the jobs and answer with the point's summary and hash as
 * the job's return value. A worker that dies holding a point leaves the job stalled; after
 * `lockMs` another worker's stall check puts it back in the queue and it is run again (a point is a
 * pure function of its inputs, so running it twice is harmless).
 */
export const SWEEP_QUEUE = 'sweep';

/** How often a point may be left by a dead worker before the sweep gives up on it. */
const MAX_STALLS = 5;

/** The job's data: clear text in Redis, so the config's keys only (app keys live in the environment). */
interface PointData { sweep: string; index: number; config: Config; from: TradingDate; to: TradingDate }

const barsKey = (prefix: string, sweep: string): string => `${prefix}:${SWEEP_QUEUE}:${sweep}:bars`;
/** Custom job ids may not contain ':' nor be all digits (docs/stack.md §1.3). */
const jobIdOf = (sweep: string, index: number): string => `s${sweep}.${index}`;

type BarRow = [string, number, number, number, number, number, number];

/** The bars, and the universe with its recorded scans, as gzip'd JSON: a row per bar without field names. */
export function packBars(data: PointBars): Buffer {
  const bars: [string, BarRow[]][] = [...data.bars].map(([symbol, list]) => [
    symbol, list.map((b): BarRow => [b.date, b.open, b.high, b.low, b.close, b.volume, b.value]),
  ]);
  const universe = data.universe && {
    mode: data.universe.mode, recorded: data.universe.recorded ? [...data.universe.recorded] : null,
  };
  return gzipSync(JSON.stringify({ names: data.names, bars, universe, sim: data.sim ?? null }));
}

interface Packed {
  names: Record<string, string>;
  bars: [string, BarRow[]][];
  universe?: { mode: BacktestUniverse['mode']; recorded: [TradingDate, RankingSnapshot[]][] | null };
  sim: SimMarketSpec | null;
}

export function unpackBars(buf: Buffer): PointBars {
  const raw = JSON.parse(gunzipSync(buf).toString('utf8')) as Packed;
  const bars = new Map<StockCode, DailyBar[]>();
  for (const [symbol, rows] of raw.bars) {
    bars.set(symbol as StockCode, rows.map(([date, open, high, low, close, volume, value]) => ({
      symbol: symbol as StockCode, date: date as TradingDate, open: krw(open), high: krw(high), low: krw(low),
      close: krw(close), volume: shares(volume), value: krw(value),
    })));
  }
  const sim = raw.sim ? { sim: raw.sim } : {};
  if (!raw.universe) return { bars, names: raw.names, ...sim };
  const { mode, recorded } = raw.universe;
  return { bars, names: raw.names, universe: { mode, ...(recorded ? { recorded: new Map(recorded) } : {}) }, ...sim };
}

export interface QueueRunnerOptions {
  connection: Redis;
  prefix: string;
  data: PointBars;
  /** how often to look for finished points */
  pollMs?: number;
  /** called once when no sweep-worker has taken a point for `idleWarnMs` */
  onIdle?: (waitedMs: number) => void;
  idleWarnMs?: number;
}

/**
 * The coordinator's side. Results are read from the finished jobs themselves (polled, not from the
 * events stream, which is trimmed: docs/stack.md §1.10), then the jobs are removed. A point that
 * failed every attempt fails the sweep with its reason; `close` removes what is left of the sweep
 * (its waiting points and the bars), so an interrupted sweep leaves no work behind.
 */
export function queuePointRunner(opts: QueueRunnerOptions): PointRunner {
  const sweep = randomBytes(6).toString('hex');
  const queue = new Queue<PointData, PointResult>(SWEEP_QUEUE, { connection: opts.connection, prefix: opts.prefix });
  queue.on('error', () => undefined);
  const key = barsKey(opts.prefix, sweep);
  let stored = false;
  const pollMs = opts.pollMs ?? 200;
  const issued = new Set<string>();
  const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

  const run = async (jobs: readonly PointJob[], onDone?: (done: number) => void): Promise<PointResult[]> => {
    if (!stored) {
      // a day is longer than any sweep; the key outlives a coordinator killed before close()
      await opts.connection.set(key, packBars(opts.data), 'EX', 86_400);
      stored = true;
    }
    const place = new Map<string, number>();
    await queue.addBulk(jobs.map((j, i) => {
      const jobId = jobIdOf(sweep, j.index);
      place.set(jobId, i);
      issued.add(jobId);
      return {
        name: 'point', data: { sweep, index: j.index, config: j.config, from: j.from, to: j.to },
        // kept until read here; a day at most if this coordinator dies first
        opts: { jobId, attempts: 2, removeOnComplete: { age: 86_400 }, removeOnFail: { age: 86_400 } },
      };
    }));
    const results = new Array<PointResult>(jobs.length);
    let done = 0;
    const started = Date.now();
    let warned = false;
    while (done < jobs.length) {
      const failed = (await queue.getJobs(['failed'])).find((j) => j.id !== undefined && place.has(j.id));
      if (failed) throw new Error(`sweep: point ${failed.data.index + 1} failed on a sweep-worker: ${failed.failedReason}`);
      const mine = (await queue.getJobs(['completed'])).filter((j) => j.id !== undefined && place.has(j.id));
      for (const job of mine) {
        const id = job.id!;
        results[place.get(id)!] = job.returnvalue;
        place.delete(id);
        issued.delete(id);
        await job.remove();
        done += 1;
        onDone?.(done);
      }
      if (mine.length > 0) continue;
      if (!warned && done === 0 && opts.onIdle && Date.now() - started >= (opts.idleWarnMs ?? 10_000)) {
        const active = await queue.getActiveCount();
        if (active === 0) {
          warned = true;
          opts.onIdle(Date.now() - started);
        }
      }
      await sleep(pollMs);
    }
    return results;
  };

  const close = async (): Promise<void> => {
    for (const id of issued) await queue.remove(id).catch(() => 0);
    issued.clear();
    if (stored) await opts.connection.del(key);
    await queue.close();
  };
  return { run, close };
}

/** What runs a point on a sweep-worker: a pool per sweep's bars (cli/sweep-pool.ts threadPool). */
export interface PointPool {
  submit(job: PointJob): Promise<PointResult>;
  close(): Promise<void>;
}

export interface SweepWorkerOptions {
  connection: Redis;
  prefix: string;
  /** points run at once (each on a thread of its own pool) */
  concurrency: number;
  /** a point held this long by a worker that stopped renewing its lock is run again elsewhere */
  lockMs: number;
  poolFor(data: PointBars): PointPool;
  onPoint?: (e: { sweep: string; index: number; state: 'started' | 'done' | 'failed'; error?: string }) => void;
}

export interface SweepWorkerHandle { close(): Promise<void> }

/**
 * The sweep-worker's side. Points run on worker threads, so this process's event loop stays free to
 * renew job locks however long a point takes. The bars of the latest two sweeps are kept; an older
 * sweep's pool is closed.
 */
export function serveSweepQueue(opts: SweepWorkerOptions): SweepWorkerHandle {
  const pools = new Map<string, Promise<PointPool>>();
  const poolOf = (sweep: string): Promise<PointPool> => {
    let pool = pools.get(sweep);
    if (pool) return pool;
    pool = opts.connection.getBuffer(barsKey(opts.prefix, sweep)).then((buf) => {
      if (buf === null) throw new Error(`the bars of sweep ${sweep} are gone from Redis (the sweep ended or was interrupted)`);
      return opts.poolFor(unpackBars(buf));
    });
    pools.set(sweep, pool);
    pool.catch(() => pools.delete(sweep));
    while (pools.size > 2) {
      const [oldest, old] = pools.entries().next().value as [string, Promise<PointPool>];
      pools.delete(oldest);
      void old.then((p) => p.close(), () => undefined);
    }
    return pool;
  };
  const worker = new Worker<PointData, PointResult>(SWEEP_QUEUE, async (job: Job<PointData, PointResult>) => {
    const { sweep, index, config, from, to } = job.data;
    opts.onPoint?.({ sweep, index, state: 'started' });
    try {
      const result = await (await poolOf(sweep)).submit({ index, config, from, to });
      opts.onPoint?.({ sweep, index, state: 'done' });
      return result;
    } catch (e) {
      opts.onPoint?.({ sweep, index, state: 'failed', error: e instanceof Error ? e.message : String(e) });
      throw e;
    }
  }, {
    connection: opts.connection, prefix: opts.prefix, concurrency: opts.concurrency,
    lockDuration: opts.lockMs, stalledInterval: opts.lockMs, maxStalledCount: MAX_STALLS,
  });
  worker.on('error', () => undefined);
  return {
    close: async () => {
      await worker.close();
      await Promise.all([...pools.values()].map((p) => p.then((x) => x.close(), () => undefined)));
      pools.clear();
    },
  };
}
