import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { defaultConfig } from '../../../src/config/index.js';
import { stockCode } from '../../../src/domain/index.js';
import type { RateBudget, StockCode } from '../../../src/domain/index.js';
import type { RedisRateBudget } from '../../../src/redis/index.js';
import { createMemoryTokenStore } from '../../helpers/kis-fakes.js';
import { budgetFor, createJumpClock, simClient, startSim } from './sim-harness.js';

let redis: Redis;
beforeAll(() => { redis = new Redis(inject('redisUrl')); });
afterAll(async () => { await redis.quit(); });
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const codes: StockCode[] = ['005930', '000660', '035420'].map(stockCode);

/**
 * The shared rate as the budget itself reports it, sampled after every grant; the run is aborted
 * the moment it reaches the floor, so a budget that stays there fails fast instead of crawling.
 */
function sampled(budget: RedisRateBudget, floor: number, abort: AbortController): {
  budget: RateBudget; samples: number[];
} {
  const samples: number[] = [];
  return {
    samples,
    budget: {
      acquire: async (lane, signal) => {
        const waited = await budget.acquire(lane, signal);
        const rate = await budget.currentRate();
        samples.push(rate);
        if (rate <= floor + 1e-6) abort.abort(new Error(`shared rate pinned at its ${floor}/s floor`));
        return waited;
      },
      penalize: () => budget.penalize(),
      currentRate: () => budget.currentRate(),
    },
  };
}

describe('adaptive slow-down under spurious EGW00201 (issue 13)', () => {
  it('20 % spurious EGW00201: the rate is cut, climbs back, never sits at its floor, every read answered', async () => {
    const rate = defaultConfig().kis.rate.liveCallsPerSec;
    const floor = 1;
    const clock = createJumpClock();
    const { sim, url } = await startSim('live', clock);
    const redisBudget = budgetFor(redis, 'live', rate);
    const abort = new AbortController();
    setMaxListeners(200, abort.signal);
    const { budget, samples } = sampled(redisBudget, floor, abort);
    const client = simClient({
      env: 'live', url, clock, redis, lockPrefix: `test:${randomUUID()}:`, tokenStore: createMemoryTokenStore(),
      rateBudget: budget,
    });
    cleanups.push(async () => { await client.close(); await sim.stop(); });
    await client.tokens.get();
    for (const c of codes) await client.market.quote(c);
    samples.length = 0;
    // a fifth of all quote answers are EGW00201, drawn from the simulator's seed, whatever the pace
    sim.faults.inject({ kind: 'rate-limit', match: { path: 'inquire-price' }, times: Infinity, probability: 0.2 });
    const before = sim.stats().rateLimited;

    const results = await Promise.allSettled(Array.from({ length: 80 }, (_, i) =>
      client.market.quote(codes[i % codes.length]!, { lane: 'scan', signal: abort.signal })));

    const refused = sim.stats().rateLimited - before;
    const failed = results.filter((r) => r.status === 'rejected').map((r) => String((r).reason));
    expect(abort.signal.aborted ? String(abort.signal.reason) : 'never at the floor').toBe('never at the floor');
    expect(failed).toEqual([]);
    expect(refused).toBeGreaterThanOrEqual(8);
    const lowest = Math.min(...samples);
    expect(lowest).toBeLessThan(rate);
    // additive increase: after its lowest point the rate was seen higher again
    expect(Math.max(...samples.slice(samples.indexOf(lowest)))).toBeGreaterThan(lowest);
    // and over the second half of the run it mostly stayed well clear of the floor
    const late = samples.slice(samples.length / 2).sort((x, y) => x - y);
    expect(late[Math.floor(late.length / 2)]).toBeGreaterThanOrEqual(rate / 3);
  }, 60_000);
});
