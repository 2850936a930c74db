import { describe, expect, it } from 'vitest';
import { isAppError, stockCode, stripControlChars } from '../../../src/domain/index.js';
import { createMockKis, ok, tokenReply } from './mock-kis.js';

/**
 * Text from the server reaches terminals (CLI tables, error lines, pretty logs): an escape
 * sequence in msg1 or a stock name must not clear the screen or retitle the window (issue 9).
 */
const HOSTILE = '\u001b[2J\u001b]0;owned\u0007잔고\u009b31m 부족\u0000\u0085\u007f';

describe('stripControlChars', () => {
  it('removes ANSI sequences, C0 (but tab and newline), DEL and C1 controls; keeps Korean text', () => {
    expect(stripControlChars(HOSTILE)).toBe('잔고31m 부족');
    expect(stripControlChars('a\tb\nc\r')).toBe('a\tb\nc');
    expect(stripControlChars('삼성전자우 (전환)')).toBe('삼성전자우 (전환)');
  });
});

describe('server text from KIS carries no control characters', () => {
  it('in an envelope error (msg1) and the OAuth error_description', async () => {
    const m = createMockKis((r) => (r.path === '/oauth2/tokenP' ? tokenReply() : { body: { rt_cd: '7', msg_cd: 'APBK0952', msg1: HOSTILE } }));
    const e = await m.client.market.quote(stockCode('005930')).then(() => null, (x: unknown) => x);
    expect(isAppError(e, 'KIS_API')).toBe(true);
    const err = e as { message: string; details: { msg: string } };
    expect(err.details.msg).toBe('잔고31m 부족');
    // eslint-disable-next-line no-control-regex
    expect(err.message).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);

    const t = createMockKis(() => ({ status: 403, body: { error_code: 'EGW00103', error_description: HOSTILE } }));
    const te = await t.client.tokens.get().then(() => null, (x: unknown) => x) as { message: string } | null;
    expect(te?.message).toContain('EGW00103 잔고31m 부족');
    // eslint-disable-next-line no-control-regex
    expect(te?.message).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
  });

  it('in stock names of a ranking', async () => {
    const row = { data_rank: '1', stck_shrn_iscd: '005930', hts_kor_isnm: `삼성${HOSTILE}`, stck_prpr: '100', prdy_ctrt: '1.00', acml_vol: '10' };
    const m = createMockKis((r) => (r.path === '/oauth2/tokenP' ? tokenReply() : ok({ output: [row] })));
    const snap = await m.client.market.ranking({ kind: 'fluctuation' });
    expect(snap.rows[0]?.name).toBe('삼성잔고31m 부족');
  });
});
