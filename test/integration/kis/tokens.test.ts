import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { stockCode } from '../../../src/domain/index.js';
import type { KisClient } from '../../../src/kis/index.js';
import type { Simulator } from '../../../src/sim/index.js';
import { openStore } from '../../../src/store/index.js';
import type { Store } from '../../../src/store/index.js';
import { budgetFor, createJumpClock, simClient, startSim } from './sim-harness.js';

/**
 * The token lives in SQLite (store.tokens) and is issued under a Redis lock, so neither a
 * restart nor a second process issues another one — KIS allows one issuance a minute and
 * texts the account holder for each (docs/kis-wire.md §3.1).
 */
let redis: Redis;
beforeAll(() => { redis = new Redis(inject('redisUrl')); });
afterAll(async () => { await redis.quit(); });

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tempDb(clock: ReturnType<typeof createJumpClock>): { open: () => Store } {
  const dir = mkdtempSync(join(tmpdir(), 'kis-token-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'trade.sqlite');
  return {
    open: () => {
      const s = openStore({ path, synchronous: 'FULL', clock });
      cleanups.push(() => s.close());
      return s;
    },
  };
}

async function sim(clock: ReturnType<typeof createJumpClock>): Promise<{ sim: Simulator; url: string }> {
  const s = await startSim('live', clock);
  cleanups.push(() => s.sim.stop());
  return s;
}

function track(c: KisClient): KisClient {
  cleanups.push(() => c.close());
  return c;
}

describe('KIS token across restarts and processes', () => {
  it('a new client on the same SQLite file reuses the token: one issuance in total', async () => {
    const clock = createJumpClock();
    const { sim: s, url } = await sim(clock);
    const db = tempDb(clock);
    const lockPrefix = `test:${randomUUID()}:`;
    const setup = { env: 'live' as const, url, clock, redis, lockPrefix };

    const first = simClient({ ...setup, tokenStore: db.open().tokens, rateBudget: budgetFor(redis, 'live', 20) });
    await first.market.quote(stockCode('005930'));
    await first.close();
    expect(s.stats().tokensIssued).toBe(1);

    // "restart": a fresh connection to the same file, a fresh client, ten minutes later
    clock.jump(10 * 60_000);
    const second = track(simClient({ ...setup, tokenStore: db.open().tokens, rateBudget: budgetFor(redis, 'live', 20) }));
    await second.market.quote(stockCode('005930'));
    await second.broker.balance();
    expect(s.stats().tokensIssued).toBe(1);
    expect(second.tokens.current()?.token).toBeTruthy();
  });

  it('two clients racing for a token issue once, serialized by the Redis lock', async () => {
    const clock = createJumpClock();
    const { sim: s, url } = await sim(clock);
    const db = tempDb(clock);
    const lockPrefix = `test:${randomUUID()}:`;
    const budget = budgetFor(redis, 'live', 20);
    // two "processes": separate SQLite connections and Redis clients, one file, one lock namespace
    const other = new Redis(inject('redisUrl'));
    cleanups.push(async () => { await other.quit(); });
    const a = track(simClient({ env: 'live', url, clock, redis, lockPrefix, tokenStore: db.open().tokens, rateBudget: budget }));
    const b = track(simClient({ env: 'live', url, clock, redis: other, lockPrefix, tokenStore: db.open().tokens, rateBudget: budget }));
    const [qa, qb] = await Promise.all([a.market.quote(stockCode('005930')), b.market.quote(stockCode('000660'))]);
    expect(qa.price).toBeGreaterThan(0);
    expect(qb.price).toBeGreaterThan(0);
    expect(s.stats().tokensIssued).toBe(1);
    // the loser of the race found the winner's token in the store: nobody hit 403 EGW00133 and waited
    expect(clock.jumped()).toBe(0);
    expect(a.tokens.current()?.token).toBe(b.tokens.current()?.token);
  });

  it('re-issues after an injected token expiry and retries the read once', async () => {
    const clock = createJumpClock();
    const { sim: s, url } = await sim(clock);
    const db = tempDb(clock);
    const c = track(simClient({ env: 'live', url, clock, redis, lockPrefix: `test:${randomUUID()}:`, tokenStore: db.open().tokens, rateBudget: budgetFor(redis, 'live', 20) }));
    await c.market.quote(stockCode('005930'));
    const before = c.tokens.current()?.token;
    s.faults.inject('token-expired:inquire-price:1');
    const q = await c.market.quote(stockCode('005930'));
    expect(q.price).toBeGreaterThan(0);
    expect(s.stats().tokensIssued).toBe(2);
    expect(c.tokens.current()?.token).not.toBe(before);
  });
});
