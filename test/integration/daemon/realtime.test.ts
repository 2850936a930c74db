import { afterEach, describe, expect, inject, it } from 'vitest';
import { Redis } from 'ioredis';
import { join } from 'node:path';
import { scrubText } from '../../../src/log.js';
import { createApp } from '../../../src/app.js';
import type { App } from '../../../src/app.js';
import { loadConfig } from '../../../src/config/index.js';
import { stockCode, tradingDate } from '../../../src/domain/index.js';
import type { Logger, StockCode } from '../../../src/domain/index.js';
import { createKisClient, createRealtimeSession } from '../../../src/kis/index.js';
import { createProducers } from '../../../src/queues/index.js';
import type { OrderJob, Producers } from '../../../src/queues/index.js';
import { SIM_DEFAULT_CREDENTIALS } from '../../../src/sim/index.js';
import { createCountingBudget, createLocalLock, createMemoryTokenStore } from '../../helpers/kis-fakes.js';
import { daemonEnv, ROOT, startSharedSim, waitFor } from '../../helpers/daemon.js';
import type { DaemonEnv, SimHarness } from '../../helpers/daemon.js';

/**
 * The daemon's KIS WebSocket (docs/kis-wire.md §10.5), in-process against the simulator over HTTP and
 * WebSocket on localhost, real Redis, temp SQLite. The fill poll and the periodic reconcile are set
 * to their longest, so a fill recorded before them was recorded because of the notice: the tests
 * assert which reconcile recorded it (its logged reason), never how fast.
 */
const DATE = tradingDate('20261126');
const BASE = {
  // no entries of the daemon's own: only the orders the tests place
  KIS_TRADER__STRATEGIES__MOMENTUM_VOLUME__PARAMS__MIN_CHANGE_PCT: '29', KIS_TRADER__STRATEGIES__MOMENTUM_VOLUME__PARAMS__MAX_CHANGE_PCT: '30',
  KIS_TRADER__SCHEDULE__FILL_POLL_SECONDS: '300',
  KIS_TRADER__SCHEDULE__RECONCILE_EVERY_MINUTES: '60',
  KIS_TRADER__SCHEDULE__EXIT_CHECK_EVERY_MINUTES: '60',
  KIS_TRADER__SCHEDULE__SCAN_EVERY_MINUTES: '60',
};
const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

type Line = Record<string, unknown> & { msg: string; level: string };
function captureLogger(lines: Line[], bindings: Record<string, unknown> = {}): Logger {
  const at = (level: string) => (a: unknown, b?: string) => {
    if (typeof a === 'string') lines.push({ ...bindings, level, msg: a });
    else lines.push({ ...bindings, ...(a as Record<string, unknown>), level, msg: b ?? '' });
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), fatal: at('fatal'), child: (more) => captureLogger(lines, { ...bindings, ...more }) };
}

interface Started { app: App; h: SimHarness; d: DaemonEnv; producers: Producers; lines: Line[] }

async function startApp(opts: { hhmmss: string; faults?: string[]; env?: Record<string, string>; before?: (h: SimHarness) => Promise<void> }): Promise<Started> {
  const h = await startSharedSim({ date: DATE, hhmmss: opts.hhmmss, faults: opts.faults ?? [] });
  cleanups.push(() => h.stop());
  await opts.before?.(h);
  const d = daemonEnv(h, inject('redisUrl'), { ...BASE, ...opts.env });
  const loaded = loadConfig({ dir: join(ROOT, 'config'), env: d.env });
  const lines: Line[] = [];
  const app = createApp({ loaded, env: d.env, cwd: ROOT, log: captureLogger(lines) });
  const redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: null });
  cleanups.push(() => d.cleanup(), () => redis.quit());
  await app.start();
  cleanups.push(() => app.stop());
  const producers = createProducers(redis, d.prefix, captureLogger([]));
  cleanups.push(() => producers.close());
  return { app, h, d, producers, lines };
}

const buy = (symbol: string, qty: number, extra: Partial<OrderJob> = {}): OrderJob => ({
  intentKey: `i.rt-test.${symbol}.buy.${DATE}.${qty}`, symbol, side: 'buy', qty, type: 'market', price: 0, tradingDate: DATE, decisionId: null,
  configHash: 'test', reason: 'test', ...extra,
});

const reconciles = (lines: Line[]) => lines.filter((l) => l.msg === 'reconciled with the broker');
const fillsOf = (app: App, intentKey: string) => {
  const o = app.store.orders.byIntentKey(intentKey);
  return o ? app.store.fills.forDate(DATE).filter((f) => f.orderId === o.id) : [];
};

/** A symbol whose one-tick spread is at least 0.15 % of the ask: bought at the ask, the last trade is below a 0.1 % stop. */
function wideTickSymbol(h: SimHarness): { symbol: StockCode; askQty: number } {
  for (const s of h.sim.market.symbols()) {
    const ask = h.sim.market.book(s.code).asks[0];
    const last = h.sim.market.quote(s.code).price;
    if (!ask || (ask.price - last) * 10_000 < 15 * ask.price || ask.price * ask.qty * 4 > 60_000_000 || ask.qty < 2) continue;
    return { symbol: stockCode(s.code), askQty: ask.qty };
  }
  throw new Error('no symbol with a wide enough tick in the simulator');
}

describe('the daemon on the KIS WebSocket', () => {
  it('a fill notice records the fill by the reconcile it triggers, before any poll; later reconciles never record it again', async () => {
    // 10:30:01: the next minute of the simulated market (and of its matching) is 59 s away
    const { app, h, producers, lines } = await startApp({ hhmmss: '103001' });
    await waitFor(() => (app.realtime()?.session.stats().active === 1 ? true : undefined), 10_000, 'the notice registration');
    const [a, b] = h.sim.market.symbols().slice(3, 5).map((s) => s.code);
    const first = buy(a!, 2);
    await producers.orders.add(first.intentKey, first);
    const fills = await waitFor(() => (fillsOf(app, first.intentKey).length > 0 ? fillsOf(app, first.intentKey) : undefined), 90_000, 'the fill');
    expect(h.sim.realtime.stats().notices).toBeGreaterThan(0);
    const recorded = await waitFor(() => {
      const r = reconciles(lines).filter((l) => (l.fills as number) > 0);
      return r.length > 0 ? r : undefined;
    }, 10_000, 'the reconcile that recorded it');
    expect(recorded.map((l) => l.reason)).toEqual(['fill notice']);
    expect(reconciles(lines).some((l) => l.reason === 'fill poll' || l.reason === 'periodic')).toBe(false);
    expect(fills.reduce((s, f) => s + f.qty, 0)).toBe(2);
    // another order's notice reconciles again over every order of the day: the first fill stays one
    const second = buy(b!, 1);
    await producers.orders.add(second.intentKey, second);
    await waitFor(() => (fillsOf(app, second.intentKey).length > 0 ? true : undefined), 90_000, 'the second fill');
    expect(fillsOf(app, first.intentKey)).toEqual(fills);
    await waitFor(() => (reconciles(lines).filter((l) => l.reason === 'fill notice' && (l.fills as number) > 0).length >= 2 ? true : undefined), 10_000, 'the second notice reconcile');
  }, 150_000);

  it('a notice lost to a cut session is recorded once, by the reconcile after the reconnect', async () => {
    const { app, h, producers, lines } = await startApp({ hhmmss: '103001', faults: ['ws-disconnect:H0STCNI0:1'] });
    await waitFor(() => (app.realtime()?.session.stats().active === 1 ? true : undefined), 10_000, 'the notice registration');
    const job = buy(h.sim.market.symbols()[6]!.code, 2);
    await producers.orders.add(job.intentKey, job);
    await waitFor(() => (h.sim.realtime.stats().disconnected === 1 ? true : undefined), 90_000, 'the session cut instead of the notice');
    const fills = await waitFor(() => (fillsOf(app, job.intentKey).length > 0 ? fillsOf(app, job.intentKey) : undefined), 30_000, 'the fill');
    const recorded = await waitFor(() => {
      const r = reconciles(lines).filter((l) => (l.fills as number) > 0);
      return r.length > 0 ? r : undefined;
    }, 10_000, 'the reconcile that recorded it');
    expect(recorded.map((l) => l.reason)).toEqual(['websocket reconnected']);
    expect(fills.reduce((s, f) => s + f.qty, 0)).toBe(2);
    const stats = app.realtime()!.session.stats();
    expect(stats.connects).toBe(2);
    // registered again: the notices and, now, the held symbol's trades
    await waitFor(() => (app.realtime()?.session.stats().active === 2 ? true : undefined), 10_000, 'registered again');
    // one alert for the outage and one for the return (docs/operations.md, Alerts)
    expect(lines.filter((l) => l.notice === 'ws-lost' || l.notice === 'ws-back').map((l) => l.notice)).toEqual(['ws-lost', 'ws-back']);
  }, 150_000);

  it('a stop-loss goes out on the trade that crosses it, before any minute check', async () => {
    const { app, h, producers, lines } = await startApp({
      hhmmss: '103001', env: { KIS_TRADER__STRATEGIES__MOMENTUM_VOLUME__EXITS__STOP_LOSS_PCT: '0.1' },
    });
    const { symbol, askQty } = wideTickSymbol(h);
    // the start-up scan enqueues the exits of what is held after its entries: let it finish first,
    // so the only exit check that can see the position is the one the trades run
    const scanned = await waitFor(() => lines.find((l) => /^scan: \d+ candidates/.test(l.msg)), 30_000, 'the start-up scan');
    const candidates = Number(/^scan: (\d+)/.exec(scanned.msg)![1]);
    await waitFor(() => (app.store.decisions.forDate(DATE).filter((d) => d.kind === 'entry').length >= candidates ? true : undefined), 60_000, 'its evaluations');
    const job = buy(symbol, askQty);
    await producers.orders.add(job.intentKey, job);
    const sell = await waitFor(() => app.store.orders.forDate(DATE).find((o) => o.symbol === symbol && o.side === 'sell' && o.status === 'filled'), 120_000, 'the stop-loss sell');
    expect(sell.filledQty).toBe(askQty);
    const crossed = lines.filter((l) => l.msg === 'a real-time trade crossed an exit: exit job enqueued' && l.symbol === symbol);
    expect(crossed.length).toBeGreaterThanOrEqual(1);
    expect(crossed[0]).toMatchObject({ rule: 'stop-loss', added: true });
    const decisions = app.store.decisions.forDate(DATE).filter((d) => d.kind === 'exit' && d.symbol === symbol);
    // one exit per position: the first decision sent the order, no second order was decided
    expect(decisions.filter((d) => d.outcome === 'order')).toHaveLength(1);
    expect(decisions[0]).toMatchObject({ rule: 'stop-loss', outcome: 'order', intentKey: sell.intentKey });
    expect((decisions[0]!.inputs as { signalJobId?: string }).signalJobId).toMatch(new RegExp(`^s\\.exit\\.${DATE}\\.${symbol}\\.t\\d+$`));
  }, 150_000);

  it('OPSP8996: another session on the app key makes the daemon back off and say why; fills still come by polling', async () => {
    let holder: ReturnType<typeof createRealtimeSession> | null = null;
    const { app, lines } = await startApp({
      hhmmss: '103001', env: { KIS_TRADER__SCHEDULE__FILL_POLL_SECONDS: '2' },
      before: async (h) => {
        const client = createKisClient({
          env: 'live', baseUrl: h.url, appKey: SIM_DEFAULT_CREDENTIALS.appKey, appSecret: SIM_DEFAULT_CREDENTIALS.appSecret,
          account: SIM_DEFAULT_CREDENTIALS.account, timeouts: { connectMs: 1000, headersMs: 3000, bodyMs: 3000, totalMs: 5000 },
          rateBudget: createCountingBudget(), tokenStore: createMemoryTokenStore(), lock: createLocalLock(), clock: h.clock,
        });
        holder = createRealtimeSession({ env: 'live', url: h.url.replace(/^http/, 'ws'), htsId: 'other', approvalKey: () => client.approvalKey() });
        holder.start();
        cleanups.push(() => holder?.stop(), () => client.close());
        await waitFor(() => (holder?.stats().active === 1 ? true : undefined), 10_000, 'the other session');
      },
    });
    const stats = await waitFor(() => {
      const s = app.realtime()?.session.stats();
      return s && s.problems['appkey-in-use'] >= 1 && !s.connected ? s : undefined;
    }, 10_000, 'the refusal');
    expect(stats.reconnectAt).not.toBeNull();
    expect(stats.reconnectAt! - Date.now()).toBeGreaterThan(30_000);
    const said = lines.find((l) => l.problem === 'appkey-in-use');
    expect(said?.level).toBe('error');
    expect(said?.msg).toMatch(/OPSP8996.*another session holds this app key/);
    // as written to the log (the scrubber once took "another" for an app key)
    expect(scrubText(String(said?.msg))).toContain('another session holds this app key');
    expect(app.realtime()!.session.stats().connects).toBe(1);
    // the socket opened but never went live: no "back" alert, no reconcile for it
    expect(lines.filter((l) => l.notice === 'ws-back')).toEqual([]);
    expect(lines.filter((l) => l.reason === 'websocket reconnected')).toEqual([]);
  }, 60_000);
});
