import type { Redis } from 'ioredis';
import { epochMs } from '../domain/index.js';
import type { Clock, Logger, StoredToken, TokenStore } from '../domain/index.js';
import { tokenSealer } from '../store/index.js';

/**
 * The KIS access token shared through Redis as well as kept in this process's own store (SQLite, or
 * memory in a `workers` process), so a process on another machine using the same Redis reuses it:
 * KIS issues one token a minute per app key (EGW00133 within the minute) and texts the holder each
 * time (docs/kis-wire.md §3.1). The token manager (kis/token.ts) looks in its own store, then pulls
 * the Redis row, then issues under the cross-process token lock; a token issued goes to both.
 *
 * The row is `<prefix>:kis-token:<env>:<sha256(app key)[0,16)>` (the TokenStore key, never the app
 * key), a hash of the token AES-256-GCM sealed under a key derived from the app secret (HKDF,
 * store/tokens.ts tokenSealer, its own salt), its expiry and issuance instants and the last
 * issuance attempt. It expires with the token. Someone reading Redis without the secret gets
 * nothing usable; a row that does not open here (another secret, damaged) is no token, with a warning.
 *
 * The TokenStore port is synchronous, so writes go to the inner store at once and to Redis behind
 * it, in order; flush() waits for them (the token manager does before it lets the lock go).
 */
export interface MirroredTokenStore extends TokenStore {
  /** copies the Redis row of `key` into the inner store when it is newer and opens; never rejects */
  pull(key: string): Promise<void>;
  /** resolves when this process's writes reached Redis (or failed, with a warning) */
  flush(): Promise<void>;
}

export interface TokenMirrorOptions {
  redis: Redis;
  /** redis.prefix */
  prefix: string;
  /** the key the token is sealed under in Redis derives from it */
  appSecret: string;
  /** the row's time to live is the token's remaining life on this clock (sim mode shifts it) */
  clock: Clock;
  log: Logger;
}

/** Redis's copy and the trade log's are sealed under different keys: neither value opens as the other. */
const REDIS_SALT = 'kis-trader/redis-token';
/** A row holding only an attempt (an issuance that failed) goes after a day; a token's row when the token expires. */
const ATTEMPT_ROW_TTL_MS = 86_400_000;

const SAVE = `redis.call('HSET', KEYS[1], 'token', ARGV[1], 'expiresAt', ARGV[2], 'issuedAt', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1`;
// Only the token that was cleared here: another machine may have put a newer one in since.
const CLEAR = `if redis.call('HGET', KEYS[1], 'issuedAt') == ARGV[1] then
  redis.call('HDEL', KEYS[1], 'token', 'expiresAt', 'issuedAt')
end
return 1`;
const ATTEMPT = `if ARGV[1] == '' then redis.call('HDEL', KEYS[1], 'attempt')
else redis.call('HSET', KEYS[1], 'attempt', ARGV[1]) end
if redis.call('PTTL', KEYS[1]) == -1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 1`;

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

/** The Redis row of a TokenStore key. */
export function tokenMirrorKey(prefix: string, key: string): string {
  return `${prefix}:kis-token:${key}`;
}

/** `inner` holds plain tokens (sealTokenStore over SQLite seals them there itself); Redis gets them sealed. */
export function mirrorTokensToRedis(inner: TokenStore, opts: TokenMirrorOptions): MirroredTokenStore {
  const { redis, log } = opts;
  const sealer = tokenSealer(opts.appSecret, REDIS_SALT);
  const redisKey = (key: string) => tokenMirrorKey(opts.prefix, key);
  let pending: Promise<unknown> = Promise.resolve();
  const write = (what: string, op: () => Promise<unknown>): void => {
    pending = pending.then(op).catch((err: unknown) => {
      log.warn({ err: String(err), what },
        'KIS token not written to Redis: a process on another machine will issue its own');
    });
  };
  // One warning per row that does not open, not one per pull.
  let unreadableWarned: string | null = null;
  return {
    load: (key) => inner.load(key),
    save: (key, t) => {
      inner.save(key, t);
      const ttlMs = Math.max(1000, t.expiresAt - opts.clock.now());
      const sealed = sealer.seal(key, t.token);
      write('save', () => redis.eval(SAVE, 1, redisKey(key), sealed, t.expiresAt, t.issuedAt, ttlMs));
    },
    clear: (key) => {
      const cleared = inner.load(key);
      inner.clear(key);
      if (cleared !== null) write('clear', () => redis.eval(CLEAR, 1, redisKey(key), String(cleared.issuedAt)));
    },
    lastIssueAttempt: (key) => inner.lastIssueAttempt(key),
    recordIssueAttempt: (key, at) => {
      inner.recordIssueAttempt(key, at);
      write('attempt', () => redis.eval(ATTEMPT, 1, redisKey(key), at === null ? '' : String(at), ATTEMPT_ROW_TTL_MS));
    },
    async flush() {
      await pending;
    },
    async pull(key) {
      try {
        await pending;
        const h = await redis.hgetall(redisKey(key));
        const attempt = Number(h.attempt);
        if (h.attempt !== undefined && Number.isSafeInteger(attempt)) {
          // Another machine's attempt within the minute counts here too (EGW00133).
          const mine = inner.lastIssueAttempt(key);
          if (mine === null || mine < attempt) inner.recordIssueAttempt(key, epochMs(attempt));
        }
        const issuedAt = Number(h.issuedAt);
        const expiresAt = Number(h.expiresAt);
        if (h.token === undefined || !Number.isSafeInteger(issuedAt) || !Number.isSafeInteger(expiresAt)) return;
        const held = inner.load(key);
        // Ours is as new (issued here, or pulled before): keep it.
        if (held !== null && held.issuedAt >= issuedAt) return;
        const token = sealer.open(key, h.token);
        if (token === null) {
          if (unreadableWarned !== h.token) {
            unreadableWarned = h.token;
            log.warn({ issuedAt },
              'the KIS token in Redis does not open with this app secret (another secret, damaged): treated as absent');
          }
          return;
        }
        inner.save(key, { token, expiresAt: epochMs(expiresAt), issuedAt: epochMs(issuedAt) });
      } catch (err) {
        log.warn({ err: String(err) }, 'KIS token not read from Redis: treated as absent');
      }
    },
  };
}
