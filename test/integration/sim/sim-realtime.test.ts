import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { shares, stockCode } from '../../../src/domain/index.js';
import { createKisClient, createRealtimeSession } from '../../../src/kis/index.js';
import type { FillNotice, KisClient, RealtimeOptions, RealtimeSession, TradeTick } from '../../../src/kis/index.js';
import { createCountingBudget, createLocalLock, createMemoryTokenStore } from '../../helpers/kis-fakes.js';
import { CRED, startSim } from './sim-client.js';
import type { Harness } from './sim-client.js';
import { until } from '../../helpers/until.js';

/**
 * The simulator's WebSocket (docs/kis-wire.md §10) through the real client over localhost: trades
 * of registered symbols from the synthetic market, encrypted notices of the matching engine's fills,
 * OPSP8996 for a second session, PINGPONG, and the ws-* faults. Sim time is a manual clock; the
 * server's pump and the client's back-offs run in real (short) time.
 */

let h: Harness;
let client: KisClient;
const sessions: RealtimeSession[] = [];

beforeEach(async () => {
  h = await startSim({ env: 'paper', realtime: { pumpMs: 10, pingMs: 60_000 } });
  client = createKisClient({
    env: 'paper', baseUrl: h.url, appKey: CRED.appKey, appSecret: CRED.appSecret, account: CRED.account,
    timeouts: { connectMs: 1000, headersMs: 3000, bodyMs: 3000, totalMs: 5000 },
    rateBudget: createCountingBudget(), tokenStore: createMemoryTokenStore(), lock: createLocalLock(), clock: h.clock,
  });
});
afterEach(async () => {
  for (const s of sessions.splice(0)) await s.stop();
  await client.close();
  await h.sim.stop();
});

function open(extra: Partial<RealtimeOptions> = {}) {
  const trades: TradeTick[] = [];
  const notices: FillNotice[] = [];
  const s = createRealtimeSession({
    env: 'paper', url: h.url.replace(/^http/, 'ws'), htsId: 'simhts', approvalKey: () => client.approvalKey(), sendGapMs: 0,
    backoff: { initialMs: 20, maxMs: 100 }, random: () => 0, onTrade: (t) => { trades.push(t); }, onNotice: (n) => { notices.push(n); }, ...extra,
  });
  sessions.push(s);
  return { s, trades, notices };
}

const symbol = () => stockCode(h.sim.market.symbols()[0]!.code);

describe('simulator WebSocket', () => {
  it('serves trades of a registered symbol from the synthetic market, one per change', async () => {
    const { s, trades } = open();
    s.want({ held: [symbol()], orders: [], watch: [] });
    s.start();
    await until(() => trades.length === 1, 'the first trade');
    const q = h.sim.market.quote(symbol(), h.clock.now());
    expect(trades[0]).toMatchObject({ symbol: symbol(), price: q.price, dayVolume: q.volume, hourClass: '0' });
    h.clock.advance(5 * 60_000);
    await until(() => trades.length === 2, 'a trade after five minutes');
    expect(trades[1]!.price).toBe(h.sim.market.quote(symbol(), h.clock.now()).price);
    expect(s.stats().active).toBe(2);
  });

  it('sends an encrypted notice of each fill of the account, with the order number of the REST answer', async () => {
    const { s, notices } = open();
    s.start();
    await until(() => s.stats().active === 1, 'notices registered');
    const q = await client.market.quote(symbol());
    const ack = await client.broker.placeOrder({ symbol: symbol(), side: 'buy', type: 'limit', qty: shares(3), price: q.upperLimit });
    h.clock.advance(60_000);
    await until(() => notices.length > 0, 'the fill notice');
    const trades = h.sim.exchange.trades(CRED.account);
    expect(trades.length).toBeGreaterThan(0);
    expect(notices[0]).toMatchObject({ orderNo: ack.venueOrderId, side: 'buy', symbol: symbol(), fill: true, qty: trades[0]!.qty, price: trades[0]!.price, orderQty: 3 });
    expect(notices.reduce((sum, n) => sum + n.qty, 0)).toBe(3);
  });

  it('a second session for the same app key gets OPSP8996; the first keeps its registrations', async () => {
    const first = open();
    first.s.want({ held: [symbol()], orders: [], watch: [] });
    first.s.start();
    await until(() => first.s.stats().active === 2, 'first session registered');
    const second = open({ inUseBackoffMs: 60_000 });
    second.s.start();
    await until(() => second.s.stats().problems['appkey-in-use'] === 1, 'the refusal');
    expect(h.sim.realtime.stats().inUseRefusals).toBe(1);
    await until(() => !second.s.stats().connected, 'the second session closing');
    expect(second.s.stats().reconnectAt).not.toBeNull();
    expect(first.s.stats()).toMatchObject({ connected: true, active: 2 });
    expect(h.sim.realtime.sessions()).toBe(1);
  });

  it('PINGPONG: the client echoes and stays; a client that never answers is closed after two', async () => {
    await h.sim.stop();
    h = await startSim({ env: 'paper', realtime: { pumpMs: 10, pingMs: 30 } });
    const good = open({ approvalKey: async () => ((await h.post('/oauth2/Approval', { grant_type: 'client_credentials', appkey: CRED.appKey, secretkey: CRED.appSecret })).body as unknown as { approval_key: string }).approval_key });
    good.s.start();
    await until(() => good.s.stats().pingpongs >= 3, 'three PINGPONGs');
    await until(() => h.sim.realtime.stats().pongs >= 3, 'three echoes at the server');
    expect(good.s.stats().connected).toBe(true);
    const mute = new WebSocket(h.url.replace(/^http/, 'ws'));
    const closed = new Promise<number>((r) => mute.on('close', (code) => r(code)));
    expect(await closed).toBe(1000);
    expect(good.s.stats().connects).toBe(1);
  });

  it('faults: a dropped notice never arrives; a cut session reconnects and registers again', async () => {
    h.sim.faults.inject('ws-drop:H0STCNI9:1');
    const { s, notices } = open();
    s.want({ held: [symbol()], orders: [], watch: [] });
    s.start();
    await until(() => s.stats().active === 2, 'registered');
    const q = await client.market.quote(symbol());
    await client.broker.placeOrder({ symbol: symbol(), side: 'buy', type: 'limit', qty: shares(1), price: q.upperLimit });
    h.clock.advance(60_000);
    await until(() => h.sim.realtime.stats().dropped === 1, 'the drop');
    expect(notices).toHaveLength(0);
    h.sim.faults.inject('ws-disconnect:H0STCNT0:1');
    h.clock.advance(5 * 60_000);
    await until(() => h.sim.realtime.stats().disconnected === 1, 'the cut');
    await until(() => s.stats().connects === 2 && s.stats().active === 2, 'reconnected and registered again');
    await client.broker.placeOrder({ symbol: symbol(), side: 'buy', type: 'limit', qty: shares(1), price: q.upperLimit });
    h.clock.advance(60_000);
    await until(() => notices.length === 1, 'the next notice');
  });

  it('a fill while no session listens is never sent later', async () => {
    const { s, notices } = open();
    s.start();
    await until(() => s.stats().active === 1, 'registered');
    await s.stop();
    await until(() => h.sim.realtime.sessions() === 0, 'the session gone');
    const q = await client.market.quote(symbol());
    await client.broker.placeOrder({ symbol: symbol(), side: 'buy', type: 'limit', qty: shares(1), price: q.upperLimit });
    h.clock.advance(60_000);
    await until(() => h.sim.exchange.trades(CRED.account).length === 1, 'the fill at the exchange');
    const again = open();
    again.s.start();
    await until(() => again.s.stats().active === 1, 'registered again');
    await client.broker.placeOrder({ symbol: symbol(), side: 'buy', type: 'limit', qty: shares(2), price: q.upperLimit });
    h.clock.advance(60_000);
    await until(() => again.notices.length > 0, 'the notice of the second order');
    expect(again.notices.map((n) => n.orderQty)).toEqual(again.notices.map(() => 2));
    expect(notices).toEqual([]);
  });

  it('ws-delay holds a frame back without losing it', async () => {
    h.sim.faults.inject({ kind: 'ws-delay', match: { trId: 'H0STCNT0' }, ms: 150 });
    const { s, trades } = open();
    s.want({ held: [symbol()], orders: [], watch: [] });
    s.start();
    await until(() => h.sim.realtime.stats().delayed === 1, 'the delayed frame');
    expect(trades).toHaveLength(0);
    await until(() => trades.length === 1, 'the frame, late');
  });
});
