import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import { epochMs } from '../domain/index.js';
import type { StoredToken, TokenStore } from '../domain/index.js';

interface TokenRow {
  token: string | null;
  expires_at: number | null;
  issued_at: number | null;
  last_issue_attempt_at: number | null;
}

/**
 * The KIS access token in SQLite, so a restart reuses it instead of issuing a new one: KIS
 * allows one issuance a minute and texts the user each time (docs/kis-wire.md §3.1). Keys are
 * environment + app-key fingerprint, chosen by the caller; never the app key itself.
 * clear() drops the token but keeps the last issuance attempt, so the one-a-minute rule
 * still holds right after an EGW00123.
 */
export function createTokenStore(db: Database): TokenStore {
  const select = db.prepare<[string], TokenRow>(
    'SELECT token, expires_at, issued_at, last_issue_attempt_at FROM kis_tokens WHERE key = ?');
  const save = db.prepare<{ key: string; token: string; expiresAt: number; issuedAt: number }>(`
    INSERT INTO kis_tokens (key, token, expires_at, issued_at) VALUES (@key, @token, @expiresAt, @issuedAt)
    ON CONFLICT (key) DO UPDATE SET token = excluded.token, expires_at = excluded.expires_at, issued_at = excluded.issued_at`);
  const clear = db.prepare<[string]>('UPDATE kis_tokens SET token = NULL, expires_at = NULL, issued_at = NULL WHERE key = ?');
  const attempt = db.prepare<{ key: string; at: number | null }>(`
    INSERT INTO kis_tokens (key, last_issue_attempt_at) VALUES (@key, @at)
    ON CONFLICT (key) DO UPDATE SET last_issue_attempt_at = excluded.last_issue_attempt_at`);
  return {
    load: (key): StoredToken | null => {
      const r = select.get(key);
      if (!r || r.token === null || r.expires_at === null || r.issued_at === null) return null;
      return { token: r.token, expiresAt: epochMs(r.expires_at), issuedAt: epochMs(r.issued_at) };
    },
    save: (key, t) => {
      save.run({ key, token: t.token, expiresAt: t.expiresAt, issuedAt: t.issuedAt });
    },
    clear: (key) => {
      clear.run(key);
    },
    lastIssueAttempt: (key) => {
      const at = select.get(key)?.last_issue_attempt_at ?? null;
      return at === null ? null : epochMs(at);
    },
    recordIssueAttempt: (key, at) => {
      attempt.run({ key, at });
    },
  };
}

const SEALED_PREFIX = 'v1.';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Seals and opens an access token under a key from the app secret; `open` is null for what does not open. */
export interface TokenSealer {
  seal: (rowKey: string, token: string) => string;
  open: (rowKey: string, sealed: string) => string | null;
}

/**
 * AES-256-GCM under HKDF-SHA256 of the app secret (never stored anywhere), with the row key as the
 * authenticated data, so a sealed token moved to another row does not open. `salt` separates the
 * places a token is kept: the trade log's rows ('kis-trader/kis_tokens') and Redis
 * ('kis-trader/redis-token', runtime/token-mirror.ts), so a value copied from one does not open in the other.
 */
export function tokenSealer(appSecret: string, salt = 'kis-trader/kis_tokens'): TokenSealer {
  const key = Buffer.from(hkdfSync('sha256', appSecret, salt, 'access-token v1', 32));
  return {
    seal: (rowKey, token) => {
      const iv = randomBytes(IV_BYTES);
      const c = createCipheriv('aes-256-gcm', key, iv);
      c.setAAD(Buffer.from(rowKey));
      const body = Buffer.concat([c.update(token, 'utf8'), c.final()]);
      return SEALED_PREFIX + Buffer.concat([iv, c.getAuthTag(), body]).toString('base64');
    },
    open: (rowKey, sealed) => {
      if (!sealed.startsWith(SEALED_PREFIX)) return null;
      try {
        const raw = Buffer.from(sealed.slice(SEALED_PREFIX.length), 'base64');
        if (raw.length <= IV_BYTES + TAG_BYTES) return null;
        const d = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
        d.setAAD(Buffer.from(rowKey));
        d.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
        return Buffer.concat([d.update(raw.subarray(IV_BYTES + TAG_BYTES)), d.final()]).toString('utf8');
      } catch {
        return null;
      }
    },
  };
}

/**
 * Wraps a token store so the access token is kept AES-256-GCM encrypted at rest, under a key
 * derived from the app secret (which the daemon has in its environment, not in the file): a copy
 * of the trade log alone does not give the token (issue 9 item 12). A row that does not
 * open (a plaintext one from an older version, another secret, a damaged value) is no token:
 * the client issues a new one, within the one-a-minute rule kept by the unsealed columns.
 */
export function sealTokenStore(inner: TokenStore, appSecret: string): TokenStore {
  const { seal, open } = tokenSealer(appSecret);
  return {
    load: (rowKey) => {
      const t = inner.load(rowKey);
      if (!t) return null;
      const token = open(rowKey, t.token);
      return token === null ? null : { ...t, token };
    },
    save: (rowKey, t) => { inner.save(rowKey, { ...t, token: seal(rowKey, t.token) }); },
    clear: (rowKey) => { inner.clear(rowKey); },
    lastIssueAttempt: (rowKey) => inner.lastIssueAttempt(rowKey),
    recordIssueAttempt: (rowKey, at) => { inner.recordIssueAttempt(rowKey, at); },
  };
}
