import { describe, expect, it } from 'vitest';
import type { Logger } from '../../src/domain/index.js';
import { createLogger, registerSecrets, scrubText } from '../../src/log.js';

const APP_KEY = 'PSgVbT9mZk3Xq7LwR2nA0cYh';
const APP_SECRET = 'Zm9vYmFyU2VjcmV0VmFsdWVGb3JLaXNBcGlUZXN0aW5n';
const ACCOUNT = '50098765-01';
const TOKEN = 'eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzUxMiJ9.eyJzdWIiOiJ0b2tlbiJ9.c2lnbmF0dXJl';

registerSecrets([APP_KEY, APP_SECRET, ACCOUNT, '5009876501', '50098765', null, undefined, 'ab']);

function capture(): { log: ReturnType<typeof createLogger>; text: () => string; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const log = createLogger({ level: 'debug', pretty: false, destination: { write: (s: string) => void chunks.push(s) } });
  return {
    log,
    text: () => chunks.join(''),
    lines: () => chunks.join('').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

function expectClean(text: string): void {
  for (const secret of [APP_KEY, APP_SECRET, ACCOUNT, '5009876501', TOKEN]) expect(text).not.toContain(secret);
}

describe('createLogger', () => {
  it('writes pino JSON lines with the app name and an ISO time', () => {
    const out = capture();
    out.log.info({ job: 'scan' }, 'started');
    const [line] = out.lines();
    expect(line).toMatchObject({ level: 30, app: 'kis-trader', job: 'scan', msg: 'started' });
    expect(line?.['time']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('redacts secret keys at any of the usual depths', () => {
    const out = capture();
    out.log.info({
      appkey: 'unregistered-key-1',
      body: { appsecret: 'unregistered-secret-2', CANO: '77778888' },
      req: { headers: { authorization: 'Bearer unregistered-token-3' } },
      res: { access_token: 'unregistered-token-4', approval_key: 'unregistered-approval-5' },
      account: '12121212-01',
    }, 'request');
    const text = out.text();
    for (const s of ['unregistered-key-1', 'unregistered-secret-2', '77778888', 'unregistered-token-3', 'unregistered-token-4', 'unregistered-approval-5', '12121212-01']) {
      expect(text).not.toContain(s);
    }
    expect(out.lines()[0]).toMatchObject({ appkey: '[REDACTED]', body: { appsecret: '[REDACTED]' } });
  });

  it('scrubs registered secrets inside messages and arbitrary string fields', () => {
    const out = capture();
    out.log.warn({ note: `key was ${APP_KEY}`, nested: { deep: { deeper: { s: APP_SECRET } } } }, `account ${ACCOUNT} rejected`);
    out.log.info('interpolated %s and %s', APP_KEY, ACCOUNT);
    expectClean(out.text());
    expect(out.lines()[0]?.['msg']).toBe('account [REDACTED] rejected');
  });

  it('scrubs secrets inside an error message and stack', () => {
    const out = capture();
    const err = new Error(`POST failed: {"appkey":"${APP_KEY}","appsecret":"${APP_SECRET}"} authorization: Bearer ${TOKEN}`);
    out.log.error({ err }, 'token issue failed');
    out.log.error(new Error(`account ${ACCOUNT} not found`));
    const text = out.text();
    expectClean(text);
    const [first] = out.lines();
    expect((first?.['err'] as { message: string }).message).toContain('[REDACTED]');
    expect((first?.['err'] as { stack: string }).stack).toContain('[REDACTED]');
  });

  it('scrubs keys and tokens in URLs even when not registered', () => {
    const out = capture();
    out.log.info({ url: 'https://openapi.example:9443/x?appkey=NOTREGISTEREDKEY&appsecret=NOTREGSECRET&FID=J' }, 'GET');
    out.log.info(`retrying with Bearer ${'x'.repeat(20)}ABC.def`);
    const text = out.text();
    expect(text).not.toContain('NOTREGISTEREDKEY');
    expect(text).not.toContain('NOTREGSECRET');
    expect(text).not.toContain('ABC.def');
    expect(out.lines()[0]?.['url']).toBe('https://openapi.example:9443/x?appkey=[REDACTED]&appsecret=[REDACTED]&FID=J');
  });

  it('scrubs an unregistered access token quoted bare in an error message', () => {
    const out = capture();
    out.log.error({ err: new Error(`token ${TOKEN} expired`) }, `revoking ${TOKEN}`);
    expect(out.text()).not.toContain(TOKEN);
    expect(out.text()).not.toContain(TOKEN.split('.')[2]);
  });

  it('scrubs account-shaped text and a registered account logged as a number', () => {
    const out = capture();
    out.log.info({ acct: 5009876501, other: 'see 31313131-22 for details' }, 'accounts');
    const text = out.text();
    expect(text).not.toContain('5009876501');
    expect(text).not.toContain('31313131-22');
  });

  it('scrubs child logger bindings', () => {
    const out = capture();
    out.log.child({ acct: ACCOUNT, job: 'reconcile' }).info('child line');
    expectClean(out.text());
    expect(out.lines()[0]).toMatchObject({ job: 'reconcile' });
  });

  it('keeps order numbers, quantities and prices intact', () => {
    const out = capture();
    out.log.info({ venueOrderId: '0000012345', tradedValue: 1_000_000_000, price: 71500, symbol: '005930' }, 'filled');
    expect(out.lines()[0]).toMatchObject({ venueOrderId: '0000012345', tradedValue: 1_000_000_000, price: 71500, symbol: '005930' });
  });

  it('satisfies the domain Logger port', () => {
    const out = capture();
    const port: Logger = out.log;
    port.child({ job: 'x' }).warn({ a: 1 }, 'via port');
    expect(out.lines()[0]).toMatchObject({ job: 'x', a: 1, msg: 'via port' });
  });
});

describe('scrubText', () => {
  it('ignores registered values too short to be secrets', () => {
    expect(scrubText('ab cd')).toBe('ab cd');
  });

  it('leaves ordinary text alone', () => {
    const text = 'token refreshed; 3 orders, ODNO 0000012345, 2026-11-24T09:00:00Z';
    expect(scrubText(text)).toBe(text);
  });
});

describe('prose about the token is not a token', () => {
  it('keeps "KIS token: network error" readable, and still hides token values', () => {
    expect(scrubText('KIS token: network error ENOTFOUND')).toBe('KIS token: network error ENOTFOUND');
    expect(scrubText('url?token=abc123&x=1')).toBe('url?token=[REDACTED]&x=1');
    expect(scrubText('{"token": "abc123"}')).toBe('{"token": "[REDACTED]"}');
    expect(scrubText('token:abc123')).toBe('token:[REDACTED]');
  });
});
