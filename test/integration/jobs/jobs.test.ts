import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { createReadWindow, kstDateOf, RISK_KEYS, shares, silentLogger, systemClock } from '../../../src/domain/index.js';
import type { Halt, Notice, OrderIntent, ScanSettings } from '../../../src/domain/index.js';
import { defaultConfig, jobSettings } from '../../../src/config/index.js';
import { createOrderDesk, runFillsPoll, runOrderJob, runScanJob, runSignalJob } from '../../../src/jobs/index.js';
import type { OrderDesk, OrderRequest, SignalRequest } from '../../../src/jobs/index.js';
import { DEFAULT_FEE_RATES } from '../../../src/market/index.js';
import { calendar } from '../kis/sim-harness.js';
import { limitBuy, SAMSUNG, startOrdersHarness } from '../orders/orders-harness.js';
import type { OrdersHarness } from '../orders/orders-harness.js';
import { permissiveMomentum, strategyInstance } from '../../helpers/builders.js';

/**
 * The use cases of src/jobs/ called directly, as the daemon's runtime/jobs.ts calls them: the real
 * KIS client over HTTP to the real simulator, a temp SQLite trade log, real Redis (token lock and
 * rate budget); the queues replaced by what the job hands them.
 */
let redis: Redis;
beforeAll(() => { redis = new Redis(inject('redisUrl')); });
afterAll(async () => { await redis.quit(); });
let h: OrdersHarness | null = null;
afterEach(async () => { await h?.close(); h = null; });

const settings = jobSettings(defaultConfig());

function scanSettings(over: Partial<ScanSettings> = {}): ScanSettings {
  // Wide enough that the simulator's rankings give candidates.
  return { ...settings.scan, filter: { ...settings.scan.filter, minTradedValue: 0 as ScanSettings['filter']['minTradedValue'] }, ...over };
}

function scanDeps(harness: OrdersHarness, enqueued: [string, SignalRequest][], over: Partial<ScanSettings> = {}, strategies = [strategyInstance()]) {
  return {
    strategies,
    market: harness.client.market, rankings: harness.client.market, paper: false, scans: harness.store.scans,
    positions: harness.store.positions, calendar: () => calendar, clock: harness.clock, log: silentLogger,
    reads: createReadWindow({ ratePerSec: 20, clock: systemClock }), settings: scanSettings(over),
    enqueueSignal: (id: string, r: SignalRequest) => { enqueued.push([id, r]); return Promise.resolve(); },
  };
}

function deskOf(harness: OrdersHarness, notices: Notice[] = []): OrderDesk {
  const { store, client, clock } = harness;
  return createOrderDesk({
    orders: store.orders, fills: store.fills, positions: store.positions, risk: store.risk, corporateActions: store.corporateActions,
    bars: store.bars, transaction: (fn) => store.transaction(fn), broker: client.broker, market: client.market, clock,
    calendar: () => calendar, fees: DEFAULT_FEE_RATES, log: silentLogger, settings: () => settings.orders,
    notifier: { notify: (n) => { notices.push(n); } },
  });
}

function request(intent: OrderIntent): OrderRequest {
  return { ...intent, decidedAt: null };
}

describe('runScanJob', () => {
  it('enqueues one entry evaluation per candidate, keyed by date, symbol and minute slot', async () => {
    h = await startOrdersHarness(redis);
    const enqueued: [string, SignalRequest][] = [];
    const at = h.clock.now();
    const r = await runScanJob(scanDeps(h, enqueued), { at });
    expect(r?.candidates.length).toBeGreaterThan(0);
    const date = kstDateOf(at);
    const slot = Math.floor(at / 60_000);
    expect(enqueued.map(([id]) => id)).toEqual(r!.candidates.map((s) => `s.entry.${date}.momentum-volume.${s}.${slot}`));
    expect(enqueued[0]![1]).toMatchObject({ kind: 'entry', strategy: 'momentum-volume', tradingDate: date, candidate: { symbol: r!.candidates[0] } });
    expect(enqueued[0]![1].scanSnapshotIds.length).toBeGreaterThan(0);
  }, 30_000);

  it('stops enqueueing the moment the daemon stops: the rest of the candidates wait for the next start', async () => {
    h = await startOrdersHarness(redis);
    const enqueued: [string, SignalRequest][] = [];
    const stopping = new AbortController();
    const deps = { ...scanDeps(h, enqueued), enqueueSignal: (id: string, r: SignalRequest) => { enqueued.push([id, r]); stopping.abort(); return Promise.resolve(); } };
    await expect(runScanJob(deps, { at: h.clock.now(), signal: stopping.signal })).rejects.toThrow(/abort/i);
    expect(enqueued).toHaveLength(1);
  }, 30_000);

  it('asks KIS nothing once stopping: the scan lane may wait behind every signal job for longer than a shutdown may take', async () => {
    h = await startOrdersHarness(redis);
    const enqueued: [string, SignalRequest][] = [];
    const snapshots = () => h!.store.db.prepare('SELECT count(*) n FROM scan_snapshots').get() as { n: number };
    await expect(runScanJob(scanDeps(h, enqueued), { at: h.clock.now(), signal: AbortSignal.abort() })).rejects.toThrow(/abort/i);
    await expect(h.client.market.quote(SAMSUNG, { lane: 'scan', signal: AbortSignal.abort() })).rejects.toThrow(/abort/i);
    expect(snapshots().n).toBe(0);
    expect(enqueued).toEqual([]);
  }, 30_000);

  it('hands each candidate to every strategy whose universe admits it', async () => {
    h = await startOrdersHarness(redis);
    const enqueued: [string, SignalRequest][] = [];
    const wide = strategyInstance({ id: 'wide' });
    const top3 = strategyInstance({ id: 'top3', entry: { universe: { maxRank: 3 } } });
    const r = await runScanJob(scanDeps(h, enqueued, {}, [wide, top3]), { at: h.clock.now() });
    const candidates = r!.candidates;
    const byStrategy = (id: string) => enqueued.filter(([, q]) => q.strategy === id).map(([, q]) => q.symbol);
    expect(byStrategy('wide')).toEqual(candidates);
    const ranked = enqueued.filter(([, q]) => q.strategy === 'wide').filter(([, q]) => {
      const ranks = Object.values((q.candidate as { ranks: Record<string, number | null> }).ranks).filter((x): x is number => x !== null);
      return Math.min(...ranks) <= 3;
    }).map(([, q]) => q.symbol);
    expect(ranked.length).toBeGreaterThan(0);
    expect(ranked.length).toBeLessThan(candidates.length);
    expect(byStrategy('top3')).toEqual(ranked);
  }, 30_000);

  it('evaluates the own list of a strategy every scan, ranked or not, and only for that strategy', async () => {
    h = await startOrdersHarness(redis);
    const enqueued: [string, SignalRequest][] = [];
    // 000020 and 000040 are not among the ranked candidates here; 000040 is excluded by the strategy itself
    const listed = strategyInstance({ id: 'listed', entry: { universe: { symbols: ['005930', '000020', '000040'], exclude: ['000040'] } } });
    const r = await runScanJob(scanDeps(h, enqueued, {}, [strategyInstance({ id: 'wide' }), listed]), { at: h.clock.now() });
    expect(r!.candidates).not.toContain('000020');
    const mine = enqueued.filter(([, q]) => q.strategy === 'listed');
    // once each, whether 005930 came through the rankings or the list
    expect(mine.map(([, q]) => q.symbol).sort()).toEqual(['000020', '005930']);
    const unranked = mine.find(([, q]) => q.symbol === '000020')!;
    expect(unranked[1]).toMatchObject({ kind: 'entry', candidate: null });
    expect(unranked[0]).toMatch(/^s\.entry\.\d{8}\.listed\.000020\.\d+$/);
    // the other strategy sees only ranked candidates
    expect(enqueued.filter(([, q]) => q.strategy === 'wide').map(([, q]) => q.symbol)).toEqual(r!.candidates);
  }, 30_000);

  it('scans nothing in a process that does not scan (daemon.role "workers")', async () => {
    h = await startOrdersHarness(redis);
    const enqueued: [string, SignalRequest][] = [];
    expect(await runScanJob(scanDeps(h, enqueued, { scans: false }), { at: h.clock.now() })).toBeNull();
    expect(enqueued).toEqual([]);
  }, 30_000);
});

describe('runSignalJob', () => {
  it('records the entry decision and hands its intent to the order queue', async () => {
    h = await startOrdersHarness(redis);
    const sent: OrderIntent[] = [];
    const { store, client, clock } = h;
    const r = await runSignalJob({
      market: client.market, broker: client.broker, bars: store.bars, decisions: store.decisions, positions: store.positions,
      orders: store.orders, fills: store.fills, risk: store.risk, calendar: () => calendar, clock, log: silentLogger,
      configHash: 'cfg-test', settings: settings.signals, strategies: [permissiveMomentum()],
      enqueueOrder: (i) => { sent.push(i); return Promise.resolve(); },
    }, { kind: 'entry', strategy: 'momentum-volume', symbol: SAMSUNG, candidate: null, scanSnapshotIds: [] });
    expect(r?.intent).not.toBeNull();
    expect(sent).toEqual([r!.intent]);
    expect(sent[0]).toMatchObject({ symbol: SAMSUNG, side: 'buy', configHash: 'cfg-test' });
    expect(store.decisions.forDate(kstDateOf(clock.now())).map((d) => d.outcome)).toEqual(['order']);
  }, 30_000);
});

describe('runOrderJob over the order desk', () => {
  it('sends an intent once, even when its job runs twice', async () => {
    h = await startOrdersHarness(redis);
    const desk = deskOf(h);
    // A resting buy at the lower limit: accepted, never filled.
    const intent = limitBuy(h, 'i.jobs-test.buy', (await h.client.market.quote(SAMSUNG)).lowerLimit);
    h.store.orders.insertIntent(intent, h.clock.now());
    const first = await runOrderJob({ desk, ownsAccount: () => true }, request(intent));
    const second = await runOrderJob({ desk, ownsAccount: () => true }, request(intent));
    await desk.close();
    expect(first.outcome).toBe('accepted');
    expect(second.outcome).toBe('duplicate');
    expect(h.sim.exchange.ordersReceived).toBe(1);
    expect(h.store.orders.byIntentKey(intent.intentKey)).toMatchObject({ status: 'accepted', qty: shares(1) });
  }, 30_000);

  it('tells the notifier of a rejection and of a fill', async () => {
    h = await startOrdersHarness(redis);
    const notices: Notice[] = [];
    const desk = deskOf(h, notices);
    const q = await h.client.market.quote(SAMSUNG);
    // Below the lower limit: the exchange refuses it.
    const refused = limitBuy(h, 'i.jobs-test.refused', q.lowerLimit - 1_000);
    h.store.orders.insertIntent(refused, h.clock.now());
    expect((await runOrderJob({ desk, ownsAccount: () => true }, request(refused))).outcome).toBe('rejected');
    expect(notices.map((n) => n.kind)).toEqual(['reject']);
    expect(notices[0]!.details).toMatchObject({ intentKey: refused.intentKey });
    // At the upper limit: filled at once, and the reconcile that records it says so.
    const filled = limitBuy(h, 'i.jobs-test.filled', q.upperLimit);
    h.store.orders.insertIntent(filled, h.clock.now());
    expect((await runOrderJob({ desk, ownsAccount: () => true }, request(filled))).outcome).toBe('accepted');
    await desk.reconcile('test');
    await desk.close();
    expect(notices.map((n) => n.kind)).toEqual(['reject', 'fill']);
  }, 30_000);

  it('halts new entries when KIS refuses an order as the market being closed, and says so once', async () => {
    h = await startOrdersHarness(redis);
    const notices: Notice[] = [];
    const desk = deskOf(h, notices);
    const q = await h.client.market.quote(SAMSUNG);
    // an ordinary refusal halts nothing
    const low = limitBuy(h, 'i.jobs-test.low', q.lowerLimit - 1_000);
    h.store.orders.insertIntent(low, h.clock.now());
    expect((await runOrderJob({ desk, ownsAccount: () => true }, request(low))).outcome).toBe('rejected');
    expect(h.store.risk.get(RISK_KEYS.halt)).toBeNull();

    h.sim.faults.inject('market-closed:order-cash:2');
    for (const key of ['i.jobs-test.closed-1', 'i.jobs-test.closed-2']) {
      const closed = limitBuy(h, key, q.upperLimit);
      h.store.orders.insertIntent(closed, h.clock.now());
      expect((await runOrderJob({ desk, ownsAccount: () => true }, request(closed))).outcome).toBe('rejected');
    }
    await desk.close();
    const halt = h.store.risk.get<Halt>(RISK_KEYS.halt);
    expect(halt?.reason).toMatch(/^KIS refused an order as the market being closed \(APBK0919\) while the calendar says it is open$/);
    expect(notices.map((n) => n.kind)).toEqual(['reject', 'reject', 'halt', 'reject']);
    expect(h.sim.exchange.ordersReceived).toBe(0);
  }, 30_000);

  it('sends nothing while the account lock is not held', async () => {
    h = await startOrdersHarness(redis);
    const desk = deskOf(h);
    const intent = limitBuy(h, 'i.jobs-test.nolock', 1);
    h.store.orders.insertIntent(intent, h.clock.now());
    await expect(runOrderJob({ desk, ownsAccount: () => false }, request(intent))).rejects.toThrow(/instance lock/);
    await desk.close();
    expect(h.sim.exchange.ordersReceived).toBe(0);
    expect(h.store.orders.byIntentKey(intent.intentKey)?.status).toBe('pending');
  }, 30_000);
});

describe('runFillsPoll', () => {
  it('reconciles only while an order of ours may still change at the broker', async () => {
    h = await startOrdersHarness(redis);
    const desk = deskOf(h);
    expect(await runFillsPoll({ orders: h.store.orders, desk })).toBe(false);
    const intent = limitBuy(h, 'i.jobs-test.poll', (await h.client.market.quote(SAMSUNG)).lowerLimit);
    h.store.orders.insertIntent(intent, h.clock.now());
    await desk.submit(intent, null);
    expect(await runFillsPoll({ orders: h.store.orders, desk })).toBe(true);
    await desk.close();
  }, 30_000);
});
