import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { CRED, PATHS, ccldQuery, orderBody, priceQuery, startSim } from './sim-client.js';
import type { Harness } from './sim-client.js';

let h: Harness | null = null;
afterEach(async () => {
  await h?.sim.stop();
  h = null;
});

describe('sim fault injection', () => {
  it('accept-then-drop books the order while the client sees the connection die', async () => {
    h = await startSim({ env: 'live', faults: ['accept-then-drop:order-cash:1'] });
    const token = await h.token();
    await expect(h.post(PATHS.orderCash, orderBody(), h.headers('TTTC0012U', token))).rejects.toThrow();
    expect(h.sim.exchange.ordersReceived).toBe(1);
    expect(h.sim.faults.active()).toEqual([]);
    const ccld = await h.get(PATHS.dailyCcld, ccldQuery(), h.headers('TTTC0081R', token));
    expect(ccld.body.output1).toHaveLength(1);
    expect(ccld.body.output1[0]?.tot_ccld_qty).toBe('10');
  });

  it('reset-before-accept drops the connection without booking anything', async () => {
    h = await startSim({ env: 'live' });
    const token = await h.token();
    h.sim.faults.inject({ kind: 'reset-before-accept', match: { path: 'order-cash' } });
    await expect(h.post(PATHS.orderCash, orderBody(), h.headers('TTTC0012U', token))).rejects.toThrow();
    expect(h.sim.exchange.ordersReceived).toBe(0);
    const next = await h.post(PATHS.orderCash, orderBody(), h.headers('TTTC0012U', token));
    expect(next.body.rt_cd).toBe('0');
    expect(h.sim.exchange.ordersReceived).toBe(1);
  });

  it('rate-limit and token-expired faults answer like KIS for the given number of calls', async () => {
    h = await startSim({ env: 'live', faults: ['rate-limit:inquire-price:2'] });
    const token = await h.token();
    const headers = h.headers('FHKST01010100', token);
    const codes = [];
    for (let i = 0; i < 3; i++) codes.push((await h.get(PATHS.price, priceQuery(), headers)).body.msg_cd);
    expect(codes).toEqual(['EGW00201', 'EGW00201', 'MCA00000']);

    h.sim.faults.inject('token-expired:inquire-price');
    const expired = await h.get(PATHS.price, priceQuery(), headers);
    expect([expired.status, expired.body.msg_cd]).toEqual([500, 'EGW00123']);
    // the token really is expired now, so a later tokenP hands out a new one
    h.clock.advance(61_000);
    const fresh = await h.token();
    expect(fresh).not.toBe(token);
    expect((await h.get(PATHS.price, priceQuery(), h.headers('FHKST01010100', fresh))).body.rt_cd).toBe('0');
  });

  it('http-500 answers without an envelope; a trId match leaves other TRs alone', async () => {
    h = await startSim({ env: 'live' });
    const token = await h.token();
    h.sim.faults.inject({ kind: 'http-500', match: { trId: 'TTTC8434R' }, times: Infinity });
    const price = await h.get(PATHS.price, priceQuery(), h.headers('FHKST01010100', token));
    expect(price.status).toBe(200);
    const bal = await h.get(PATHS.balance, {}, h.headers('TTTC8434R', token));
    expect(bal.status).toBe(500);
    expect(typeof bal.body).toBe('string');
    expect(h.sim.faults.active()).toHaveLength(1);
    h.sim.faults.clear();
    expect(h.sim.faults.active()).toEqual([]);
  });

  it('timeout holds the request until the client gives up, and stop() ends a held one', async () => {
    h = await startSim({ env: 'live', faults: ['timeout:inquire-price'] });
    const token = await h.token();
    const url = `${h.url}${PATHS.price}?FID_COND_MRKT_DIV_CODE=J&FID_INPUT_ISCD=005930`;
    await expect(request(url, { headers: h.headers('FHKST01010100', token), headersTimeout: 300 })).rejects.toMatchObject({
      code: 'UND_ERR_HEADERS_TIMEOUT',
    });
    expect(h.sim.exchange.ordersReceived).toBe(0);

    h.sim.faults.inject('timeout:inquire-price');
    const received = h.sim.stats().requests;
    const held = request(url, { headers: h.headers('FHKST01010100', token) });
    const outcome = held.then(() => 'answered', () => 'failed');
    const deadline = Date.now() + 5_000;
    while (h.sim.stats().requests === received && Date.now() < deadline) await new Promise((r) => setImmediate(r));
    expect(h.sim.stats().requests).toBe(received + 1);
    await h.sim.stop();
    expect(await outcome).toBe('failed');
    h = null;
  });

  it('latency delays the answer but still answers', async () => {
    h = await startSim({ env: 'live', faults: ['latency::*:50'] });
    const token = await h.token();
    const r = await h.get(PATHS.price, priceQuery(), h.headers('FHKST01010100', token));
    expect(r.body.rt_cd).toBe('0');
    expect(h.sim.faults.active().map((f) => f.kind)).toEqual(['latency']);
    expect(h.sim.faults.active()[0]!.remaining).toBe(Infinity);
  });

  it('token-throttle refuses tokenP with EGW00133 and market-closed refuses an order without booking it', async () => {
    h = await startSim({ env: 'live', faults: ['token-throttle:tokenP:1', 'market-closed:order-cash:1'] });
    const refused = await h.post('/oauth2/tokenP', { grant_type: 'client_credentials', appkey: CRED.appKey, appsecret: CRED.appSecret });
    expect([refused.status, refused.body.error_code]).toEqual([403, 'EGW00133']);
    const token = await h.token();
    const closed = await h.post(PATHS.orderCash, orderBody(), h.headers('TTTC0012U', token));
    expect([closed.body.rt_cd, closed.body.msg_cd]).toEqual(['7', 'APBK0919']);
    expect(h.sim.exchange.ordersReceived).toBe(0);
    expect((await h.post(PATHS.orderCash, orderBody(), h.headers('TTTC0012U', token))).body.rt_cd).toBe('0');
    expect(h.sim.exchange.ordersReceived).toBe(1);
  });

  it('a stopped simulator starts again on the same port and answers (the host down, then back)', async () => {
    h = await startSim({ env: 'live' });
    const token = await h.token();
    const port = Number(new URL(h.url).port);
    await h.sim.stop();
    await expect(h.get(PATHS.price, priceQuery(), h.headers('FHKST01010100', token))).rejects.toThrow();
    await h.sim.start(port);
    expect((await h.get(PATHS.price, priceQuery(), h.headers('FHKST01010100', token))).body.rt_cd).toBe('0');
  });
});
