import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stockCode } from '../../../src/domain/index.js';
import { createKisClient } from '../../../src/kis/index.js';
import type { KisTlsOptions } from '../../../src/kis/index.js';
import { createCountingBudget, createLocalLock, createMemoryTokenStore } from '../../helpers/kis-fakes.js';
import { createJumpClock } from './sim-harness.js';

/**
 * The paper host's certificate quirk (docs/kis-wire.md §1 ⚠) as explicit options, against a local
 * HTTPS server whose (self-signed, test-only) certificate names actual.example.test while the
 * client dials 127.0.0.1 — the mismatch docs/stack.md §3 reproduced.
 */
const dir = join(import.meta.dirname, 'tls');
const cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
const key = readFileSync(join(dir, 'key.pem'), 'utf8');
const fingerprint = new X509Certificate(cert).fingerprint256;

let server: Server;
let url = '';
beforeAll(async () => {
  server = createServer({ cert, key }, (req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url?.startsWith('/oauth2/tokenP')) res.end(JSON.stringify({ access_token: 't', expires_in: 86400 }));
    else res.end(JSON.stringify({ rt_cd: '0', msg_cd: 'MCA00000', msg1: 'ok', output: {
      stck_prpr: '100', prdy_ctrt: '0', stck_oprc: '100', stck_hgpr: '100', stck_lwpr: '100', stck_sdpr: '100', stck_mxpr: '130',
      stck_llam: '70', aspr_unit: '1', acml_vol: '0', acml_tr_pbmn: '0',
    } }));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.close();
  await once(server, 'close');
});

async function quoteWith(tls: KisTlsOptions | undefined): Promise<unknown> {
  const client = createKisClient({
    env: 'paper', baseUrl: url, appKey: 'k', appSecret: 's', account: '50000000-01',
    timeouts: { connectMs: 1000, headersMs: 1000, bodyMs: 1000, totalMs: 2000 }, ...(tls ? { tls } : {}),
    rateBudget: createCountingBudget(), tokenStore: createMemoryTokenStore(), lock: createLocalLock(), clock: createJumpClock(),
    retry: { attempts: 1 },
  });
  try {
    return await client.market.quote(stockCode('005930'));
  } catch (e) {
    return e;
  } finally {
    await client.close();
  }
}

function networkCode(e: unknown): unknown {
  const cause = (e as { cause?: { details?: Record<string, unknown> } }).cause;
  return cause?.details;
}

describe('TLS options for the paper host', () => {
  it('verifies by default: an unknown self-signed certificate fails before anything is sent', async () => {
    expect(networkCode(await quoteWith(undefined))).toMatchObject({ kind: 'network', mayHaveBeenSent: false });
  });

  it('verify with the CA still refuses the name mismatch', async () => {
    expect(networkCode(await quoteWith({ mode: 'verify', ca: cert }))).toMatchObject({ errorCode: 'ERR_TLS_CERT_ALTNAME_INVALID', mayHaveBeenSent: false });
  });

  it('pin-name checks the chain and the pinned name instead of the host', async () => {
    expect(await quoteWith({ mode: 'pin-name', serverName: 'actual.example.test', ca: cert })).toMatchObject({ price: 100 });
    expect(networkCode(await quoteWith({ mode: 'pin-name', serverName: 'other.example.test', ca: cert }))).toMatchObject({ mayHaveBeenSent: false });
  });

  it('pin-fingerprint accepts only the pinned certificate', async () => {
    expect(await quoteWith({ mode: 'pin-fingerprint', fingerprint256: fingerprint, ca: cert })).toMatchObject({ price: 100 });
    const wrong = fingerprint.replace(/^../, fingerprint.startsWith('00') ? '11' : '00');
    expect(networkCode(await quoteWith({ mode: 'pin-fingerprint', fingerprint256: wrong, ca: cert }))).toMatchObject({ errorCode: 'KIS_TLS_PIN_MISMATCH', mayHaveBeenSent: false });
  });
});
