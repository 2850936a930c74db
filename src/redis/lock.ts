import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { AppError } from '../domain/index.js';
import type { DistributedLock } from '../domain/index.js';
import { EXTEND_LUA, RELEASE_LUA } from './lock-scripts.js';
import { runScript } from './script.js';

/**
 * A mutex across processes: SET NX PX with a random token, released by compare-and-delete.
 * While `fn` runs the lock is extended every ttl/3, so `ttlMs` only bounds how long a crashed
 * holder blocks others, not how long `fn` may take. Waiters back off (25 ms growing ×1.5 up to
 * 500 ms, jittered) until `waitMs`, then get REDIS_LOCK_HELD.
 */
export function createRedisLock(redis: Redis, opts: { prefix?: string } = {}): DistributedLock {
  const prefix = opts.prefix ?? 'lock:';

  async function tryAcquire(key: string, token: string, ttlMs: number): Promise<boolean> {
    try {
      return (await redis.set(key, token, 'PX', ttlMs, 'NX')) === 'OK';
    } catch (err) {
      throw new AppError('REDIS_UNAVAILABLE', `Redis lock ${key}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  }

  return {
    async withLock<T>(name: string, ttlMs: number, waitMs: number, fn: () => Promise<T>): Promise<T> {
      const key = `${prefix}${name}`;
      const token = randomUUID();
      const deadline = Date.now() + waitMs;
      let backoff = 25;
      while (!(await tryAcquire(key, token, ttlMs))) {
        const left = deadline - Date.now();
        if (left <= 0) {
          throw new AppError('REDIS_LOCK_HELD', `lock "${name}" is held elsewhere; gave up after ${waitMs} ms`, { details: { lock: name, waitMs } });
        }
        await delay(Math.min(left, Math.round(backoff * (0.5 + Math.random() / 2))));
        backoff = Math.min(500, backoff * 1.5);
      }
      const timer = setInterval(() => {
        runScript(redis, EXTEND_LUA, [key], [token, ttlMs]).catch(() => undefined);
      }, Math.max(10, Math.floor(ttlMs / 3)));
      timer.unref();
      try {
        return await fn();
      } finally {
        clearInterval(timer);
        await runScript(redis, RELEASE_LUA, [key], [token]).catch(() => undefined);
      }
    },
  };
}
