import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { krw, kstDateOf, shares, stockCode } from '../../../src/domain/index.js';
import type { StockCode } from '../../../src/domain/index.js';
import { createRedisRateBudget } from '../../../src/redis/index.js';
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

describe('rate limiting under concurrency', () => {
  /**
   * The simulator counts calls in a sliding one-second window at the moment it handles them, in
   * this same process: the first request for a symbol makes it build that symbol's day, stalling
   * the event loop for a while and bunching the requests queued behind into one window. Warming
   * every symbol first keeps the simulator's own stalls out of a test of the client's pacing.
   */
  async function warm(client: ReturnType<typeof simClient>): Promise<void> {
    await client.tokens.get();
    for (const c of codes) await client.market.quote(c);
  }

  it('60 concurrent reads at the configured budget (live 18/s; venue 20/s) never see EGW00201', async () => {
    const clock = createJumpClock();
    const { sim, url } = await startSim('live', clock);
    const budget = budgetFor(redis, 'live', 18);
    const client = simClient({ env: 'live', url, clock, redis, lockPrefix: `test:${randomUUID()}:`, tokenStore: createMemoryTokenStore(), rateBudget: budget });
    cleanups.push(async () => { await client.close(); await sim.stop(); });
    await warm(client);
    const quotes = await Promise.all(Array.from({ length: 60 }, (_, i) => client.market.quote(codes[i % codes.length]!)));
    expect(quotes.every((q) => q.price > 0)).toBe(true);
    expect(sim.stats().rateLimited).toBe(0);
    expect(await budget.currentRate()).toBe(18);
  });

  /**
   * At exactly the venue's rate only `spacingMargin` × 1 s of jitter separates a full window from
   * EGW00201, and the in-process simulator stalls for longer than 20 ms now and then (matching
   * catch-up): paper needs real headroom, here 10 % (recommended for the paper config too).
   */
  it('two clients sharing one budget key stay under paper’s 2/s', async () => {
    const clock = createJumpClock();
    const { sim, url } = await startSim('paper', clock);
    const key = `test:kis:paper:${randomUUID()}`;
    const other = new Redis(inject('redisUrl'));
    const store = createMemoryTokenStore();
    const lockPrefix = `test:${randomUUID()}:`;
    const a = simClient({ env: 'paper', url, clock, redis, lockPrefix, tokenStore: store, rateBudget: createRedisRateBudget(redis, { key, ratePerSec: 2, spacingMargin: 0.1 }) });
    const b = simClient({ env: 'paper', url, clock, redis: other, lockPrefix, tokenStore: store, rateBudget: createRedisRateBudget(other, { key, ratePerSec: 2, spacingMargin: 0.1 }) });
    cleanups.push(async () => { await a.close(); await b.close(); await other.quit(); await sim.stop(); });
    await warm(a);
    await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? a : b).market.quote(codes[i % codes.length]!)));
    expect(sim.stats().rateLimited).toBe(0);
  });
});

describe('continuation paging on paper', () => {
  it('lists all 17 orders of the day although paper pages hold 15', async () => {
    const clock = createJumpClock();
    // the venue's rate limit is not what this test is about: lift it to place the orders quickly
    const { sim, url } = await startSim('paper', clock, { rateLimitPerSec: 100 });
    const client = simClient({ env: 'paper', url, clock, redis, lockPrefix: `test:${randomUUID()}:`, tokenStore: createMemoryTokenStore(),
      rateBudget: budgetFor(redis, 'paper', 100) }, { useHashkey: false });
    cleanups.push(async () => { await client.close(); await sim.stop(); });
    const q = await client.market.quote(codes[0]!);
    const placed: string[] = [];
    for (let i = 0; i < 17; i++) {
      placed.push((await client.broker.placeOrder({ symbol: codes[0]!, side: 'buy', type: 'limit', qty: shares(1), price: krw(q.lowerLimit) })).venueOrderId);
    }
    const before = sim.stats().requests;
    const orders = await client.broker.dailyOrders(kstDateOf(clock.now()));
    expect(sim.stats().requests - before).toBe(2);
    expect(orders.map((o) => o.venueOrderId)).toEqual(placed);
    expect(new Set(orders.map((o) => o.venueOrderId)).size).toBe(17);
    const open = await client.broker.openOrders();
    expect(open).toHaveLength(17);
  });
});
