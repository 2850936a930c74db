import { describe, expect, it } from 'vitest';
import { createManualClock, epochMs, kstInstant, tradingDate } from '../../../src/domain/index.js';
import type { StoredToken } from '../../../src/domain/index.js';
import {
  DEFAULT_REFRESH_LEAD_MS, ISSUE_COOLDOWN_MS, expiryOf, isUsable, issueCooldownRemaining, midnightSoftExpiry, needsRefresh, refreshDueAt,
} from '../../../src/kis/token-policy.js';

const at = (date: string, time: string) => kstInstant(tradingDate(date), time);
const H = 3_600_000;

function token(issuedAt: number, ttlMs = 24 * H): StoredToken {
  return { token: 't', issuedAt: epochMs(issuedAt), expiresAt: epochMs(issuedAt + ttlMs) };
}

describe('token refresh policy', () => {
  it('is due `lead` before the stated expiry when no midnight comes first', () => {
    // issued 00:10 → expires 00:10 next day; lead 30 min → due 23:40, before the midnight soft expiry
    const t = token(at('20260312', '001000'));
    expect(refreshDueAt(t, DEFAULT_REFRESH_LEAD_MS)).toBe(at('20260312', '234000'));
  });

  it('treats 00:00:30 KST after issuance as a soft expiry (docs/kis-wire.md §3.1 ⚠)', () => {
    const t = token(at('20260312', '100000'));
    expect(midnightSoftExpiry(t.issuedAt)).toBe(at('20260313', '000030'));
    expect(refreshDueAt(t, DEFAULT_REFRESH_LEAD_MS)).toBe(at('20260313', '000030'));
    const clock = createManualClock(at('20260313', '000029'));
    expect(needsRefresh(t, clock.now(), DEFAULT_REFRESH_LEAD_MS)).toBe(false);
    clock.advance(1_000);
    expect(needsRefresh(t, clock.now(), DEFAULT_REFRESH_LEAD_MS)).toBe(true);
    // still usable while the refresh is pending: the hard expiry is 10:00
    expect(isUsable(t, clock.now())).toBe(true);
  });

  it('a token issued just before midnight is due right after it, not a day later', () => {
    const t = token(at('20260312', '235950'));
    expect(refreshDueAt(t, DEFAULT_REFRESH_LEAD_MS)).toBe(at('20260313', '000030'));
  });

  it('a token issued after 00:00:30 is not due again that night', () => {
    const t = token(at('20260313', '000031'));
    expect(needsRefresh(t, at('20260313', '120000'), DEFAULT_REFRESH_LEAD_MS)).toBe(false);
  });

  it('honours a configurable lead', () => {
    const t = token(at('20260312', '000100'), 2 * H);
    expect(needsRefresh(t, at('20260312', '014000'), 30 * 60_000)).toBe(true);
    expect(needsRefresh(t, at('20260312', '014000'), 10 * 60_000)).toBe(false);
  });

  it('stops using a token a minute before its hard expiry', () => {
    const t = token(at('20260312', '100000'), H);
    expect(isUsable(t, at('20260312', '105859'))).toBe(true);
    expect(isUsable(t, at('20260312', '105900'))).toBe(false);
  });

  it('keeps one issuance per minute, persisted (cooldown from the last attempt)', () => {
    const last = at('20260312', '100000');
    expect(issueCooldownRemaining(null, last)).toBe(0);
    expect(issueCooldownRemaining(last, epochMs(last + 10_000))).toBe(ISSUE_COOLDOWN_MS - 10_000);
    expect(issueCooldownRemaining(last, epochMs(last + ISSUE_COOLDOWN_MS))).toBe(0);
    expect(ISSUE_COOLDOWN_MS).toBeGreaterThanOrEqual(60_000);
  });

  it('takes expires_in, or the stated expiry when it is earlier (same token within 6 h)', () => {
    const now = at('20260312', '100000');
    expect(expiryOf(now, 86_400, null, DEFAULT_REFRESH_LEAD_MS)).toBe(now + 86_400_000);
    const stated = at('20260313', '060000');
    expect(expiryOf(now, 86_400, stated, DEFAULT_REFRESH_LEAD_MS)).toBe(stated);
    // a stated expiry inside the lead can only be clock skew: ignored, or refreshes would loop
    expect(expiryOf(now, 86_400, at('20260312', '101000'), DEFAULT_REFRESH_LEAD_MS)).toBe(now + 86_400_000);
  });
});
