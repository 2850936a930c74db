import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { silentLogger, stockCode } from '../../../src/domain/index.js';
import type { KisClient } from '../../../src/kis/index.js';
import { mirrorTokensToRedis } from '../../../src/runtime/index.js';
import { SIM_DEFAULT_CREDENTIALS } from '../../../src/sim/index.js';
import type { Simulator } from '../../../src/sim/index.js';
import { openStore, sealTokenStore } from '../../../src/store/index.js';
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

  it('a process on another machine, its own SQLite file, takes the token from the shared Redis', async () => {
    const clock = createJumpClock();
    const { sim: s, url } = await sim(clock);
    const lockPrefix = `test:${randomUUID()}:`;
    const prefix = `t-${randomUUID().slice(0, 8)}`;
    const budget = budgetFor(redis, 'live', 20);
    const secret = SIM_DEFAULT_CREDENTIALS.appSecret;
    // each "machine": its own SQLite file and its own Redis connection; one Redis server, one prefix
    const machine = (r: Redis) => mirrorTokensToRedis(sealTokenStore(tempDb(clock).open().tokens, secret), {
      redis: r, prefix, appSecret: secret, clock, log: silentLogger,
    });
    const other = new Redis(inject('redisUrl'));
    cleanups.push(async () => { await other.quit(); });
    const setup = { env: 'live' as const, url, clock, lockPrefix, rateBudget: budget };
    const a = track(simClient({ ...setup, redis, tokenStore: machine(redis) }));
    await a.market.quote(stockCode('005930'));
    const bStore = machine(other);
    const b = track(simClient({ ...setup, redis: other, tokenStore: bStore }));
    await b.market.quote(stockCode('000660'));
    expect(s.stats().byPath['/oauth2/tokenP']).toBe(1);
    expect(s.stats().tokensIssued).toBe(1);
    // nobody sat out KIS's minute (EGW00133)
    expect(clock.jumped()).toBe(0);
    expect(b.tokens.current()?.token).toBe(a.tokens.current()?.token);
    // and it is in B's own store now: B's restart needs neither Redis nor KIS
    expect(bStore.load(b.tokens.storeKey)?.token).toBe(a.tokens.current()?.token);
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
