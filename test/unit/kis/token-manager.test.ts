import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { epochMs, isAppError, kstInstant, tradingDate } from '../../../src/domain/index.js';
import { APP_KEY, START, createMockKis, tokenReply } from './mock-kis.js';
import type { Reply } from './mock-kis.js';

const THROTTLED: Reply = { status: 403, body: { error_code: 'EGW00133', error_description: '접근토큰 발급 잠시 후 다시 시도하세요(1분당 1회)' } };

function issuing() {
  let n = 0;
  return () => tokenReply(`tok-${++n}`);
}

describe('token manager', () => {
  it('keys the store by env and a hash of the app key, never the key itself', () => {
    const m = createMockKis(issuing());
    const key = m.client.tokens.storeKey;
    expect(key).toBe(`live:${createHash('sha256').update(APP_KEY).digest('hex').slice(0, 16)}`);
    expect(key).not.toContain(APP_KEY.slice(0, 8));
  });

  it('issues once for many concurrent callers and persists token and attempt', async () => {
    const m = createMockKis(issuing());
    const got = await Promise.all(Array.from({ length: 8 }, () => m.client.tokens.get()));
    expect(new Set(got)).toEqual(new Set(['tok-1']));
    expect(m.requests).toHaveLength(1);
    const key = m.client.tokens.storeKey;
    expect(m.store.load(key)).toMatchObject({ token: 'tok-1', issuedAt: START });
    expect(m.store.lastIssueAttempt(key)).toBe(START);
  });

  it('reuses a persisted token: no issuance after a restart', async () => {
    const m = createMockKis(issuing());
    m.store.save(m.client.tokens.storeKey, { token: 'saved', issuedAt: START, expiresAt: epochMs(START + 86_400_000) });
    expect(await m.client.tokens.get()).toBe('saved');
    expect(m.requests).toHaveLength(0);
  });

  it('takes the stated KST expiry when it is earlier than expires_in', async () => {
    const m = createMockKis(() => ({ body: { access_token: 't', expires_in: 86400, access_token_token_expired: '2026-03-13 04:00:00' } }));
    await m.client.tokens.get();
    expect(m.client.tokens.current()?.expiresAt).toBe(kstInstant(tradingDate('20260313'), '040000'));
  });

  it('re-issues after 00:00:30 KST when the token was issued before midnight', async () => {
    const m = createMockKis(issuing());
    expect(await m.client.tokens.get()).toBe('tok-1');
    m.clock.set(kstInstant(tradingDate('20260313'), '000029'));
    expect(await m.client.tokens.get()).toBe('tok-1');
    m.clock.set(kstInstant(tradingDate('20260313'), '000030'));
    expect(await m.client.tokens.get()).toBe('tok-2');
    expect(m.requests).toHaveLength(2);
  });

  it('refreshes `lead` before the stated expiry', async () => {
    let n = 0;
    const m = createMockKis(() => ({ body: { access_token: `t${++n}`, expires_in: 3600 } }), { tokenRefreshLeadMs: 10 * 60_000 });
    await m.client.tokens.get();
    m.clock.advance(49 * 60_000);
    await m.client.tokens.get();
    expect(m.requests).toHaveLength(1);
    m.clock.advance(60_000);
    await m.client.tokens.get();
    expect(m.requests).toHaveLength(2);
  });

  it('on 403 EGW00133 waits out the minute instead of hammering, then issues', async () => {
    let n = 0;
    const m = createMockKis(() => (++n === 1 ? THROTTLED : tokenReply('tok-after')));
    expect(await m.client.tokens.get()).toBe('tok-after');
    expect(m.requests).toHaveLength(2);
    expect(m.sleeps).toHaveLength(1);
    expect(m.sleeps[0]).toBeGreaterThanOrEqual(60_000);
  });

  it('gives up with KIS_TOKEN_UNAVAILABLE when throttled twice, after two calls only', async () => {
    const m = createMockKis(() => THROTTLED);
    let err: unknown;
    try { await m.client.tokens.get(); } catch (e) { err = e; }
    expect(isAppError(err, 'KIS_TOKEN_UNAVAILABLE')).toBe(true);
    expect(m.requests).toHaveLength(2);
    // the cause, in words: the OAuth error_code and error_description (docs/kis-wire.md §3.1)
    expect((err as Error).message).toContain('EGW00133 접근토큰 발급 잠시 후 다시 시도하세요(1분당 1회)');
    expect((err as { details: Record<string, unknown> }).details).toMatchObject({ causeMsgCode: 'EGW00133', causeStatus: 403, reachedKis: true });
  });

  it('honours a persisted attempt from before a restart: waits before issuing', async () => {
    const m = createMockKis(issuing());
    m.store.recordIssueAttempt(m.client.tokens.storeKey, epochMs(START - 20_000));
    await m.client.tokens.get();
    expect(m.sleeps[0]).toBeGreaterThanOrEqual(40_000);
    expect(m.sleeps[0]).toBeLessThanOrEqual(41_000);
  });

  it('serves a due-but-unexpired token instead of waiting when the issuance window is closed', async () => {
    const m = createMockKis(issuing());
    const key = m.client.tokens.storeKey;
    const issuedAt = kstInstant(tradingDate('20260311'), '230000');
    m.store.save(key, { token: 'old', issuedAt, expiresAt: epochMs(issuedAt + 86_400_000) });
    m.store.recordIssueAttempt(key, epochMs(START - 5_000));
    expect(await m.client.tokens.get()).toBe('old');
    expect(m.requests).toHaveLength(0);
    expect(m.sleeps).toHaveLength(0);
  });

  it('invalidate(old) leaves a newer stored token alone', async () => {
    const m = createMockKis(issuing());
    await m.client.tokens.get();
    const key = m.client.tokens.storeKey;
    m.store.save(key, { token: 'newer', issuedAt: START, expiresAt: epochMs(START + 86_400_000) });
    m.client.tokens.invalidate('tok-1');
    expect(m.store.load(key)?.token).toBe('newer');
    expect(await m.client.tokens.get()).toBe('newer');
    m.client.tokens.invalidate('newer');
    expect(m.store.load(key)).toBeNull();
  });
});
