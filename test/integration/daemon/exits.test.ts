import { afterEach, describe, expect, inject, it } from 'vitest';
import { Redis } from 'ioredis';
import { join } from 'node:path';
import { createApp } from '../../../src/app.js';
import type { App } from '../../../src/app.js';
import { loadConfig } from '../../../src/config/index.js';
import { kstInstant, silentLogger, stockCode, tradingDate } from '../../../src/domain/index.js';
import type { StockCode } from '../../../src/domain/index.js';
import { createProducers } from '../../../src/queues/index.js';
import type { OrderJob, Producers } from '../../../src/queues/index.js';
import { SIM_DEFAULT_CREDENTIALS } from '../../../src/sim/index.js';
import { daemonEnv, readRows, ROOT, startSharedSim, waitFor } from '../../helpers/daemon.js';
import type { DaemonEnv, SimHarness } from '../../helpers/daemon.js';

/**
 * Issue 8 §3 "exits always go out": the daemon in-process against the simulator over HTTP,
 * real Redis, temp SQLite. The simulator's last trade is its best bid and the best ask one tick
 * above (synthetic/synthetic-market.ts), so a position bought at the ask is, at the last price, down by
 * that tick: with a stop-loss of 0.1 % every such position is below its stop right away.
 */
const DATE = tradingDate('20261126');
const ACCOUNT = SIM_DEFAULT_CREDENTIALS.account;
const BASE = {
  // no entries of the daemon's own: only the orders the tests place
  KIS_TRADER__STRATEGIES__MOMENTUM_VOLUME__PARAMS__MIN_CHANGE_PCT: '29', KIS_TRADER__STRATEGIES__MOMENTUM_VOLUME__PARAMS__MAX_CHANGE_PCT: '30',
  KIS_TRADER__STRATEGIES__MOMENTUM_VOLUME__EXITS__STOP_LOSS_PCT: '0.1',
  // the worst case of the issue: an unfilled entry is kept until the close
  KIS_TRADER__ORDERS__CANCEL_UNFILLED_AFTER_MINUTES: '0',
};
const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Started { app: App; h: SimHarness; d: DaemonEnv; producers: Producers }

async function startApp(opts: { hhmmss: string; faults?: string[]; env?: Record<string, string> }): Promise<Started> {
  const h = await startSharedSim({ date: DATE, hhmmss: opts.hhmmss, faults: opts.faults ?? [] });
  const d = daemonEnv(h, inject('redisUrl'), { ...BASE, ...opts.env });
  const loaded = loadConfig({ dir: join(ROOT, 'config'), env: d.env });
  const app = createApp({ loaded, env: d.env, cwd: ROOT, log: silentLogger });
  const redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: null });
  cleanups.push(() => h.stop(), () => d.cleanup(), () => redis.quit());
  await app.start();
  cleanups.push(() => app.stop());
  const producers = createProducers(redis, d.prefix, silentLogger);
  cleanups.push(() => producers.close());
  return { app, h, d, producers };
}

/** A symbol whose one-tick spread is at least 0.15 % of the ask, so the 0.1 % stop is crossed. */
function wideTickSymbol(h: SimHarness, skip: number): { symbol: StockCode; ask: number; askQty: number } {
  let seen = 0;
  for (const s of h.sim.market.symbols()) {
    const book = h.sim.market.book(s.code);
    const ask = book.asks[0];
    const last = h.sim.market.quote(s.code).price;
    if (!ask || (ask.price - last) * 10_000 < 15 * ask.price) continue;
    // the whole order must fit the account's cash with room to spare
    if (ask.price * ask.qty * 4 > 60_000_000 || ask.qty < 2) continue;
    if (seen++ < skip) continue;
    return { symbol: s.code, ask: ask.price, askQty: ask.qty };
  }
  throw new Error('no symbol with a wide enough tick in the simulator');
}

const order = (o: Partial<OrderJob> & Pick<OrderJob, 'intentKey' | 'symbol' | 'side' | 'qty'>): OrderJob => ({
  type: 'market', price: 0, tradingDate: DATE, decisionId: null, configHash: 'test', reason: 'test', ...o,
});

const exitSignal = (p: Producers, symbol: string, at: number) => p.signals.add(`s.exit.test.${symbol}.${at}`, {
  kind: 'exit', strategy: null, symbol, name: '', tradingDate: DATE, scanSnapshotIds: [], candidate: null, enqueuedAt: at,
});

const exitDecisions = (app: App, symbol: string) =>
  app.store.decisions.forDate(DATE).filter((d) => d.kind === 'exit' && d.symbol === symbol);

describe('exits always go out', () => {
  it('a stop-loss cancels the partly filled entry still working in the symbol, then sells what is held', async () => {
    // 10:30:01: the next minute of the simulated market (and of its matching) is 59 s away.
    const { app, h, producers } = await startApp({ hhmmss: '103001' });
    const { symbol, ask, askQty } = wideTickSymbol(h, 0);
    const entryKey = `i.exits-test.${symbol}.buy.${DATE}.entry`;
    // A limit buy at the ask for three times what the ask offers: the ask level fills, the rest works on.
    await producers.orders.add(entryKey, order({ intentKey: entryKey, symbol, side: 'buy', type: 'limit', price: ask, qty: askQty * 3 }));
    const position = await waitFor(() => {
      const p = app.store.positions.get(stockCode(symbol));
      return p && p.qty > 0 && app.store.orders.byIntentKey(entryKey)?.status === 'partial' ? p : undefined;
    }, 30_000, 'the partial fill of the entry to be reconciled');
    expect(position.qty).toBe(askQty);

    await exitSignal(producers, symbol, app.clock.now());
    const decision = await waitFor(() => exitDecisions(app, symbol)[0], 20_000, 'the exit decision');
    expect(decision.rule).toBe('stop-loss');
    expect(decision.outcome).toBe('order');
    const sell = await waitFor(() => {
      const o = app.store.orders.byIntentKey(decision.intentKey ?? '');
      return o?.status === 'filled' ? o : undefined;
    }, 30_000, 'the stop-loss sell to fill');
    expect(sell.side).toBe('sell');
    expect(sell.filledQty).toBe(askQty);

    const atSim = h.sim.exchange.orders(ACCOUNT, DATE).filter((o) => o.symbol === symbol && o.kind === 'new');
    const entry = atSim.find((o) => o.side === 'buy');
    expect(entry?.status).toBe('cancelled');
    expect(entry?.filledQty).toBe(askQty);
    expect(atSim.filter((o) => o.side === 'sell')).toHaveLength(1);
    expect(h.sim.exchange.holdings(ACCOUNT).find((x) => x.symbol === symbol)?.qty ?? 0).toBe(0);
    await waitFor(() => (app.store.orders.byIntentKey(entryKey)?.status === 'cancelled' ? true : undefined), 30_000, 'the entry to be reconciled as cancelled');
    expect(app.store.positions.get(stockCode(symbol))?.qty ?? 0).toBe(0);
  }, 90_000);

  it('a stop-loss goes out while the daily-bars fetch fails: an exit needs only the quote and the position', async () => {
    const { app, h, producers } = await startApp({ hhmmss: '103001', faults: ['http-500:inquire-daily-itemchartprice:*'] });
    const { symbol, askQty } = wideTickSymbol(h, 1);
    const entryKey = `i.exits-test.${symbol}.buy.${DATE}.entry`;
    // a market buy of what the ask offers fills at the ask, a tick above the last price
    await producers.orders.add(entryKey, order({ intentKey: entryKey, symbol, side: 'buy', qty: askQty }));
    await waitFor(() => (app.store.positions.get(stockCode(symbol))?.qty === askQty ? true : undefined), 30_000, 'the position');

    await exitSignal(producers, symbol, app.clock.now());
    const decision = await waitFor(() => exitDecisions(app, symbol)[0], 30_000, 'the exit decision');
    expect(decision.rule).toBe('stop-loss');
    expect(decision.outcome).toBe('order');
    expect(decision.inputs.barsError).toEqual(expect.any(String));
    const sell = await waitFor(() => {
      const o = app.store.orders.byIntentKey(decision.intentKey ?? '');
      return o?.status === 'filled' ? o : undefined;
    }, 30_000, 'the stop-loss sell to fill');
    expect(sell.filledQty).toBe(askQty);
    expect(h.sim.faults.active().some((f) => f.kind === 'http-500')).toBe(true);
  }, 90_000);

  it('flattens every position exitBeforeCloseMinutes before the closing auction, and buys nothing after', async () => {
    // 15 minutes before the 15:20 closing auction is 15:05:00, 30 s after the start
    const { app, h, d, producers } = await startApp({
      hhmmss: '150430', env: { KIS_TRADER__STRATEGIES__MOMENTUM_VOLUME__EXITS__STOP_LOSS_PCT: '3', KIS_TRADER__SCHEDULE__FLATTEN_BEFORE_CLOSE_MINUTES: '15' },
    });
    const flattenAt = kstInstant(DATE, '150500');
    const symbols = h.sim.market.symbols().slice(10, 12).map((s) => s.code);
    for (const symbol of symbols) {
      const key = `i.exits-test.${symbol}.buy.${DATE}.entry`;
      await producers.orders.add(key, order({ intentKey: key, symbol, side: 'buy', qty: 3 }));
    }
    // and an entry that has not filled at all: a buy resting ten ticks under the market
    const resting = h.sim.market.symbols()[12]!.code;
    const low = h.sim.market.book(resting).bids.at(-1)!.price;
    const restingKey = `i.exits-test.${resting}.buy.${DATE}.entry`;
    await producers.orders.add(restingKey, order({ intentKey: restingKey, symbol: resting, side: 'buy', type: 'limit', price: low, qty: 3 }));
    await waitFor(() => (symbols.every((s) => app.store.positions.get(stockCode(s))?.qty === 3) ? true : undefined), 30_000, 'the positions');
    await waitFor(() => (app.store.orders.byIntentKey(restingKey)?.status === 'accepted' ? true : undefined), 30_000, 'the resting buy');
    expect(app.clock.now()).toBeLessThan(flattenAt);

    for (const symbol of symbols) {
      const sell = await waitFor(() => app.store.orders.forDate(DATE)
        .find((o) => o.symbol === symbol && o.side === 'sell' && o.status === 'filled'), 60_000, `the flatten sell of ${symbol}`);
      expect(sell.filledQty).toBe(3);
      const decision = exitDecisions(app, symbol).find((d) => d.intentKey === sell.intentKey);
      expect(decision?.rule).toBe('flatten-before-close');
      expect(decision?.at).toBeGreaterThanOrEqual(flattenAt);
      expect(h.sim.exchange.holdings(ACCOUNT).find((x) => x.symbol === symbol)?.qty ?? 0).toBe(0);
    }
    // the resting entry is cancelled at the flatten time, so it cannot open a position after it
    await waitFor(() => (h.sim.exchange.orders(ACCOUNT, DATE).find((o) => o.symbol === resting && o.kind === 'new')?.status === 'cancelled'
      ? true : undefined), 30_000, 'the resting entry to be cancelled');
    expect(app.clock.now()).toBeLessThan(kstInstant(DATE, '152000'));
    // no exit of these positions was decided before the flatten time
    expect(symbols.flatMap((s) => exitDecisions(app, s)).filter((d) => d.at < flattenAt && d.outcome === 'order')).toEqual([]);
    // The 15:05 scan slot passed without a scan (the one at the start did run): no entry to sell again.
    await waitFor(() => (app.clock.now() >= flattenAt + 15_000 ? true : undefined), 30_000, 'the 15:05 scan slot to pass');
    const scans = readRows<{ at: number }>(d.dbPath, 'SELECT at FROM scan_snapshots');
    expect(scans.filter((r) => r.at < flattenAt).length).toBeGreaterThan(0);
    expect(scans.filter((r) => r.at >= flattenAt)).toEqual([]);
  }, 120_000);
});
