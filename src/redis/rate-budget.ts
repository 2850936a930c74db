import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { AppError, LANES, systemClock } from '../domain/index.js';
import type { Clock, Lane, RateBudget } from '../domain/index.js';
import { RATE_BUDGET_LUA } from './rate-budget-script.js';
import { runScript } from './script.js';

/**
 * The KIS call budget of one app key, shared by every process through Redis (docs/architecture.md §2
 * rule 2). The decision — go now, go in N ms on a reserved slot, or ask again in N ms — is one
 * atomic script on Redis TIME (rate-budget-script.ts); this side only sleeps what it is told,
 * with setTimeout, and honours an AbortSignal.
 */
export interface RedisRateBudgetOptions {
  /** one key per app key, e.g. `kis:budget:live:<app key id>` */
  key: string;
  ratePerSec: number;
  clock?: Clock;
  /** penalize() never goes below this; default min(rate, 1) */
  minRatePerSec?: number;
  /**
   * multiplicative decrease on EGW00201; default 0.7. At most one cut per `cutAtMostEveryMs`
   * (default 1000, one gateway window): the other EGW00201 of that moment are the same overload.
   */
  penaltyFactor?: number;
  cutAtMostEveryMs?: number;
  /** additive increase: calls/s regained per second, cut or no cut, up to `ratePerSec`; default rate / 5 */
  climbPerSec?: number;
  /** a waiter asks again at least this often (and a dead one lapses soon after); default 1000 */
  maxPollMs?: number;
  /** how long a waiter's registration outlives its expected poll; default 1000 */
  graceMs?: number;
  /**
   * headroom as a fraction, default 0.03: at 20/s slots are 51.5 ms apart and at most 20 sends
   * fall in any 1.03 s, so arrivals may jitter by 30 ms before a KIS-style one-second window
   * sees rate + 1 calls (docs/kis-wire.md §4). 0.02 saw the odd EGW00201 in bench/ on a busy machine.
   */
  spacingMargin?: number;
}

export interface BudgetGrant {
  waitedMs: number;
  /** the reserved slot on the Redis clock (µs since the epoch): slots are ≥ 1/rate apart */
  slotUs: number;
  /**
   * when the send was committed (Redis clock, µs): at most `rate` commits fall in any window of
   * 1 s × (1 + margin), however late callers wake
   */
  sentUs: number;
}

export interface RedisRateBudget extends RateBudget {
  acquireSlot(lane: Lane, signal?: AbortSignal): Promise<BudgetGrant>;
  /** as penalize(), and says whether it cut (false: a cut within `cutAtMostEveryMs` covered it) */
  penalizeOnce(): Promise<boolean>;
}

const IDLE_MS = 3_600_000;

export function createRedisRateBudget(redis: Redis, opts: RedisRateBudgetOptions): RedisRateBudget {
  const rate = opts.ratePerSec;
  const minRate = opts.minRatePerSec ?? Math.min(rate, 1);
  const cutEveryMs = opts.cutAtMostEveryMs ?? 1_000;
  const climb = opts.climbPerSec ?? rate / 5;
  const factor = opts.penaltyFactor ?? 0.7;
  const maxPollMs = opts.maxPollMs ?? 1_000;
  const graceMs = opts.graceMs ?? 1_000;
  const clock = opts.clock ?? systemClock;
  const margin = opts.spacingMargin ?? 0.03;
  if (!(margin >= 0 && margin < 1) || !(rate > 0) || !(minRate > 0) || minRate > rate || !(climb > 0)
    || !(factor > 0 && factor < 1) || !(cutEveryMs >= 0) || !(maxPollMs >= 1)) {
    throw new AppError('CONFIG_INVALID', `rate budget ${opts.key}: need rate > 0, 0 < minRate ≤ rate, 0 < factor < 1, `
      + '0 ≤ margin < 1, climb > 0, cutAtMostEveryMs ≥ 0 and maxPollMs ≥ 1');
  }
  // One hash slot for all keys ({…} tag), so the script also runs on a Redis Cluster.
  const tag = `{${opts.key}}`;
  const keys = [`${tag}:state`, ...LANES.map((l) => `${tag}:wait:${l}`), `${tag}:sent`, `${tag}:hold`];

  const run = (mode: string, lane: Lane, id: string) =>
    runScript(redis, RATE_BUDGET_LUA, keys, [
      mode, LANES.indexOf(lane) + 1, id, rate, minRate, cutEveryMs, climb, maxPollMs, graceMs, factor, IDLE_MS, margin,
    ]);

  async function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
    if (ms <= 0) return;
    try {
      await delay(ms, undefined, signal === undefined ? undefined : { signal });
    } catch (err) {
      throw signal?.aborted === true ? (signal.reason as unknown) : err;
    }
  }

  /** Logs the send right before it leaves; waits while the last window already holds `rate` sends. */
  async function commit(lane: Lane, id: string, signal: AbortSignal | undefined): Promise<number> {
    for (;;) {
      signal?.throwIfAborted();
      const c = (await run('commit', lane, id)) as [number, number, string];
      if (c[0] === 1) return Number(c[2]);
      await pause(c[1], signal);
    }
  }

  async function acquireSlot(lane: Lane, signal?: AbortSignal): Promise<BudgetGrant> {
    if (!LANES.includes(lane)) throw new AppError('CONFIG_INVALID', `unknown rate-budget lane "${String(lane)}"`);
    const id = randomUUID();
    const started = clock.now();
    let registered = false;
    try {
      for (;;) {
        signal?.throwIfAborted();
        const r = (await run('acquire', lane, id)) as [number, number, string, string];
        if (r[0] === 1) {
          // a granted order holds the other lanes' commits until it is sent: release it on failure
          registered = lane === 'order';
          await pause(r[1], signal);
          const sentUs = await commit(lane, id, signal);
          return { waitedMs: clock.now() - started, slotUs: Number(r[2]), sentUs };
        }
        registered = true;
        await pause(r[1], signal);
      }
    } catch (err) {
      if (registered) await run('leave', lane, id).catch(() => undefined);
      throw err;
    }
  }

  async function penalizeOnce(): Promise<boolean> {
    const r = (await run('penalize', 'order', '')) as [string, number];
    return r[1] === 1;
  }

  return {
    acquireSlot,
    acquire: async (lane, signal) => (await acquireSlot(lane, signal)).waitedMs,
    penalize: async () => {
      await penalizeOnce();
    },
    penalizeOnce,
    currentRate: async () => Number(((await run('rate', 'order', '')) as [string])[0]),
  };
}
