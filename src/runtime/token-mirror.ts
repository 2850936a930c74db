import type { Redis } from 'ioredis';
import { epochMs } from '../domain/index.js';
import type { Logger, StoredToken, TokenStore } from '../domain/index.js';

/**
 * The KIS token shared with `workers` processes on other machines through Redis: KIS issues one
 * token a minute per app key and texts the holder each time (docs/kis-wire.md §3.1), so a worker
 * uses the owner's rather than issuing its own. The TokenStore port is synchronous, so writes go
 * to the inner store at once and to Redis behind it, and `pull` copies Redis into the inner store
 * (a worker pulls before each job). What is written is what the inner store is given: wrapped in
 * sealTokenStore, the token is encrypted under the app secret in Redis too.
 */
export interface MirroredTokenStore extends TokenStore {
  /** copies the Redis row of `key` into the inner store, after this process's own writes reached Redis */
  pull(key: string): Promise<void>;
}

/** A token store in memory: a `workers` process has no trade log. */
export function memoryTokenStore(): TokenStore {
  const rows = new Map<string, { token: StoredToken | null; attempt: number | null }>();
  const row = (key: string) => rows.get(key) ?? { token: null, attempt: null };
  return {
    load: (key) => row(key).token,
    save: (key, token) => { rows.set(key, { ...row(key), token }); },
    clear: (key) => { rows.set(key, { ...row(key), token: null }); },
    lastIssueAttempt: (key) => { const a = row(key).attempt; return a === null ? null : epochMs(a); },
    recordIssueAttempt: (key, at) => { rows.set(key, { ...row(key), attempt: at }); },
  };
}

export function mirrorTokensToRedis(inner: TokenStore, redis: Redis, prefix: string, log: Logger): MirroredTokenStore {
  const redisKey = (key: string) => `${prefix}:kis-token:${key}`;
  let pending: Promise<unknown> = Promise.resolve();
  const write = (what: string, op: () => Promise<unknown>): void => {
    pending = pending.then(op).catch((err: unknown) => log.warn({ err: String(err), what }, 'token not mirrored to Redis: workers will issue their own'));
  };
  return {
    load: (key) => inner.load(key),
    save: (key, t) => {
      inner.save(key, t);
      write('save', () => redis.hset(redisKey(key), { token: t.token, expiresAt: t.expiresAt, issuedAt: t.issuedAt }));
    },
    clear: (key) => {
      inner.clear(key);
      write('clear', () => redis.hdel(redisKey(key), 'token', 'expiresAt', 'issuedAt'));
    },
    lastIssueAttempt: (key) => inner.lastIssueAttempt(key),
    recordIssueAttempt: (key, at) => {
      inner.recordIssueAttempt(key, at);
      write('attempt', () => (at === null ? redis.hdel(redisKey(key), 'attempt') : redis.hset(redisKey(key), 'attempt', at)));
    },
    async pull(key) {
      await pending;
      const h = await redis.hgetall(redisKey(key));
      if (h.attempt !== undefined) inner.recordIssueAttempt(key, epochMs(Number(h.attempt)));
      if (h.token !== undefined && h.expiresAt !== undefined && h.issuedAt !== undefined) {
        const held = inner.load(key);
        // Ours is newer (issued here and not yet seen there): keep it.
        if (held === null || held.issuedAt <= Number(h.issuedAt)) {
          inner.save(key, { token: h.token, expiresAt: epochMs(Number(h.expiresAt)), issuedAt: epochMs(Number(h.issuedAt)) });
        }
      } else if (h.token === undefined && inner.load(key) !== null && Object.keys(h).length > 0) {
        inner.clear(key);
      }
    },
  };
}
