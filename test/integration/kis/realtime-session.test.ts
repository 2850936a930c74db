import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import { createRealtimeSession } from '../../../src/kis/index.js';
import type { RealtimeSession, RealtimeOptions } from '../../../src/kis/index.js';
import { until } from '../../helpers/until.js';

/**
 * The session against a scripted WebSocket server over localhost (the simulator's own server is
 * tested in test/integration/sim/realtime.test.ts): what it sends, in what order, and how it backs off.
 */
interface Sent { trType: string; trId: string; trKey: string; approvalKey: string }

async function server(answer: (s: Sent, ws: WebSocket) => Record<string, unknown> | null) {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  const sent: Sent[] = [];
  const texts: string[] = [];
  const sockets: WebSocket[] = [];
  wss.on('connection', (ws) => {
    sockets.push(ws);
    ws.on('message', (d) => {
      const t = Buffer.from(d as Buffer).toString('utf8');
      texts.push(t);
      const j = JSON.parse(t) as { header: { tr_id?: string; tr_type?: string; approval_key?: string }; body?: { input: { tr_id: string; tr_key: string } } };
      if (j.header.tr_id === 'PINGPONG') return;
      const s = { trType: j.header.tr_type ?? '', trId: j.body?.input.tr_id ?? '', trKey: j.body?.input.tr_key ?? '', approvalKey: j.header.approval_key ?? '' };
      sent.push(s);
      const a = answer(s, ws);
      if (a !== null) ws.send(JSON.stringify(a));
    });
  });
  const port = (wss.address() as { port: number }).port;
  return {
    url: `ws://127.0.0.1:${port}`, sent, texts, sockets,
    close: () => new Promise<void>((r) => {
      for (const s of wss.clients) s.terminate();
      wss.close(() => r());
    }),
  };
}

const ok = (s: Sent) => ({
  header: { tr_id: s.trId, tr_key: s.trKey, encrypt: 'N' },
  body: { rt_cd: '0', msg_cd: s.trType === '1' ? 'OPSP0000' : 'OPSP0001', msg1: s.trType === '1' ? 'SUBSCRIBE SUCCESS' : 'UNSUBSCRIBE SUCCESS', output: { iv: '0123456789abcdef', key: 'abcdefghijklmnopabcdefghijklmnop' } },
});

const sessions: RealtimeSession[] = [];
const servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const s of sessions.splice(0)) await s.stop();
  for (const s of servers.splice(0)) await s.close();
});

function session(url: string, extra: Partial<RealtimeOptions> = {}): RealtimeSession {
  let n = 0;
  const s = createRealtimeSession({
    env: 'paper', url, htsId: 'myhts', approvalKey: () => Promise.resolve(`key-${++n}`), sendGapMs: 0, random: () => 0,
    backoff: { initialMs: 20, maxMs: 200 }, ...extra,
  });
  sessions.push(s);
  return s;
}

const codes = (n: number, from = 100000) => Array.from({ length: n }, (_, i) => String(from + i));

describe('KIS realtime session', () => {
  it('subscribes notices first, then held > open orders > watch, at most 41, in the documented JSON', async () => {
    const srv = await server(ok);
    servers.push(srv);
    const s = session(srv.url);
    s.want({ held: ['005930', '000660'], orders: ['000660', '035420'], watch: codes(50) });
    s.start();
    await until(() => s.stats().active === 41, '41 active registrations');
    expect(srv.sent).toHaveLength(41);
    expect(srv.sent[0]).toEqual({ trType: '1', trId: 'H0STCNI9', trKey: 'myhts', approvalKey: 'key-1' });
    expect(srv.sent.slice(1, 4).map((x) => x.trKey)).toEqual(['005930', '000660', '035420']);
    expect(srv.sent.at(-1)?.trKey).toBe(codes(37).at(-1));
    expect(JSON.parse(srv.texts[1]!)).toEqual({
      header: { approval_key: 'key-1', custtype: 'P', tr_type: '1', 'content-type': 'utf-8' }, body: { input: { tr_id: 'H0STCNT0', tr_key: '005930' } },
    });
    expect(s.stats().overLimit).toBe(13);
    // a new held symbol takes the slot of the last watch candidate at once (no linger when a slot is needed)
    s.want({ held: ['005930', '000660', '999999'], orders: ['035420'], watch: codes(50) });
    await until(() => srv.sent.length === 43, 'an unsubscribe and a subscribe');
    expect(srv.sent.slice(41)).toEqual([
      { trType: '2', trId: 'H0STCNT0', trKey: codes(37).at(-1), approvalKey: 'key-1' },
      { trType: '1', trId: 'H0STCNT0', trKey: '999999', approvalKey: 'key-1' },
    ]);
  });

  it('the same wanted set twice sends nothing; a symbol that leaves lingers, then is unsubscribed once', async () => {
    const srv = await server(ok);
    servers.push(srv);
    const s = session(srv.url, { lingerMs: 150 });
    s.want({ held: ['005930'], orders: [], watch: ['000660'] });
    s.start();
    await until(() => s.stats().active === 3, 'three registrations');
    s.want({ held: ['005930'], orders: [], watch: ['000660'] });
    s.want({ held: ['005930'], orders: [], watch: [] });
    s.want({ held: ['005930'], orders: [], watch: ['000660'] });
    s.want({ held: ['005930'], orders: [], watch: [] });
    expect(srv.sent).toHaveLength(3);
    await until(() => srv.sent.length === 4, 'the lingering unsubscribe');
    expect(srv.sent[3]).toMatchObject({ trType: '2', trKey: '000660' });
    await new Promise((r) => setTimeout(r, 200));
    expect(srv.sent).toHaveLength(4);
  });

  it('echoes PINGPONG verbatim', async () => {
    const srv = await server(ok);
    servers.push(srv);
    const s = session(srv.url);
    s.start();
    await until(() => srv.sockets.length === 1 && s.stats().active === 1, 'connected');
    const ping = '{"header":{"tr_id":"PINGPONG","datetime":"20260312140215"}}';
    srv.sockets[0]!.send(ping);
    await until(() => srv.texts.includes(ping), 'the echo');
    expect(s.stats().pingpongs).toBe(1);
  });

  it('reconnects after a drop with back-off and subscribes everything again', async () => {
    const srv = await server(ok);
    servers.push(srv);
    const events: string[] = [];
    const s = session(srv.url, { onConnected: (r) => { events.push(r ? 'reconnected' : 'connected'); }, onDisconnected: (why) => { events.push(`lost: ${why}`); } });
    s.want({ held: ['005930'], orders: [], watch: [] });
    s.start();
    await until(() => s.stats().active === 2, 'subscribed');
    srv.sockets[0]!.terminate();
    await until(() => srv.sockets.length === 2 && s.stats().active === 2, 'resubscribed on a new connection');
    expect(srv.sent.map((x) => `${x.trType}${x.trKey}`)).toEqual(['1myhts', '1005930', '1myhts', '1005930']);
    expect(events).toEqual(['connected', expect.stringMatching(/^lost: closed \(code 1006\) after \d+ s$/), 'reconnected']);
    expect(s.stats().problems.network).toBeGreaterThanOrEqual(1);
  });

  it('OPSP8996: closes, logs, and waits at least inUseBackoffMs before trying again', async () => {
    const inUse = { header: { tr_id: 'H0STCNI9', tr_key: 'myhts', encrypt: 'N' }, body: { rt_cd: '1', msg_cd: 'OPSP8996', msg1: 'ALREADY IN USE appkey' } };
    let refuse = true;
    const srv = await server((x) => (refuse ? inUse : ok(x)));
    servers.push(srv);
    const events: string[] = [];
    const s = session(srv.url, { inUseBackoffMs: 300, onConnected: (r) => { events.push(r ? 'reconnected' : 'connected'); }, onDisconnected: () => { events.push('lost'); } });
    s.start();
    await until(() => s.stats().problems['appkey-in-use'] === 1 && !s.stats().connected, 'refused and closed');
    // the socket opened, but no subscription lived: not "connected" for the daemon (no ws-back, no reconcile)
    expect(events).toEqual(['lost']);
    const closedAt = Date.now();
    refuse = false;
    await until(() => s.stats().active === 1, 'accepted on the next connection');
    expect(Date.now() - closedAt).toBeGreaterThanOrEqual(250);
    expect(srv.sockets).toHaveLength(2);
    await until(() => events.length === 2, 'the session live');
    expect(events).toEqual(['lost', 'connected']);
  });

  it('with nothing to subscribe, an open socket is live at once', async () => {
    const srv = await server(ok);
    servers.push(srv);
    const events: boolean[] = [];
    const s = session(srv.url, { htsId: null, onConnected: (r) => { events.push(r); } });
    s.start();
    await until(() => events.length === 1, 'connected');
    expect(events).toEqual([false]);
    expect(srv.sent).toEqual([]);
  });

  it('a refused subscribe (OPSP0008) is retried on its own back-off, not in a loop', async () => {
    let refusals = 0;
    const srv = await server((x) => {
      if (x.trKey === '005930' && refusals < 2) {
        refusals++;
        return { header: { tr_id: x.trId, tr_key: x.trKey, encrypt: 'N' }, body: { rt_cd: '1', msg_cd: 'OPSP0008', msg1: 'MAX SUBSCRIBE OVER' } };
      }
      return ok(x);
    });
    servers.push(srv);
    const s = session(srv.url);
    s.want({ held: ['005930'], orders: [], watch: [] });
    s.start();
    await until(() => s.stats().active === 2, 'accepted on the third try');
    const tries = srv.sent.filter((x) => x.trKey === '005930');
    expect(tries).toHaveLength(3);
    expect(s.stats().problems['registration-limit']).toBe(2);
    expect(srv.sockets).toHaveLength(1);
  });

  it('bad frames, a frame it cannot decrypt and a failing handler are counted; the session goes on', async () => {
    const srv = await server(ok);
    servers.push(srv);
    const seen: string[] = [];
    const s = session(srv.url, {
      onTrade: (t) => {
        seen.push(t.symbol);
        if (seen.length === 1) throw new Error('handler bug');
      },
    });
    s.start();
    await until(() => s.stats().active === 1, 'connected');
    const ws = srv.sockets[0]!;
    const trade = ['005930', '093354', '71900', ...Array.from({ length: 43 }, () => '1')].join('^');
    ws.send('0|H0STCNT0|001|005930^1');
    ws.send('not a frame');
    // a notice that is not ciphertext of the answer's key, and an encrypted trade no answer gave a key for
    ws.send('1|H0STCNI9|001|AAAAAAAAAAAAAAAAAAAAAA==');
    ws.send('1|H0STCNT0|001|AAAAAAAAAAAAAAAAAAAAAA==');
    ws.send(`0|H0STCNT0|001|${trade}`);
    ws.send(`0|H0STCNT0|001|${trade}`);
    await until(() => seen.length === 2, 'both trades delivered');
    expect(s.stats().problems).toMatchObject({ 'frame-invalid': 2, decrypt: 2, handler: 1 });
    expect(s.stats()).toMatchObject({ connected: true, connects: 1, trades: 2, notices: 0 });
  });

  it('OPSP9994: a refused approval key is dropped and a new one asked for on the next connection', async () => {
    const srv = await server((x) => (x.approvalKey === 'key-1'
      ? { header: { tr_id: x.trId, tr_key: x.trKey, encrypt: 'N' }, body: { rt_cd: '1', msg_cd: 'OPSP9994', msg1: 'INVALID APPROVAL KEY' } }
      : ok(x)));
    servers.push(srv);
    const s = session(srv.url);
    s.start();
    await until(() => s.stats().active === 1, 'registered with the second key');
    expect(srv.sent.map((x) => x.approvalKey)).toEqual(['key-1', 'key-2']);
    expect(s.stats().connects).toBe(2);
    expect(s.stats().problems['subscribe-refused']).toBe(1);
  });

  it('a failed approval key and a refused connection are classified and retried, never thrown', async () => {
    let calls = 0;
    const s = createRealtimeSession({
      env: 'live', url: 'ws://127.0.0.1:9', htsId: null, backoff: { initialMs: 10, maxMs: 20 }, random: () => 0,
      approvalKey: () => (++calls === 1 ? Promise.reject(new Error('EGW00103')) : Promise.resolve('k')),
    });
    sessions.push(s);
    s.start();
    await until(() => s.stats().problems.network >= 2, 'two refused connections');
    expect(s.stats().problems.approval).toBe(1);
    expect(calls).toBe(2);
  });
});
