import { createHash } from 'node:crypto';
import { AppError, isAppError, kstInstant, tradingDate } from '../domain/index.js';
import type { Clock, DistributedLock, EpochMs, KisEnv, KisTelemetry, Lane, Logger, RateBudget, StoredToken, TokenStore } from '../domain/index.js';
import { ENDPOINTS } from './endpoints.js';
import { RATE_LIMIT_CODE, TOKEN_THROTTLE_CODE, kisFailureOf } from './errors.js';
import type { KisFailure } from './errors.js';
import { sleep as realSleep } from './retry.js';
import { parseTokenResponse } from './schemas/auth.js';
import { expiryOf, isUsable, issueCooldownRemaining, needsRefresh } from './token-policy.js';
import type { Transport } from './transport.js';

/**
 * The access token of one (environment, app key) (docs/kis-wire.md §3.1). Issued at most once a
 * minute, persisted through the TokenStore so a restart reuses it (each issuance texts the
 * account holder), refreshed ahead of expiry and after KST midnight (token-policy.ts),
 * single-flight inside the process and across processes under the DistributedLock.
 */
export interface TokenManager {
  /** the TokenStore key: `${env}:${sha256(appKey)[0,16)}` — never the key itself */
  readonly storeKey: string;
  /** a token valid now, issuing one if needed; `lane` is the rate-budget lane of the tokenP call */
  get(lane?: Lane): Promise<string>;
  /** KIS said EGW00123/EGW00121: forget `token` (or whatever is held) so the next get() re-issues */
  invalidate(token?: string): void;
  current(): StoredToken | null;
}

export interface TokenManagerDeps {
  env: KisEnv;
  appKey: string;
  appSecret: string;
  transport: Transport;
  rateBudget: RateBudget;
  store: TokenStore;
  lock: DistributedLock;
  clock: Clock;
  log: Logger;
  leadMs: number;
  /** told of each token issued and each time none could be had (the metrics, the token-failure alert) */
  telemetry?: Pick<KisTelemetry, 'tokenIssued' | 'tokenFailed'>;
  /** waits out the issuance cooldown; tests with a manual clock pass one that advances it */
  sleep?: (ms: number) => Promise<void>;
}

/** The lock is extended while held; the wait covers another process sitting out a cooldown. */
const LOCK_TTL_MS = 30_000;
const LOCK_WAIT_MS = 150_000;
const MAX_ISSUE_ATTEMPTS = 2;

export function tokenStoreKey(env: KisEnv, appKey: string): string {
  return `${env}:${createHash('sha256').update(appKey).digest('hex').slice(0, 16)}`;
}

/** Did the failed tokenP reach KIS? Only an HTTP answer or a request that may have left proves it. */
function reachedKis(f: KisFailure | null): boolean {
  return f !== null && (f.kind !== 'network' || f.mayHaveBeenSent);
}

/**
 * Why no token could be had, in words an operator can act on (issue 9): the OAuth error_code and
 * error_description KIS sent (docs/kis-wire.md §3.1, §5.1: EGW00103 invalid app key, EGW00105 invalid
 * secret, EGW00133 throttle), or the network cause (DNS, refused, TLS, timeout; errors.ts).
 */
export function tokenFailureReason(err: unknown, env: KisEnv): string {
  const f = kisFailureOf(err);
  if (f === null) return isAppError(err) ? `${err.code}: ${err.message}` : String(err);
  switch (f.kind) {
    case 'api':
      if (f.msgCode === TOKEN_THROTTLE_CODE) return `${f.msgCode} ${f.msg}: tokenP was called within the last minute; try again in a minute`;
      // EGW00101–EGW00115 are the OAuth parameter errors (§5.1): the key, the secret or the grant.
      if (/^EGW001(0\d|1[0-5])$/.test(f.msgCode)) return `${f.msgCode} ${f.msg}: KIS refused the credentials, check KIS_APP_KEY / KIS_APP_SECRET for ${env}`;
      return `${f.msgCode} ${f.msg}`.trimEnd();
    case 'network':
      return (isAppError(err) ? err.message : `network error ${f.errorCode}`).replace(/^KIS tokenP: /, '');
    case 'http':
      return `HTTP ${f.status} without a KIS answer`;
    case 'invalid':
      return `the token response did not parse (${f.problem})`;
  }
}

export function createTokenManager(deps: TokenManagerDeps): TokenManager {
  const key = tokenStoreKey(deps.env, deps.appKey);
  const sleep = deps.sleep ?? ((ms: number) => realSleep(ms));
  let held: StoredToken | null = null;
  let inflight: Promise<string> | null = null;

  async function postTokenP(lane: Lane): Promise<StoredToken> {
    const ep = ENDPOINTS.token;
    await deps.rateBudget.acquire(lane);
    let res;
    try {
      res = await deps.transport.send({
        endpoint: ep.name, trId: null, method: 'POST', path: ep.path, envelope: false, lane,
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify({ grant_type: 'client_credentials', appkey: deps.appKey, appsecret: deps.appSecret }),
      });
    } catch (err) {
      const f = kisFailureOf(err);
      if (f?.kind === 'api' && f.msgCode === RATE_LIMIT_CODE) await deps.rateBudget.penalize();
      throw err;
    }
    const now = deps.clock.now();
    const t = parseTokenResponse(res.body, { endpoint: ep.name, trId: null, status: res.status });
    let stated: EpochMs | null = null;
    if (t.expiry !== null) {
      try {
        stated = kstInstant(tradingDate(t.expiry.date), t.expiry.time);
      } catch {
        stated = null;
      }
    }
    return { token: t.accessToken, issuedAt: now, expiresAt: expiryOf(now, t.expiresInSec, stated, deps.leadMs) };
  }

  /** Runs under the lock, after the store was re-read and found stale. */
  async function issue(lane: Lane, fallback: StoredToken | null): Promise<string> {
    for (let attempt = 1; ; attempt++) {
      const wait = issueCooldownRemaining(deps.store.lastIssueAttempt(key), deps.clock.now());
      if (wait > 0) {
        // Serve a due-but-unexpired token rather than stall every caller for up to a minute.
        if (fallback !== null && isUsable(fallback, deps.clock.now())) return fallback.token;
        deps.log.warn({ waitMs: wait }, 'KIS token issuance on cooldown (1/min): waiting');
        await sleep(wait);
      }
      const previousAttempt = deps.store.lastIssueAttempt(key);
      // Recorded before sending: a crash mid-request must not allow a second tokenP within the minute.
      deps.store.recordIssueAttempt(key, deps.clock.now());
      try {
        const token = await postTokenP(lane);
        deps.store.save(key, token);
        held = token;
        deps.log.info({ expiresAt: token.expiresAt }, 'KIS access token issued');
        deps.telemetry?.tokenIssued();
        return token.token;
      } catch (err) {
        const f = kisFailureOf(err);
        // Never reached KIS (DNS, refused, TLS, connect timeout, no budget): KIS counted nothing, so no cooldown.
        if (!reachedKis(f)) deps.store.recordIssueAttempt(key, previousAttempt);
        // 403 EGW00133: someone issued within the minute; the recorded attempt makes the next loop wait.
        if (f?.kind === 'api' && f.msgCode === TOKEN_THROTTLE_CODE && attempt < MAX_ISSUE_ATTEMPTS) {
          deps.log.warn({}, 'KIS tokenP throttled (EGW00133): waiting out the minute');
          continue;
        }
        throw err;
      }
    }
  }

  /** The store's token when it needs no refresh, after the shared row (Redis) was brought in. */
  async function freshInStore(): Promise<StoredToken | null> {
    await deps.store.pull?.(key);
    const stored = deps.store.load(key);
    return stored !== null && !needsRefresh(stored, deps.clock.now(), deps.leadMs) ? stored : null;
  }

  async function refresh(lane: Lane): Promise<string> {
    try {
      // A process on another machine sharing the Redis may hold one already: no lock, no tokenP, no
      // EGW00133 and its minute's wait (issue 13; docs/kis-wire.md §3.1).
      const shared = await freshInStore();
      if (shared !== null) {
        held = shared;
        return shared.token;
      }
      return await deps.lock.withLock(`kis-token:${key}`, LOCK_TTL_MS, LOCK_WAIT_MS, async () => {
        // Another process may have refreshed while we waited for the lock.
        const stored = await freshInStore();
        if (stored !== null) {
          held = stored;
          return stored.token;
        }
        try {
          return await issue(lane, deps.store.load(key) ?? held);
        } finally {
          // The token and the attempt reach the shared row before the next holder of the lock looks.
          await deps.store.flush?.();
        }
      });
    } catch (err) {
      const fallback = held ?? deps.store.load(key);
      if (fallback !== null && isUsable(fallback, deps.clock.now())) {
        deps.log.warn({ err: String(err) }, 'KIS token refresh failed: keeping the unexpired token');
        held = fallback;
        return fallback.token;
      }
      if (isAppError(err, 'KIS_TOKEN_UNAVAILABLE')) throw err;
      const f = kisFailureOf(err);
      const reason = tokenFailureReason(err, deps.env);
      const details = {
        env: deps.env, cause: reason, causeCode: isAppError(err) ? err.code : 'UNKNOWN', reachedKis: reachedKis(f),
        ...(f === null ? {} : { causeKind: f.kind }),
        ...(f?.kind === 'api' ? { causeMsgCode: f.msgCode, causeStatus: f.status } : {}),
        ...(f?.kind === 'network' ? { causeErrorCode: f.errorCode } : {}),
        ...(f?.kind === 'http' ? { causeStatus: f.status } : {}),
      };
      deps.log.error(details, `KIS access token unavailable: ${reason}`);
      deps.telemetry?.tokenFailed(reason);
      // Deliberately no `kind`: this is not itself a KIS response, classify() must not retry it.
      throw new AppError('KIS_TOKEN_UNAVAILABLE', `KIS access token unavailable (${deps.env}): ${reason}`, { cause: err, details });
    }
  }

  return {
    storeKey: key,
    async get(lane: Lane = 'order'): Promise<string> {
      if (held === null) held = deps.store.load(key);
      if (held !== null && !needsRefresh(held, deps.clock.now(), deps.leadMs)) return held.token;
      inflight ??= refresh(lane).finally(() => {
        inflight = null;
      });
      return inflight;
    },
    invalidate(token?: string): void {
      if (token === undefined || held?.token === token) held = null;
      const stored = deps.store.load(key);
      // A token another caller already replaced is not ours to clear.
      if (stored !== null && (token === undefined || stored.token === token)) deps.store.clear(key);
    },
    current: () => held,
  };
}
