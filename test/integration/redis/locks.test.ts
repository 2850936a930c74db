import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { isAppError } from '../../../src/domain/index.js';
import { acquireInstanceLock, createRedisLock } from '../../../src/redis/index.js';

let a: Redis;
let b: Redis;
beforeAll(() => {
  a = new Redis(inject('redisUrl'));
  b = new Redis(inject('redisUrl'));
});
afterAll(async () => {
  await a.quit();
  await b.quit();
});

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((r) => { resolve = r; });
  return { promise, resolve };
}

describe('Redis lock', () => {
  it('excludes holders across connections', async () => {
    const name = `test-${randomUUID()}`;
    const locks = [createRedisLock(a), createRedisLock(b)];
    let inside = 0;
    let most = 0;
    let entered = 0;
    await Promise.all(Array.from({ length: 12 }, (_, i) => locks[i % 2]!.withLock(name, 5_000, 10_000, async () => {
      inside++;
      entered++;
      most = Math.max(most, inside);
      await delay(5);
      inside--;
    })));
    expect(entered).toBe(12);
    expect(most).toBe(1);
  });

  it('gives up with REDIS_LOCK_HELD after waitMs', async () => {
    const name = `test-${randomUUID()}`;
    const hold = deferred();
    const entered = deferred();
    const holder = createRedisLock(a).withLock(name, 5_000, 1_000, async () => { entered.resolve(); await hold.promise; });
    await entered.promise;
    let err: unknown;
    try { await createRedisLock(b).withLock(name, 5_000, 150, () => Promise.resolve('never')); } catch (e) { err = e; }
    expect(isAppError(err, 'REDIS_LOCK_HELD')).toBe(true);
    hold.resolve();
    await holder;
    expect(await createRedisLock(b).withLock(name, 5_000, 150, () => Promise.resolve('now'))).toBe('now');
  });

  it('keeps the lock while the holder works past its TTL', async () => {
    const name = `test-${randomUUID()}`;
    await createRedisLock(a).withLock(name, 150, 1_000, async () => {
      await delay(500);
      expect(await b.pttl(`lock:${name}`)).toBeGreaterThan(0);
    });
    expect(await b.exists(`lock:${name}`)).toBe(0);
  });

  it('never releases a lock somebody else holds now', async () => {
    const name = `test-${randomUUID()}`;
    await createRedisLock(a).withLock(name, 5_000, 1_000, async () => {
      await b.set(`lock:${name}`, 'someone-else');
    });
    expect(await b.get(`lock:${name}`)).toBe('someone-else');
  });
});

describe('instance lock', () => {
  it('refuses a second holder at once, naming the lock', async () => {
    const name = `acct-${randomUUID()}`;
    const first = await acquireInstanceLock(a, name, 2_000);
    let err: unknown;
    try { await acquireInstanceLock(b, name, 2_000); } catch (e) { err = e; }
    expect(isAppError(err, 'REDIS_LOCK_HELD')).toBe(true);
    expect((err as Error).message).toContain(name);
    expect((err as Error).message).toContain('another daemon');
    await first.release();
    const second = await acquireInstanceLock(b, name, 2_000);
    await second.release();
  });

  it('stays held beyond its TTL through refreshes', async () => {
    const name = `acct-${randomUUID()}`;
    const held = await acquireInstanceLock(a, name, 150);
    await delay(500);
    let err: unknown;
    try { await acquireInstanceLock(b, name, 150); } catch (e) { err = e; }
    expect(isAppError(err, 'REDIS_LOCK_HELD')).toBe(true);
    await held.release();
  });

  it('reports `lost` when the key is no longer ours', async () => {
    const name = `acct-${randomUUID()}`;
    const held = await acquireInstanceLock(a, name, 300);
    await b.set(`instance:${name}`, 'intruder');
    const outcome = await Promise.race([held.lost.then(() => 'lost'), delay(5_000).then(() => 'timeout')]);
    expect(outcome).toBe('lost');
    await held.release();
    expect(await b.get(`instance:${name}`)).toBe('intruder');
  });
});
