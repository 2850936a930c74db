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
 * allows one issuance a minute and texts the user each time (REFERENCE.md §3.1). Keys are
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
