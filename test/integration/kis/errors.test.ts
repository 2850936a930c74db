import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { isAppError, krw, shares, stockCode } from '../../../src/domain/index.js';
import type { KisEnv, OrderRequest } from '../../../src/domain/index.js';
import { classify } from '../../../src/kis/index.js';
import type { KisClient, KisClientOptions } from '../../../src/kis/index.js';
import type { RedisRateBudget } from '../../../src/redis/index.js';
import type { Simulator } from '../../../src/sim/index.js';
import { createMemoryTokenStore } from '../../helpers/kis-fakes.js';
import { budgetFor, createJumpClock, simClient, startSim } from './sim-harness.js';
import type { JumpClock } from './sim-harness.js';

/** Each failure class through real sockets: what the client reports and what the simulator saw. */
let redis: Redis;
beforeAll(() => { redis = new Redis(inject('redisUrl')); });
afterAll(async () => { await redis.quit(); });
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(env: KisEnv = 'live', extra: Partial<KisClientOptions> = {}): Promise<{ sim: Simulator; client: KisClient; clock: JumpClock; url: string; budget: RedisRateBudget }> {
  const clock = createJumpClock();
  const { sim, url } = await startSim(env, clock);
  const budget = budgetFor(redis, env, env === 'live' ? 20 : 2);
  const client = simClient({ env, url, clock, redis, lockPrefix: `test:${randomUUID()}:`, tokenStore: createMemoryTokenStore(), rateBudget: budget }, extra);
  cleanups.push(async () => { await client.close(); await sim.stop(); });
  await client.tokens.get();
  return { sim, client, clock, url, budget };
}

async function caught(p: Promise<unknown>): Promise<Error & { code: string; details: Record<string, unknown> }> {
  try { await p; } catch (e) { return e as Error & { code: string; details: Record<string, unknown> }; }
  throw new Error('expected a failure');
}

const samsung = stockCode('005930');

async function limitBuy(client: KisClient): Promise<OrderRequest> {
  const q = await client.market.quote(samsung);
  return { symbol: samsung, side: 'buy', type: 'limit', qty: shares(1), price: krw(q.lowerLimit) };
}

describe('KIS errors against the simulator', () => {
  it('accept-then-drop: ORDER_UNKNOWN, and the order reached the exchange exactly once', async () => {
    const { sim, client } = await setup();
    const req = await limitBuy(client);
    sim.faults.inject('accept-then-drop:order-cash:1');
    const e = await caught(client.broker.placeOrder(req));
    expect(e.code).toBe('ORDER_UNKNOWN');
    expect(e.details).toMatchObject({ outcome: 'unknown', trId: 'TTTC0012U', kind: 'network' });
    expect(sim.exchange.ordersReceived).toBe(1);
    // the order is live at the venue: reconciliation finds it in daily orders
    const day = await client.broker.dailyOrders(sim.exchange.orders('50000000-01')[0]!.date);
    expect(day.filter((o) => !o.isAmendment)).toHaveLength(1);
    expect(sim.exchange.ordersReceived).toBe(1);
  });

  it('reset before accept: ORDER_UNKNOWN from the client side, nothing booked', async () => {
    const { sim, client } = await setup();
    const req = await limitBuy(client);
    sim.faults.inject('reset-before-accept:order-cash:1');
    expect((await caught(client.broker.placeOrder(req))).code).toBe('ORDER_UNKNOWN');
    expect(sim.exchange.ordersReceived).toBe(0);
  });

  it('HTTP 500 without an envelope: reads retry, an order is ORDER_UNKNOWN', async () => {
    const { sim, client } = await setup();
    sim.faults.inject('http-500:inquire-price:1');
    expect((await client.market.quote(samsung)).price).toBeGreaterThan(0);
    const req = await limitBuy(client);
    sim.faults.inject('http-500:order-cash:1');
    const e = await caught(client.broker.placeOrder(req));
    expect(e.code).toBe('ORDER_UNKNOWN');
    expect(e.details).toMatchObject({ kind: 'http', status: 500 });
  });

  it('a headers timeout: a read retries, an order is ORDER_UNKNOWN', async () => {
    const { sim, client } = await setup('live', { timeouts: { connectMs: 1_000, headersMs: 300, bodyMs: 1_000, totalMs: 2_000 } });
    sim.faults.inject('timeout:inquire-price:1');
    expect((await client.market.quote(samsung)).price).toBeGreaterThan(0);
    const req = await limitBuy(client);
    sim.faults.inject('timeout:order-cash:1');
    const e = await caught(client.broker.placeOrder(req));
    expect(e.code).toBe('ORDER_UNKNOWN');
    expect(e.details.errorCode).toBe('UND_ERR_HEADERS_TIMEOUT');
  });

  it('EGW00201: a read retries and slows the shared budget; an order is rejected, retryable', async () => {
    const { sim, client, budget } = await setup();
    sim.faults.inject('rate-limit:inquire-price:1');
    expect((await client.market.quote(samsung)).price).toBeGreaterThan(0);
    expect(await budget.currentRate()).toBeLessThan(20);
    const req = await limitBuy(client);
    sim.faults.inject('rate-limit:order-cash:1');
    const e = await caught(client.broker.placeOrder(req));
    expect(e.code).toBe('ORDER_REJECTED');
    expect(e.details).toMatchObject({ msgCode: 'EGW00201', retryable: true });
    expect(sim.exchange.ordersReceived).toBe(0);
  });

  it('a business rejection carries msg_cd and a trimmed message', async () => {
    const { sim, client } = await setup('paper');
    const q = await client.market.quote(samsung);
    const e = await caught(client.broker.placeOrder({ symbol: samsung, side: 'buy', type: 'limit', qty: shares(1), price: krw(q.upperLimit + 100_000) }));
    expect(e.code).toBe('ORDER_REJECTED');
    expect(e.details.trId).toBe('VTTC0012U');
    expect(typeof e.details.msgCode).toBe('string');
    expect(String(e.details.msg)).toBe(String(e.details.msg).trim());
    expect(classify(e.cause, { isOrder: true })).toBe('reject');
    expect(sim.exchange.ordersReceived).toBe(0);
  });

  it('a refused connection is a network error "not sent": reads retry, then fail', async () => {
    const { url } = await setup();
    const port = Number(new URL(url).port);
    const clock = createJumpClock();
    const dead = simClient({ env: 'live', url: `http://127.0.0.1:${port === 1 ? 2 : 1}`, clock, redis, lockPrefix: `test:${randomUUID()}:`,
      tokenStore: createMemoryTokenStore(), rateBudget: budgetFor(redis, 'live', 20) });
    cleanups.push(() => dead.close());
    const e = await caught(dead.market.quote(samsung));
    expect(e.code).toBe('KIS_TOKEN_UNAVAILABLE');
    const cause = e.cause as Error & { details: Record<string, unknown> };
    expect(cause.details).toMatchObject({ kind: 'network', errorCode: 'ECONNREFUSED', mayHaveBeenSent: false });
    const order = await caught(dead.broker.placeOrder({ symbol: samsung, side: 'buy', type: 'limit', qty: shares(1), price: krw(70000) }));
    expect(order.code).toBe('ORDER_REJECTED');
    expect(order.details).toMatchObject({ notSent: true, retryable: true });
  });

  it('the wrong environment TR is refused by the venue (live TR on paper, paper TR on live)', async () => {
    const clock = createJumpClock();
    for (const [clientEnv, simEnv, code] of [['live', 'paper', 'EGW02006'], ['paper', 'live', 'EGW02004']] as const) {
      const { sim, url } = await startSim(simEnv, clock, { rateLimitPerSec: 100 });
      const c = simClient({ env: clientEnv, url, clock, redis, lockPrefix: `test:${randomUUID()}:`, tokenStore: createMemoryTokenStore(), rateBudget: budgetFor(redis, 'live', 50) });
      cleanups.push(async () => { await c.close(); await sim.stop(); });
      const e = await caught(c.broker.balance());
      expect(isAppError(e, 'KIS_API')).toBe(true);
      expect(e.details.msgCode).toBe(code);
    }
  });
});
