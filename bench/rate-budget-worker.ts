/**
 * One client process of bench/rate-budget.ts: the production KIS client with either limiter,
 * driven over IPC. Receives {cmd:'run', spec}, builds its client, answers {ready}; on {cmd:'go'}
 * issues all its reads at once (and, in a lanes run, a few orders while they are in flight),
 * answers {result} and exits. Both limiters are driven exactly the same way: only the limiter differs.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { Redis } from 'ioredis';
import {
  createShiftedClock, kstInstant, krw, shares, stockCode, systemClock, tradingDate,
} from '../src/domain/index.js';
import type { EpochMs, Lane, RateBudget, StoredToken, TokenStore } from '../src/domain/index.js';
import { createKisClient, tokenStoreKey } from '../src/kis/index.js';
import { createRedisLock, createRedisRateBudget } from '../src/redis/index.js';
import type { RedisRateBudget, RedisRateBudgetOptions } from '../src/redis/index.js';
import { SIM_DEFAULT_CREDENTIALS } from '../src/sim/index.js';

export interface WorkerSpec {
  limiter: 'redis' | 'seed';
  simUrl: string;
  redisUrl: string;
  /** ours: the shared budget's options (same key in every process of a run) */
  budget: RedisRateBudgetOptions;
  token: StoredToken;
  reads: number;
  /** lanes run: orders placed one by one while the reads are in flight; their price */
  orders: number;
  orderPrice: number;
}

export interface WorkerResult {
  answered: number;
  failed: number;
  failures: string[];
  /** ms each order-lane grant waited at the limiter */
  orderWaitsMs: number[];
  /** ms from deciding an order to its answer */
  orderAnswerMs: number[];
  /** the shared rate after every grant (ours only) */
  rates: number[];
}

type Message = { cmd: 'run'; spec: WorkerSpec } | { cmd: 'go' };

/**
 * The original Python client's limiter (`LeakyBucket` in its kis_api.py), ported line for line:
 * under an asyncio.Lock (FIFO) each caller waits until `interval` after the previous caller's
 * send, then stamps its own. One per process, nothing shared, no reaction to EGW00201.
 */
export function createSeedLeakyBucket(ratePerSec: number): RateBudget {
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

function memoryTokenStore(seed: StoredToken): TokenStore {
  const tokens = new Map<string, StoredToken>([[tokenStoreKey('live', SIM_DEFAULT_CREDENTIALS.appKey), seed]]);
  const attempts = new Map<string, EpochMs | null>();
  return {
    load: (k) => tokens.get(k) ?? null,
    save: (k, t) => { tokens.set(k, t); },
    clear: (k) => { tokens.delete(k); },
    lastIssueAttempt: (k) => attempts.get(k) ?? null,
    recordIssueAttempt: (k, at) => { attempts.set(k, at); },
  };
}

/** Records what each grant waited, per lane, and (ours) the shared rate after it. */
function recording(inner: RateBudget, shared: RedisRateBudget | null, out: WorkerResult): RateBudget {
  return {
    acquire: async (lane, signal) => {
      const waited = await inner.acquire(lane, signal);
      if (lane === 'order') out.orderWaitsMs.push(waited);
      if (shared) out.rates.push(await shared.currentRate());
      return waited;
    },
    penalize: () => inner.penalize(),
    currentRate: () => inner.currentRate(),
  };
}

async function run(spec: WorkerSpec, ready: Promise<void>): Promise<WorkerResult> {
  const redis = new Redis(spec.redisUrl);
  const result: WorkerResult = { answered: 0, failed: 0, failures: [], orderWaitsMs: [], orderAnswerMs: [], rates: [] };
  const shared = spec.limiter === 'redis' ? createRedisRateBudget(redis, spec.budget) : null;
  const limiter = shared ?? createSeedLeakyBucket(spec.budget.ratePerSec);
  const client = createKisClient({
    env: 'live', baseUrl: spec.simUrl, appKey: SIM_DEFAULT_CREDENTIALS.appKey,
    appSecret: SIM_DEFAULT_CREDENTIALS.appSecret, account: SIM_DEFAULT_CREDENTIALS.account,
    timeouts: { connectMs: 2_000, headersMs: 5_000, bodyMs: 5_000, totalMs: 10_000 },
    rateBudget: recording(limiter, shared, result), tokenStore: memoryTokenStore(spec.token),
    lock: createRedisLock(redis, { prefix: `bench:${process.pid}:` }),
    clock: createShiftedClock(systemClock, kstInstant(tradingDate('20260312'), '100000')),
  });
  if (shared) await shared.currentRate(); // connected and the script loaded before the start
  process.send?.({ ready: true });
  await ready;
  const symbols = ['005930', '000660', '035420'].map(stockCode);
  const reads = Promise.allSettled(Array.from({ length: spec.reads },
    (_, i) => client.market.quote(symbols[i % symbols.length]!, { lane: 'scan' })));
  if (spec.orders > 0) {
    await delay(2_000); // the burst is under way: the limiter holds a long queue of reads
    for (let i = 0; i < spec.orders; i++) {
      const t0 = performance.now();
      try {
        await client.broker.placeOrder({
          symbol: symbols[0]!, side: 'buy', type: 'limit', qty: shares(1), price: krw(spec.orderPrice),
        });
      } catch (err) {
        result.failed += 1;
        result.failures.push(`order: ${err instanceof Error ? err.message : String(err)}`);
      }
      result.orderAnswerMs.push(performance.now() - t0);
      await delay(1_000);
    }
  }
  for (const r of await reads) {
    if (r.status === 'fulfilled') result.answered += 1;
    else {
      result.failed += 1;
      const why = r.reason instanceof Error ? r.reason.message : String(r.reason);
      if (result.failures.length < 5) result.failures.push(why);
    }
  }
  await client.close();
  await redis.quit();
  return result;
}

let go!: () => void;
const ready = new Promise<void>((resolve) => { go = resolve; });
process.on('message', (m: Message) => {
  if (m.cmd === 'go') { go(); return; }
  run(m.spec, ready).then((result) => {
    process.send?.({ result }, () => { process.exit(0); });
  }, (err: unknown) => {
    process.stderr.write(`bench worker failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exit(1);
  });
});
process.on('disconnect', () => { process.exit(0); });
