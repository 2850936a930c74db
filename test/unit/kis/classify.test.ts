import { describe, expect, it } from 'vitest';
import { AppError } from '../../../src/domain/index.js';
import { apiError, classify, httpError, invalidResponse, isNothingToCancel, isRetryableRejection, networkError } from '../../../src/kis/errors.js';

const net = (code: string, stage: 'request' | 'body' = 'request') => networkError('price', 'FHKST01010100', Object.assign(new Error(code), { code }), stage);
const api = (msgCode: string, status = 200) => apiError('orderBuy', 'TTTC0012U', status, msgCode, 'msg', '1');
const oauth = (msgCode: string) => apiError('token', null, 403, msgCode, 'msg', null);

describe('classify()', () => {
  const table: Array<[string, AppError, 'retry' | 'reauth' | 'reject' | 'unknown', 'retry' | 'reauth' | 'reject' | 'unknown']> = [
    // [case, error, as a read, as an order POST]
    ['connect refused (not sent)', net('ECONNREFUSED'), 'retry', 'reject'],
    ['connect timeout (not sent)', net('UND_ERR_CONNECT_TIMEOUT'), 'retry', 'reject'],
    ['DNS failure (not sent)', net('ENOTFOUND'), 'retry', 'reject'],
    ['TLS name mismatch (not sent)', net('ERR_TLS_CERT_ALTNAME_INVALID'), 'retry', 'reject'],
    ['self-signed chain (not sent)', net('SELF_SIGNED_CERT_IN_CHAIN'), 'retry', 'reject'],
    ['fingerprint pin mismatch (not sent)', net('KIS_TLS_PIN_MISMATCH'), 'retry', 'reject'],
    ['socket closed by peer', net('UND_ERR_SOCKET'), 'retry', 'unknown'],
    ['connection reset', net('ECONNRESET'), 'retry', 'unknown'],
    ['headers timeout', net('UND_ERR_HEADERS_TIMEOUT'), 'retry', 'unknown'],
    ['overall deadline (abort)', networkError('price', null, Object.assign(new Error('t'), { name: 'TimeoutError', code: 23 }), 'request'), 'retry', 'unknown'],
    ['body timeout after headers', net('UND_ERR_BODY_TIMEOUT', 'body'), 'retry', 'unknown'],
    ['refused while reading body is still "sent"', net('ECONNREFUSED', 'body'), 'retry', 'unknown'],
    ['HTTP 502 without envelope', httpError('orderBuy', 'TTTC0012U', 502), 'retry', 'unknown'],
    ['HTTP 500 without envelope', httpError('orderBuy', 'TTTC0012U', 500), 'retry', 'unknown'],
    ['HTTP 408 without envelope', httpError('orderBuy', 'TTTC0012U', 408), 'retry', 'unknown'],
    ['HTTP 429 without envelope', httpError('orderBuy', 'TTTC0012U', 429), 'retry', 'reject'],
    ['HTTP 404 without envelope', httpError('orderBuy', 'TTTC0012U', 404), 'reject', 'reject'],
    ['EGW00123 expired token', api('EGW00123', 500), 'reauth', 'reauth'],
    ['EGW00121 invalid token', api('EGW00121', 500), 'reauth', 'reauth'],
    ['EGW00201 rate limit', api('EGW00201', 500), 'retry', 'reject'],
    ['EGW00001 gateway error', api('EGW00001', 500), 'retry', 'unknown'],
    ['EGW00002 server error', api('EGW00002', 500), 'retry', 'unknown'],
    ['EGW00203 OPS routing', api('EGW00203', 500), 'retry', 'unknown'],
    ['EGW00300 GW routing', api('EGW00300', 500), 'retry', 'unknown'],
    ['APBK0952 insufficient funds', api('APBK0952'), 'reject', 'reject'],
    ['paper 40580000 market closed', api('40580000'), 'reject', 'reject'],
    ['paper 40570000 market not open yet', api('40570000'), 'reject', 'reject'],
    ['EGW02006 not a paper TR', api('EGW02006', 500), 'reject', 'reject'],
    ['OAuth EGW00133 token throttle', oauth('EGW00133'), 'retry', 'reject'],
    ['OAuth EGW00103 bad app key', oauth('EGW00103'), 'reject', 'reject'],
    ['2xx body that does not parse', invalidResponse('orderBuy', 'TTTC0012U', 200, 'output.odno', 'missing'), 'reject', 'unknown'],
    ['an error that is not from KIS', new AppError('REDIS_LOCK_HELD', 'x'), 'reject', 'reject'],
  ];

  for (const [name, err, read, order] of table) {
    it(`${name}: read → ${read}, order → ${order}`, () => {
      expect(classify(err, { isOrder: false })).toBe(read);
      expect(classify(err, { isOrder: true })).toBe(order);
    });
  }

  it('keeps the undici code and whether the request may have left', () => {
    expect(net('ECONNREFUSED').details).toMatchObject({ kind: 'network', errorCode: 'ECONNREFUSED', mayHaveBeenSent: false });
    expect(net('UND_ERR_SOCKET').details).toMatchObject({ kind: 'network', errorCode: 'UND_ERR_SOCKET', mayHaveBeenSent: true });
  });

  it('reads the code of an AggregateError from a happy-eyeballs connect', () => {
    const agg: Error = new AggregateError([Object.assign(new Error('x'), { code: 'ECONNREFUSED' })], 'all failed');
    expect(networkError('price', null, agg, 'request').details).toMatchObject({ errorCode: 'ECONNREFUSED', mayHaveBeenSent: false });
  });

  it('gives EGW00201 and EGW00133 their own codes', () => {
    expect(api('EGW00201', 500).code).toBe('KIS_RATE_LIMITED');
    expect(oauth('EGW00133').code).toBe('KIS_TOKEN_THROTTLED');
    expect(api('APBK0952').code).toBe('KIS_API');
  });

  it('marks rejections that a later attempt may overcome', () => {
    expect(isRetryableRejection(api('EGW00201', 500))).toBe(true);
    expect(isRetryableRejection(net('ECONNREFUSED'))).toBe(true);
    expect(isRetryableRejection(api('APBK0952'))).toBe(false);
    expect(isRetryableRejection(api('40580000'))).toBe(false);
  });

  it('marks the paper "market not open yet" answer (40570000) as transient: nothing was placed, the open is near', () => {
    expect(isRetryableRejection(api('40570000'))).toBe(true);
    expect(isRetryableRejection(api('EGW00123', 500))).toBe(true);
    expect(isRetryableRejection(httpError('orderBuy', 'TTTC0012U', 429))).toBe(true);
    expect(isRetryableRejection(httpError('orderBuy', 'TTTC0012U', 500))).toBe(false);
    expect(isRetryableRejection(net('ECONNRESET'))).toBe(false);
  });

  it('recognises a cancel refused because nothing is left to cancel', () => {
    const cancel = (msgCode: string) => apiError('cancel', 'TTTC0013U', 200, msgCode, 'msg', '7');
    expect(isNothingToCancel(cancel('APBK1192'))).toBe(true);
    expect(isNothingToCancel(cancel('40650000'))).toBe(true);
    expect(isNothingToCancel(cancel('APBK0919'))).toBe(false);
    expect(isNothingToCancel(api('EGW00201', 500))).toBe(false);
    expect(isNothingToCancel(httpError('cancel', 'TTTC0013U', 500))).toBe(false);
  });
});
