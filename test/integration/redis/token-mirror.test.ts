import { afterAll, describe, expect, inject, it } from 'vitest';
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { epochMs, silentLogger } from '../../../src/domain/index.js';
import type { Logger } from '../../../src/domain/index.js';
import { memoryTokenStore, mirrorTokensToRedis, tokenMirrorKey } from '../../../src/runtime/index.js';
import type { TokenMirrorOptions } from '../../../src/runtime/index.js';
import { sealTokenStore } from '../../../src/store/index.js';

/**
 * The KIS token shared through Redis, sealed under the app secret (runtime/token-mirror.ts): a
 * process with its own store finds another's token there; Redis alone gives nothing usable.
 */
const redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: null });
afterAll(async () => { await redis.quit(); });

const NOW = epochMs(1_800_000_000_000);
const clock = { now: () => NOW };
const KEY = 'live:0123456789abcdef';
const TOKEN = {
  token: 'the-access-token-in-clear', expiresAt: epochMs(NOW + 86_400_000), issuedAt: epochMs(NOW - 1000),
};

function warnings(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const log: Logger = {
    debug: () => undefined, info: () => undefined, error: () => undefined, fatal: () => undefined,
    warn: (obj: unknown, msg?: string) => { lines.push(typeof obj === 'string' ? obj : msg ?? ''); },
    child: () => log,
  };
  return { log, lines };
}

function setup(appSecret = 'the-app-secret', log: Logger = silentLogger) {
  const prefix = `t-${randomUUID().slice(0, 8)}`;
  const opts = (secret: string, l: Logger = log): TokenMirrorOptions => ({
    redis, prefix, appSecret: secret, clock, log: l,
  });
  const a = mirrorTokensToRedis(sealTokenStore(memoryTokenStore(), appSecret), opts(appSecret));
  return { prefix, opts, key: tokenMirrorKey(prefix, KEY), a };
}

describe('the token shared through Redis', () => {
  it('hands one process\'s token and issuance attempt to another with its own store', async () => {
    const { a, opts, key } = setup();
    a.recordIssueAttempt(KEY, epochMs(NOW - 2000));
    a.save(KEY, TOKEN);
    await a.flush();
    const b = mirrorTokensToRedis(sealTokenStore(memoryTokenStore(), 'the-app-secret'), opts('the-app-secret'));
    expect(b.load(KEY)).toBeNull();
    await b.pull(KEY);
    expect(b.load(KEY)).toEqual(TOKEN);
    expect(b.lastIssueAttempt(KEY)).toBe(NOW - 2000);
    // expires with the token (the clock's remaining life of it)
    const ttl = await redis.pttl(key);
    expect(ttl).toBeGreaterThan(86_400_000 - 60_000);
    expect(ttl).toBeLessThanOrEqual(86_400_000);
    await redis.del(key);
  });

  it('keeps the token out of Redis in clear text; a wrong secret cannot open it: absent, warned', async () => {
    const { a, opts, key, prefix } = setup();
    a.save(KEY, TOKEN);
    await a.flush();
    const row = await redis.hgetall(key);
    expect(row.token).toBeDefined();
    const everything = JSON.stringify(row) + JSON.stringify(await redis.keys(`${prefix}:*`));
    expect(everything).not.toContain(TOKEN.token);
    expect(everything).not.toContain(Buffer.from(TOKEN.token).toString('base64'));
    // the Redis key names a hash of the app key, never a secret
    expect(everything).not.toContain('the-app-secret');

    const { log, lines } = warnings();
    const store = (secret: string) => sealTokenStore(memoryTokenStore(), secret);
    const wrong = mirrorTokensToRedis(store('another-secret'), opts('another-secret', log));
    await expect(wrong.pull(KEY)).resolves.toBeUndefined();
    expect(wrong.load(KEY)).toBeNull();
    await wrong.pull(KEY);
    expect(lines.filter((l) => /does not open/.test(l))).toHaveLength(1);
    // a damaged row is no token either
    await redis.hset(key, 'token', 'v1.garbage');
    const third = mirrorTokensToRedis(store('the-app-secret'), opts('the-app-secret', log));
    await third.pull(KEY);
    expect(third.load(KEY)).toBeNull();
    await redis.del(key);
  });

  it('a token dropped here leaves a newer one another process put in Redis since', async () => {
    const { a, opts, key } = setup();
    a.save(KEY, TOKEN);
    await a.flush();
    const b = mirrorTokensToRedis(sealTokenStore(memoryTokenStore(), 'the-app-secret'), opts('the-app-secret'));
    const newer = { ...TOKEN, token: 'newer-token', issuedAt: epochMs(NOW) };
    b.save(KEY, newer);
    await b.flush();
    a.clear(KEY);
    await a.flush();
    await a.pull(KEY);
    expect(a.load(KEY)).toEqual(newer);
    b.clear(KEY);
    await b.flush();
    const c = mirrorTokensToRedis(sealTokenStore(memoryTokenStore(), 'the-app-secret'), opts('the-app-secret'));
    await c.pull(KEY);
    expect(c.load(KEY)).toBeNull();
    await redis.del(key);
  });

  it('a Redis that does not answer is no token, with a warning, never a crash', async () => {
    const { log, lines } = warnings();
    const dead = new Redis('redis://127.0.0.1:1', {
      lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false,
    });
    dead.on('error', () => undefined);
    const m = mirrorTokensToRedis(sealTokenStore(memoryTokenStore(), 's'), {
      redis: dead, prefix: 'p', appSecret: 's', clock, log,
    });
    m.save(KEY, TOKEN);
    await m.flush();
    expect(m.load(KEY)).toEqual(TOKEN);
    await expect(m.pull(KEY)).resolves.toBeUndefined();
    expect(lines.length).toBeGreaterThanOrEqual(2);
    dead.disconnect();
  });
});
