import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { CRED, PATHS, balanceQuery, priceQuery, startSim } from './sim-client.js';
import type { Harness } from './sim-client.js';

const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`../../fixtures/kis/${name}`, import.meta.url), 'utf8'));
const tokenBody = { grant_type: 'client_credentials', appkey: CRED.appKey, appsecret: CRED.appSecret };

let h: Harness | null = null;
afterEach(async () => {
  await h?.sim.stop();
  h = null;
});

describe('sim tokens (docs/kis-wire.md §3.1)', () => {
  it('issues a token, refuses a second call within a minute, returns the same token within 6 h, a new one after', async () => {
    h = await startSim({ env: 'live' });
    const first = await h.post('/oauth2/tokenP', tokenBody);
    expect(first.status).toBe(200);
    expect(first.body.token_type).toBe('Bearer');
    expect(first.body.expires_in).toBe(86400);
    expect(typeof first.body.expires_in).toBe('number');
    expect(first.body.access_token_token_expired).toBe('2026-03-13 10:00:00');

    h.clock.advance(30_000);
    const throttled = await h.post('/oauth2/tokenP', tokenBody);
    expect(throttled.status).toBe(403);
    expect(throttled.body).toEqual(fixture('error-EGW00133-token-throttle.http403.json'));

    h.clock.advance(90_000);
    const same = await h.post('/oauth2/tokenP', tokenBody);
    expect(same.status).toBe(200);
    expect(same.body.access_token).toBe(first.body.access_token);
    expect(same.body.access_token_token_expired).toBe(first.body.access_token_token_expired);

    h.clock.advance(6 * 3_600_000);
    const fresh = await h.post('/oauth2/tokenP', tokenBody);
    expect(fresh.status).toBe(200);
    expect(fresh.body.access_token).not.toBe(first.body.access_token);
    expect(h.sim.stats().tokensIssued).toBe(2);
  });

  it('answers EGW00123 at HTTP 500 once the token has expired, EGW00121 for an unknown one', async () => {
    h = await startSim({ env: 'live', tokenTtlSec: 3600 });
    const token = await h.token();
    const okReply = await h.get(PATHS.price, priceQuery(), h.headers('FHKST01010100', token));
    expect(okReply.status).toBe(200);
    expect(okReply.body.rt_cd).toBe('0');

    h.clock.advance(3600_000);
    const expired = await h.get(PATHS.price, priceQuery(), h.headers('FHKST01010100', token));
    expect(expired.status).toBe(500);
    expect(expired.body).toEqual(fixture('error-EGW00123-token-expired.http500.json'));

    const unknown = await h.get(PATHS.price, priceQuery(), h.headers('FHKST01010100', `${token}x`));
    expect(unknown.status).toBe(500);
    expect(unknown.body.msg_cd).toBe('EGW00121');
  });

  it('rejects a wrong app secret at tokenP with the OAuth error shape', async () => {
    h = await startSim({ env: 'live' });
    const r = await h.post('/oauth2/tokenP', { ...tokenBody, appsecret: 'nope' });
    expect(r.status).toBe(403);
    expect(r.body.error_code).toBe('EGW00105');
    expect(r.body.rt_cd).toBeUndefined();
  });
});

describe('sim gateway checks (docs/kis-wire.md §2.1, §5.1, §12)', () => {
  it('refuses missing headers, serves a request without custtype', async () => {
    h = await startSim({ env: 'live' });
    const token = await h.token();
    const full = h.headers('FHKST01010100', token);
    const without = (name: string) => Object.fromEntries(Object.entries(full).filter(([k]) => k !== name));

    const noAuth = await h.get(PATHS.price, priceQuery(), without('authorization'));
    expect([noAuth.status, noAuth.body.msg_cd]).toEqual([500, 'EGW00205']);
    const noKey = await h.get(PATHS.price, priceQuery(), without('appkey'));
    expect([noKey.status, noKey.body.msg_cd]).toEqual([500, 'EGW00103']);
    const noSecret = await h.get(PATHS.price, priceQuery(), without('appsecret'));
    expect([noSecret.status, noSecret.body.msg_cd]).toEqual([500, 'EGW00105']);
    const noTr = await h.get(PATHS.price, priceQuery(), without('tr_id'));
    expect([noTr.status, noTr.body.msg_cd]).toEqual([500, 'OPSQ9999']);
    const rawToken = await h.get(PATHS.price, priceQuery(), { ...full, authorization: token });
    expect(rawToken.body.msg_cd).toBe('EGW00205');

    const noCusttype = await h.get(PATHS.price, priceQuery(), without('custtype'));
    expect(noCusttype.status).toBe(200);
    expect(noCusttype.body.rt_cd).toBe('0');
    expect(noCusttype.headers.tr_id).toBe('FHKST01010100');
  });

  it('matches query parameter names case-insensitively (§2.2)', async () => {
    h = await startSim({ env: 'live' });
    const token = await h.token();
    const r = await h.get(PATHS.price, { fid_cond_mrkt_div_code: 'J', fid_input_iscd: '005930' }, h.headers('FHKST01010100', token));
    expect(r.body.rt_cd).toBe('0');
    expect(r.body.output.stck_shrn_iscd).toBe('005930');
    const missing = await h.get(PATHS.price, { FID_COND_MRKT_DIV_CODE: 'J' }, h.headers('FHKST01010100', token));
    expect(missing.body.msg_cd).toBe('OPSQ2001');
    expect(missing.body.msg1).toContain('FID_INPUT_ISCD');
  });

  it('refuses TR_IDs of the other environment, retired TR_IDs and TR_IDs of another path', async () => {
    h = await startSim({ env: 'live' });
    const token = await h.token();
    const paperTr = await h.get(PATHS.balance, balanceQuery(), h.headers('VTTC8434R', token));
    expect([paperTr.status, paperTr.body.msg_cd]).toEqual([500, 'EGW02004']);
    const retired = await h.post(PATHS.orderCash, {}, h.headers('TTTC0802U', token));
    expect([retired.status, retired.body.msg_cd]).toEqual([500, 'OPSQ0002']);
    const otherPath = await h.get(PATHS.price, priceQuery(), h.headers('TTTC8434R', token));
    expect([otherPath.status, otherPath.body.msg_cd]).toEqual([500, 'OPSQ0002']);
  });

  it('refuses live-only TRs and live TR_IDs on paper (EGW02006)', async () => {
    h = await startSim({ env: 'paper' });
    const token = await h.token();
    const rank = await h.get(PATHS.volumeRank, {}, h.headers('FHPST01710000', token));
    expect(rank.status).toBe(500);
    expect(rank.body).toEqual({ rt_cd: '1', msg_cd: 'EGW02006', msg1: '모의투자 TR 이 아닙니다.' });
    const liveTr = await h.get(PATHS.balance, balanceQuery(), h.headers('TTTC8434R', token));
    expect(liveTr.body.msg_cd).toBe('EGW02006');
    const paperTr = await h.get(PATHS.balance, balanceQuery(), h.headers('VTTC8434R', token));
    expect(paperTr.body.rt_cd).toBe('0');
  });

  it('answers EGW00201 at HTTP 500 once an app key exceeds its calls per second', async () => {
    h = await startSim({ env: 'live', rateLimitPerSec: 20 });
    const token = await h.token();
    const headers = h.headers('FHKST01010100', token);
    for (let i = 0; i < 20; i++) {
      const r = await h.get(PATHS.price, priceQuery(), headers);
      expect(r.status).toBe(200);
    }
    const limited = await h.get(PATHS.price, priceQuery(), headers);
    expect(limited.status).toBe(500);
    expect(limited.body).toEqual(fixture('error-EGW00201-rate-limit.http500.json'));
    expect(h.sim.stats().rateLimited).toBe(1);

    h.clock.advance(1000);
    const after = await h.get(PATHS.price, priceQuery(), headers);
    expect(after.status).toBe(200);
  });

  it('keeps the window per app key and counts paper at 2 calls a second by default', async () => {
    h = await startSim({ env: 'paper', defaultRateLimit: true });
    const token = await h.token();
    const headers = h.headers('FHKST01010100', token);
    expect((await h.get(PATHS.price, priceQuery(), headers)).status).toBe(200);
    expect((await h.get(PATHS.price, priceQuery(), headers)).status).toBe(200);
    expect((await h.get(PATHS.price, priceQuery(), headers)).body.msg_cd).toBe('EGW00201');
  });
});
