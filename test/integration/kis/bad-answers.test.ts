import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError, createManualClock, epochMs, kstInstant, stockCode, tradingDate } from '../../../src/domain/index.js';
import { createKisClient } from '../../../src/kis/index.js';
import type { KisClient } from '../../../src/kis/index.js';
import { createCountingBudget, createLocalLock, createMemoryTokenStore } from '../../helpers/kis-fakes.js';

/**
 * A corpus of malformed KIS answers (issue 14, chaos "Bad input") sent by a real HTTP server to the
 * real client: each must end as one classified AppError — never a crash, a number made up from
 * garbage, or a wait past the configured timeouts. Reads are retried by policy, so each answer is
 * served on every attempt.
 */
type Answer = (res: ServerResponse, req: IncomingMessage) => void;

const PRICE: Record<string, string> = {
  stck_prpr: '72300', prdy_ctrt: '0.70', stck_oprc: '71900', stck_hgpr: '72600', stck_lwpr: '71700', stck_sdpr: '71800',
  stck_mxpr: '93300', stck_llam: '50300', aspr_unit: '100', acml_vol: '8412556', acml_tr_pbmn: '606965915400',
};
const json = (body: unknown, status = 200): Answer => (res) => {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
};
const envelope = (output: unknown): Record<string, unknown> => ({ rt_cd: '0', msg_cd: 'MCA00000', msg1: '정상처리 되었습니다.', output });

let server: Server;
let url = '';
let answer: Answer = json(envelope(PRICE));
let bytesSent = 0;
beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url?.startsWith('/oauth2/tokenP')) {
      json({ access_token: 'tok', token_type: 'Bearer', expires_in: 86400, access_token_token_expired: '2026-03-13 10:00:00' })(res, req);
      return;
    }
    answer(res, req);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const TIMEOUTS = { connectMs: 500, headersMs: 800, bodyMs: 800, totalMs: 1500 };

function client(): KisClient {
  return createKisClient({
    env: 'live', baseUrl: url, appKey: 'PSappkey-0000-1111-2222-333344445555', appSecret: 'secret'.repeat(30), account: '50123456-01',
    timeouts: TIMEOUTS, rateBudget: createCountingBudget(), tokenStore: createMemoryTokenStore(), lock: createLocalLock(),
    clock: createManualClock(epochMs(kstInstant(tradingDate('20260312'), '100000')))
    , retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 2 },
  });
}

async function failure(call: (c: KisClient) => Promise<unknown>): Promise<AppError> {
  const c = client();
  try {
    const value = await call(c);
    throw new Error(`answered ${JSON.stringify(value)}`);
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  } finally {
    await c.close();
  }
}
const quote = (c: KisClient) => c.market.quote(stockCode('005930'));

describe('malformed KIS answers through the client', () => {
  const invalid: [string, Answer, RegExp][] = [
    ['an HTML error page with 200', (res) => { res.writeHead(200, { 'content-type': 'text/html' }); res.end('<html><body><h1>502 Bad Gateway</h1></body></html>'); }, /body is not JSON/],
    ['truncated JSON', json('{"rt_cd":"0","msg_cd":"MCA00000","output":{"stck_prpr":"723'), /body is not JSON/],
    ['an empty body', json(''), /empty body/],
    ['a JSON array instead of the envelope', json('[1,2,3]'), /rt_cd|JSON object/],
    ['the price missing', json(envelope({ ...PRICE, stck_prpr: undefined })), /stck_prpr/],
    ['the price as a garbage string', json(envelope({ ...PRICE, stck_prpr: '72,3OO' })), /stck_prpr/],
    ['a negative price', json(envelope({ ...PRICE, stck_prpr: '-72300' })), /stck_prpr/],
    ['a price of NaN', json(envelope({ ...PRICE, stck_prpr: 'NaN' })), /stck_prpr/],
    ['a price beyond any integer', json(envelope({ ...PRICE, stck_prpr: '9'.repeat(40) })), /stck_prpr/],
    ['the output an empty array', json(envelope([])), /output/],
    ['the output null', json(envelope(null)), /output/],
  ];
  it.each(invalid)('%s: KIS_RESPONSE_INVALID naming what is wrong', async (_name, a, problem) => {
    answer = a;
    const e = await failure(quote);
    expect(e.code).toBe('KIS_RESPONSE_INVALID');
    expect(e.message).toMatch(problem);
  });

  it('HTML with 502: KIS_HTTP with the status', async () => {
    answer = (res) => { res.writeHead(502, { 'content-type': 'text/html' }); res.end('<html>Bad Gateway</html>'); };
    const e = await failure(quote);
    expect(e.code).toBe('KIS_HTTP');
    expect(e.details).toMatchObject({ status: 502 });
  });

  it('a body that trickles past the deadline: KIS_NETWORK, not a hang', async () => {
    answer = (res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"rt_cd":"0",');
      const t = setInterval(() => { if (!res.destroyed) res.write(' '); }, TIMEOUTS.bodyMs / 2);
      res.on('close', () => clearInterval(t));
    };
    const e = await failure(quote);
    expect(e.code).toBe('KIS_NETWORK');
    expect(e.details).toMatchObject({ mayHaveBeenSent: true });
  }, 15_000);

  it('headers that never come: KIS_NETWORK', async () => {
    answer = () => undefined;
    const e = await failure(quote);
    expect(e.code).toBe('KIS_NETWORK');
  }, 15_000);

  it('a huge body is refused without reading it all', async () => {
    bytesSent = 0;
    const chunk = Buffer.alloc(1 << 20, 0x20);
    answer = (res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"rt_cd":"0","output":');
      bytesSent = 0;
      // 256 MiB of spaces, as fast as the client takes them
      const more = (): void => {
        while (bytesSent < 256 * chunk.length && !res.destroyed) {
          bytesSent += chunk.length;
          if (!res.write(chunk)) { res.once('drain', more); return; }
        }
        if (!res.destroyed) res.end('}');
      };
      more();
    };
    const e = await failure(quote);
    expect(e.code).toBe('KIS_RESPONSE_INVALID');
    expect(e.message).toMatch(/larger than/);
    expect(bytesSent).toBeLessThan(64 * chunk.length);
  }, 30_000);

  it('rows with garbage in a balance: KIS_RESPONSE_INVALID, not a position of NaN', async () => {
    answer = json({
      rt_cd: '0', msg_cd: 'MCA00000', msg1: 'ok',
      output1: [{ pdno: '005930', prdt_name: '삼성전자', hldg_qty: 'ten', ord_psbl_qty: '10', pchs_avg_pric: '70000.0000', prpr: '72300', evlu_amt: '723000', pchs_amt: '700000' }],
      output2: [{ dnca_tot_amt: '1000000', nxdy_excc_amt: '1000000', prvs_rcdl_excc_amt: '1000000', tot_evlu_amt: '1723000', scts_evlu_amt: '723000', nass_amt: '1723000' }],
    });
    const e = await failure((c) => c.broker.balance());
    expect(e.code).toBe('KIS_RESPONSE_INVALID');
    expect(e.message).toMatch(/hldg_qty/);
  });
});
