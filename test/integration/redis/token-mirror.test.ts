import { afterAll, describe, expect, inject, it } from 'vitest';
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { epochMs, silentLogger } from '../../../src/domain/index.js';
import { memoryTokenStore, mirrorTokensToRedis } from '../../../src/runtime/index.js';
import { sealTokenStore } from '../../../src/store/index.js';

/** The owner's KIS token reaches a `workers` process through Redis, sealed (runtime/token-mirror.ts). */
const redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: null });
afterAll(async () => { await redis.quit(); });

describe('the token mirror', () => {
  it('hands the owner\'s token to a worker, encrypted in Redis, and its clear and attempt too', async () => {
    const prefix = `t-${randomUUID().slice(0, 8)}`;
    const ownerInner = memoryTokenStore();
    const owner = mirrorTokensToRedis(ownerInner, redis, prefix, silentLogger);
    const worker = mirrorTokensToRedis(memoryTokenStore(), redis, prefix, silentLogger);
    const ownerSealed = sealTokenStore(owner, 'secret');
    const workerSealed = sealTokenStore(worker, 'secret');
    const token = { token: 'the-access-token', expiresAt: epochMs(2_000_000), issuedAt: epochMs(1_000_000) };
    ownerSealed.recordIssueAttempt('live:abc', epochMs(999_000));
    ownerSealed.save('live:abc', token);
    await owner.pull('live:abc');

    expect(workerSealed.load('live:abc')).toBeNull();
    await worker.pull('live:abc');
    expect(workerSealed.load('live:abc')).toEqual(token);
    expect(workerSealed.lastIssueAttempt('live:abc')).toBe(999_000);
    expect(JSON.stringify(await redis.hgetall(`${prefix}:kis-token:live:abc`))).not.toContain('the-access-token');

    ownerSealed.clear('live:abc');
    await owner.pull('live:abc');
    await worker.pull('live:abc');
    expect(workerSealed.load('live:abc')).toBeNull();
    await redis.del(`${prefix}:kis-token:live:abc`);
  });
});
