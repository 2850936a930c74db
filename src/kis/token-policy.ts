import { addDays, epochMs, kstDateOf, kstInstant } from '../domain/index.js';
import type { EpochMs, StoredToken } from '../domain/index.js';

/**
 * When to refresh the access token (docs/kis-wire.md §3.1), as pure functions of the token and "now".
 *
 *  - lead: refresh `leadMs` before the stated expiry (default 30 min);
 *  - midnight: Ouroboros observed tokens dying at 00:00 KST regardless of expires_in (§3.1 ⚠),
 *    so a token issued before a KST midnight is due at 00:00:30 after it — 30 s late on purpose,
 *    because a token issued just before midnight would die too;
 *  - usable: until shortly before the hard expiry a due-but-unexpired token still serves when a
 *    refresh fails or the one-per-minute issuance window is closed.
 */
export const DEFAULT_REFRESH_LEAD_MS = 30 * 60_000;
export const MIDNIGHT_GRACE = '000030';
/** KIS allows one tokenP per minute per app key (§3.1, EGW00133); a little margin for clock skew. */
export const ISSUE_COOLDOWN_MS = 61_000;
const HARD_MARGIN_MS = 60_000;

export function midnightSoftExpiry(issuedAt: EpochMs): EpochMs {
  return kstInstant(addDays(kstDateOf(issuedAt), 1), MIDNIGHT_GRACE);
}

export function refreshDueAt(token: StoredToken, leadMs: number): EpochMs {
  return epochMs(Math.min(token.expiresAt - leadMs, midnightSoftExpiry(token.issuedAt)));
}

export function needsRefresh(token: StoredToken, now: EpochMs, leadMs: number): boolean {
  return now >= refreshDueAt(token, leadMs);
}

export function isUsable(token: StoredToken, now: EpochMs): boolean {
  return now < token.expiresAt - HARD_MARGIN_MS;
}

/** ms to wait before the next tokenP is allowed, given the last attempt (persisted across restarts). */
export function issueCooldownRemaining(lastAttempt: EpochMs | null, now: EpochMs): number {
  if (lastAttempt === null) return 0;
  return Math.max(0, lastAttempt + ISSUE_COOLDOWN_MS - now);
}

/**
 * The stored expiry of a fresh token: now + expires_in, or the stated KST expiry when it is
 * earlier (tokenP within 6 h returns the SAME token with its original expiry, §3.1) — unless
 * the stated time is so close that it can only be clock skew, which would loop refreshes.
 */
export function expiryOf(now: EpochMs, expiresInSec: number, stated: EpochMs | null, leadMs: number): EpochMs {
  const relative = now + expiresInSec * 1000;
  if (stated !== null && stated < relative && stated > now + leadMs + HARD_MARGIN_MS) return stated;
  return epochMs(relative);
}
