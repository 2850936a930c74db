import { createHash, createHmac } from 'node:crypto';
import { epochMs, formatKst } from '../domain/index.js';
import type { EpochMs } from '../domain/index.js';
import type { SimCredentials } from './credentials.js';
import { MSG } from './messages.js';
import type { KisMessage } from './messages.js';

/**
 * Access tokens and the per-app-key call budget, as KIS enforces them (docs/kis-wire.md §3.1, §4):
 * tokenP at most once a minute per app key (else HTTP 403 EGW00133), the same token again within
 * 6 hours of its issuance, 24 h lifetime; a sliding one-second window of calls per app key.
 * Time is the simulator's clock, so tests can step through a day of tokens instantly.
 */
export interface TokenRecord {
  token: string;
  appKey: string;
  issuedAt: EpochMs;
  expiresAt: EpochMs;
  revoked: boolean;
}

export type IssueResult =
  | { ok: true; token: TokenRecord; fresh: boolean }
  | { ok: false; status: number; body: { error_description: string; error_code: string } };

const THROTTLE_MS = 60_000;
const SAME_TOKEN_MS = 6 * 3_600_000;

function b64url(s: string | Buffer): string {
  return Buffer.from(s).toString('base64url');
}

/** tokenP's answer to a second issuance within a minute (§3.1); also the 'token-throttle' fault's. */
export const TOKEN_THROTTLED = { code: 'EGW00133', text: '접근토큰 발급 잠시 후 다시 시도하세요(1분당 1회)' } as const;

export class TokenAuthority {
  private readonly tokens = new Map<string, TokenRecord>();
  private readonly current = new Map<string, TokenRecord>();
  private readonly lastIssue = new Map<string, EpochMs>();
  issued = 0;

  constructor(private readonly opts: { seed: number; ttlSec: number; credentials: readonly SimCredentials[] }) {}

  all(): readonly SimCredentials[] {
    return this.opts.credentials;
  }

  credentialsFor(appKey: string): SimCredentials | undefined {
    return this.opts.credentials.find((c) => c.appKey === appKey);
  }

  issue(grantType: string, appKey: string, appSecret: string, now: EpochMs): IssueResult {
    const deny = (code: string, text: string): IssueResult => ({ ok: false, status: 403, body: { error_description: text, error_code: code } });
    if (grantType !== 'client_credentials') return deny('EGW00101', 'grant_type이 유효하지 않습니다.');
    const cred = this.credentialsFor(appKey);
    if (!cred) return deny('EGW00103', '유효하지 않은 AppKey입니다.');
    if (cred.appSecret !== appSecret) return deny('EGW00105', '유효하지 않은 AppSecret입니다.');
    const last = this.lastIssue.get(appKey);
    if (last !== undefined && now - last < THROTTLE_MS) return deny(TOKEN_THROTTLED.code, TOKEN_THROTTLED.text);
    this.lastIssue.set(appKey, now);
    const cur = this.current.get(appKey);
    if (cur && !cur.revoked && now < cur.expiresAt && now - cur.issuedAt < SAME_TOKEN_MS) return { ok: true, token: cur, fresh: false };
    const rec: TokenRecord = { token: this.mint(cred, now), appKey, issuedAt: now, expiresAt: epochMs(now + this.opts.ttlSec * 1000), revoked: false };
    this.tokens.set(rec.token, rec);
    this.current.set(appKey, rec);
    this.issued += 1;
    return { ok: true, token: rec, fresh: true };
  }

  /** A JWT-shaped opaque token like the fixture's, signed so that it cannot be guessed. */
  private mint(cred: SimCredentials, now: EpochMs): string {
    const iat = Math.floor(now / 1000);
    const header = b64url(JSON.stringify({ typ: 'JWT', alg: 'HS512' }));
    const aud = createHash('sha256').update(`${this.opts.seed}:${cred.appKey}`).digest('hex');
    const payload = b64url(JSON.stringify({
      sub: 'token', aud: `${aud.slice(0, 8)}-${aud.slice(8, 12)}-${aud.slice(12, 16)}-${aud.slice(16, 20)}-${aud.slice(20, 32)}`,
      prdt_cd: '', iss: 'unogw', exp: iat + this.opts.ttlSec, iat, jti: cred.appKey,
    }));
    const sig = createHmac('sha512', `${this.opts.seed}:${cred.appSecret}`).update(`${header}.${payload}:${this.issued}`).digest();
    return `${header}.${payload}.${b64url(sig)}`;
  }

  /** null when the token may call for this app key; EGW00121 unknown/revoked/foreign, EGW00123 expired. */
  check(token: string, appKey: string, now: EpochMs): KisMessage | null {
    const rec = this.tokens.get(token);
    if (!rec || rec.revoked || rec.appKey !== appKey) return MSG.tokenInvalid;
    if (now >= rec.expiresAt) return MSG.tokenExpired;
    return null;
  }

  revoke(token: string): boolean {
    const rec = this.tokens.get(token);
    if (!rec) return false;
    rec.revoked = true;
    return true;
  }

  /** The token-expired fault: the token really expires, so the next tokenP issues a new one. */
  expire(token: string, now: EpochMs): void {
    const rec = this.tokens.get(token);
    if (rec) rec.expiresAt = now;
  }
}

/** "YYYY-MM-DD HH:MM:SS" KST, as access_token_token_expired (§3.1). */
export function formatExpiry(t: EpochMs): string {
  return formatKst(t).replace(' KST', '');
}

/** Sliding one-second window of accepted calls per app key (§4: 20/s live, 2/s paper). */
export class RateWindow {
  private readonly calls = new Map<string, number[]>();
  limited = 0;

  constructor(private readonly perSec: number) {}

  /** true when the call may proceed (and is counted) */
  admit(appKey: string, now: EpochMs): boolean {
    const recent = (this.calls.get(appKey) ?? []).filter((t) => t > now - 1000);
    if (recent.length >= this.perSec) {
      this.calls.set(appKey, recent);
      this.limited += 1;
      return false;
    }
    recent.push(now);
    this.calls.set(appKey, recent);
    return true;
  }
}
