import { createHash } from 'node:crypto';
import type { TokenAuthority } from './auth.js';
import type { SimCredentials } from './credentials.js';
import type { SimJournal } from './journal.js';
import { formatExpiry } from './auth.js';
import type { SimRequest, SimResponse } from './wire-format.js';

/**
 * OAuth endpoints (docs/kis-wire.md §3.1–3.3). Their errors use {error_description, error_code} at
 * HTTP 403, not the rt_cd envelope (§13.5); expires_in and revoke's code are JSON numbers (§13.4).
 */
function str(body: Record<string, unknown> | null, key: string): string {
  const v = body?.[key];
  return typeof v === 'string' ? v : '';
}

function denied(code: string, text: string): SimResponse {
  return { status: 403, body: { error_description: text, error_code: code } };
}

export function tokenP(tokens: TokenAuthority, req: SimRequest, journal: SimJournal | null = null): SimResponse {
  const b = req.body;
  const res = tokens.issue(str(b, 'grant_type'), str(b, 'appkey'), str(b, 'appsecret'), req.now);
  if (!res.ok) return { status: res.status, body: res.body };
  if (res.fresh) journal?.append({ kind: 'token', grantType: str(b, 'grant_type'), appKey: str(b, 'appkey'), appSecret: str(b, 'appsecret'), at: req.now });
  const t = res.token;
  return {
    status: 200,
    body: {
      access_token: t.token,
      access_token_token_expired: formatExpiry(t.expiresAt),
      token_type: 'Bearer',
      // the same token comes back within 6 h with its original expiry, so its remaining lifetime
      expires_in: Math.max(0, Math.floor((t.expiresAt - req.now) / 1000)),
    },
  };
}

export function revokeP(tokens: TokenAuthority, req: SimRequest): SimResponse {
  const b = req.body;
  const cred = tokens.credentialsFor(str(b, 'appkey'));
  if (!cred) return denied('EGW00103', '유효하지 않은 AppKey입니다.');
  if (cred.appSecret !== str(b, 'appsecret')) return denied('EGW00105', '유효하지 않은 AppSecret입니다.');
  if (!tokens.revoke(str(b, 'token'))) return denied('EGW00121', '유효하지 않은 token 입니다.');
  return { status: 200, body: { code: 200, message: '접근토큰 폐기에 성공하였습니다' } };
}

/** §3.3: note `secretkey`, not `appsecret` */
export function approval(tokens: TokenAuthority, req: SimRequest, seed: number): SimResponse {
  const b = req.body;
  if (str(b, 'grant_type') !== 'client_credentials') return denied('EGW00101', 'grant_type이 유효하지 않습니다.');
  const cred = tokens.credentialsFor(str(b, 'appkey'));
  if (!cred) return denied('EGW00103', '유효하지 않은 AppKey입니다.');
  if (cred.appSecret !== str(b, 'secretkey')) return denied('EGW00105', '유효하지 않은 AppSecret입니다.');
  return { status: 200, body: { approval_key: approvalKeyOf(seed, cred.appKey, Math.floor(req.now / DAY_MS)) } };
}

const DAY_MS = 86_400_000;

function approvalKeyOf(seed: number, appKey: string, day: number): string {
  const h = createHash('sha256').update(`${seed}:${appKey}:${day}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** The credentials an approval key was issued to, if it is still valid (24 h, §3.3); keys are derived, so nothing is stored. */
export function approvalKeyValid(tokens: TokenAuthority, seed: number, key: string, now: number): SimCredentials | null {
  const day = Math.floor(now / DAY_MS);
  for (const cred of tokens.all()) {
    if (approvalKeyOf(seed, cred.appKey, day) === key || approvalKeyOf(seed, cred.appKey, day - 1) === key) return cred;
  }
  return null;
}
