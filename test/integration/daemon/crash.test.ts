import { afterEach, describe, expect, inject, it } from 'vitest';
import { Redis } from 'ioredis';
import { silentLogger, tradingDate } from '../../../src/domain/index.js';
import { createProducers } from '../../../src/queues/index.js';
import { SIM_VARIANT_NAMES } from '../../../src/sim/index.js';
import type { SimVariantName } from '../../../src/sim/index.js';
import type { OrderJob } from '../../../src/queues/index.js';
import { daemonEnv, readOrders, readRows, spawnDaemon, startSharedSim, waitFor } from '../../helpers/daemon.js';
import type { DaemonEnv, DaemonProcess, SimHarness } from '../../helpers/daemon.js';

/**
 * Issue 5's crash tests: the real daemon as a child process, killed with SIGKILL at the worst
 * moments, then started again on the same SQLite file and Redis. The simulator (in this process)
 * counts every order POST that reached its book: no order may arrive twice, and every fill must
 * end up in the trade log.
 */
const DATE = tradingDate('20261126');
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

// Keep the daemon's own strategy quiet: only the orders these tests enqueue are placed.
const QUIET = { KIS_TRADER__STRATEGIES__MOMENTUM_VOLUME__PARAMS__MIN_CHANGE_PCT: '29', KIS_TRADER__STRATEGIES__MOMENTUM_VOLUME__PARAMS__MAX_CHANGE_PCT: '30', KIS_TRADER__ORDERS__UNKNOWN_GRACE_SECONDS: '10' };

async function setup(variant: SimVariantName, faults: string[] = []): Promise<{ h: SimHarness; d: DaemonEnv; redis: Redis }> {
  const h = await startSharedSim({ date: DATE, hhmmss: '103000', faults, variant });
  const d = daemonEnv(h, inject('redisUrl'), QUIET);
  const redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: null });
  cleanups.push(() => h.stop(), () => d.cleanup(), async () => { await redis.quit(); });
  return { h, d, redis };
}

function run(d: DaemonEnv, extra: Record<string, string> = {}): DaemonProcess {
  const p = spawnDaemon({ ...d.env, ...extra });
  cleanups.push(async () => { if (p.child.exitCode === null && p.child.signalCode === null) { p.child.kill('SIGKILL'); await p.exited; } });
  return p;
}

async function enqueueBuy(redis: Redis, prefix: string, symbol: string): Promise<OrderJob> {
  const job: OrderJob = {
    intentKey: `i.crash-test.${symbol}.buy.${DATE}.entry`, symbol, side: 'buy', type: 'market', qty: 3, price: 0,
    tradingDate: DATE, decisionId: null, configHash: 'test', reason: 'crash test',
  };
  const producers = createProducers(redis, prefix, silentLogger);
  expect(await producers.orders.add(job.intentKey, job)).toBe(true);
  await producers.close();
  return job;
}

describe.each(SIM_VARIANT_NAMES)('crash between intent and POST (%s shape)', (variant) => {
  it('sends nothing, and after restart marks the intent failed without ever sending it', async () => {
    const { h, d, redis } = await setup(variant);
    const symbol = h.sim.market.symbols()[3]!.code;
    const first = run(d, { KIS_TRADER_CRASHPOINT: 'after-submitting' });
    await first.waitForLog((l) => l.msg === 'kis-trader ready');
    const job = await enqueueBuy(redis, d.prefix, symbol);
    const exit = await first.exited;
    expect(exit.signal).toBe('SIGKILL');
    expect(readOrders(d.dbPath).find((o) => o.intent_key === job.intentKey)?.status).toBe('submitting');
    expect(h.sim.exchange.ordersReceived).toBe(0);

    const second = run(d);
    await second.waitForLog((l) => l.msg === 'kis-trader ready');
    const failed = await waitFor(() => readOrders(d.dbPath).find((o) => o.intent_key === job.intentKey && o.status === 'failed'), 40_000, 'the intent to be declared failed');
    expect(failed.venue_order_id).toBeNull();
    expect(h.sim.exchange.ordersReceived).toBe(0);
    const events = readRows<{ event: string }>(d.dbPath, `SELECT event FROM order_events WHERE order_id = ${failed.id} ORDER BY id`).map((e) => e.event);
    expect(events).toEqual(['intent', 'submit', 'reconcile-absent']);
    // why it failed stays on the order, where `kis-trader orders` shows it
    const row = readRows<{ reject_code: string; reject_message: string }>(d.dbPath, `SELECT reject_code, reject_message FROM orders WHERE id = ${failed.id}`)[0];
    expect(row).toMatchObject({ reject_code: 'ABSENT', reject_message: expect.stringMatching(/^not at the broker \d+ s after it was sent: never placed$/) as unknown });
    second.child.kill('SIGINT');
    expect((await second.exited).code).toBe(0);
  }, 90_000);
});

describe.each(SIM_VARIANT_NAMES)('crash between POST and response (%s shape)', (variant) => {
  it('finds the order at the broker after restart, records its fill, and never sends it again', async () => {
    // The order POST waits 3 s at the simulator before it is booked: the daemon dies meanwhile.
    const { h, d, redis } = await setup(variant, ['latency:order-cash:1:3000']);
    const symbol = h.sim.market.symbols()[5]!.code;
    const first = run(d);
    await first.waitForLog((l) => l.msg === 'kis-trader ready');
    const job = await enqueueBuy(redis, d.prefix, symbol);
    // The latency rule is used up when the order POST reaches the simulator: it is then in flight.
    await waitFor(() => (h.sim.faults.active().some((f) => f.kind === 'latency') ? undefined : true), 20_000, 'the POST to be in flight');
    expect(readOrders(d.dbPath).find((o) => o.intent_key === job.intentKey)?.status).toBe('submitting');
    first.child.kill('SIGKILL');
    await first.exited;
    await waitFor(() => (h.sim.exchange.ordersReceived === 1 ? true : undefined), 10_000, 'the simulator to book the order');

    const second = run(d);
    await second.waitForLog((l) => l.msg === 'kis-trader ready');
    const filled = await waitFor(() => readOrders(d.dbPath).find((o) => o.intent_key === job.intentKey && o.status === 'filled'), 30_000, 'the order to be linked and filled');
    const simOrders = h.sim.exchange.orders('50000000-01', DATE);
    expect(simOrders).toHaveLength(1);
    expect(filled.venue_order_id).toBe(simOrders[0]!.odno);
    const fills = readRows<{ qty: number; value: number }>(d.dbPath, `SELECT qty, value FROM fills WHERE order_id = ${filled.id}`);
    expect(fills.reduce((s, f) => s + f.qty, 0)).toBe(3);
    expect(fills.reduce((s, f) => s + f.value, 0)).toBe(simOrders[0]!.filledValue);
    expect(h.sim.exchange.ordersReceived).toBe(1);
    second.child.kill('SIGINT');
    expect((await second.exited).code).toBe(0);
  }, 90_000);
});
