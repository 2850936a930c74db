import { randomUUID } from 'node:crypto';
import { createServer, request } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { configSchema } from '../../../src/config/index.js';
import { krw, shares, silentLogger, stockCode } from '../../../src/domain/index.js';
import { createKisClient } from '../../../src/kis/index.js';
import type { KisClient } from '../../../src/kis/index.js';
import { createRedisLock } from '../../../src/redis/index.js';
import { chooseVenue, venueClientOptions } from '../../../src/runtime/index.js';
import type { Simulator } from '../../../src/sim/index.js';
import { createMemoryTokenStore } from '../../helpers/kis-fakes.js';
import { budgetFor, createJumpClock, simClient, startSim } from './sim-harness.js';

/**
 * The real client sends a hashkey with every order (docs/kis-wire.md §3.4, on by default) and the
 * simulator now checks it: through a proxy that records what passes, an untouched order trades;
 * the same proxy changing the order body on the way (the hashkey left as it was) gets it refused.
 */
let redis: Redis;
beforeAll(() => { redis = new Redis(inject('redisUrl')); });
afterAll(async () => { await redis.quit(); });
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Seen { path: string; headers: IncomingHttpHeaders; body: string }

/** forwards everything to `target`; `rewrite` may change a request body before it goes on */
async function proxy(target: string, rewrite: (path: string, body: string) => string): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      const body = rewrite(path.split('?')[0]!, Buffer.concat(chunks).toString('utf8'));
      seen.push({ path, headers: req.headers, body });
      const headers = { ...req.headers, 'content-length': String(Buffer.byteLength(body)) };
      const out = request(target + path, { method: req.method, headers }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      out.on('error', () => res.destroy());
      out.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); }));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

async function setup(rewrite: (path: string, body: string) => string): Promise<{ sim: Simulator; client: KisClient; seen: Seen[] }> {
  const clock = createJumpClock();
  const { sim, url } = await startSim('live', clock);
  const p = await proxy(url, rewrite);
  const client = simClient({
    env: 'live', url: p.url, clock, redis, lockPrefix: `test:${randomUUID()}:`, tokenStore: createMemoryTokenStore(), rateBudget: budgetFor(redis, 'live', 20),
  });
  cleanups.push(async () => { await client.close(); await sim.stop(); });
  return { sim, client, seen: p.seen };
}

const ORDER_CASH = '/uapi/domestic-stock/v1/trading/order-cash';
const samsung = stockCode('005930');

describe('hashkey between the real client and the simulator (docs/kis-wire.md §3.4)', () => {
  it('an order the client hashed goes through with its hashkey and trades', async () => {
    const { sim, client, seen } = await setup((_path, body) => body);
    const q = await client.market.quote(samsung);
    const ack = await client.broker.placeOrder({ symbol: samsung, side: 'buy', type: 'limit', qty: shares(2), price: krw(q.lowerLimit) });
    expect(ack.venueOrderId).toMatch(/^\d+$/);
    const post = seen.find((s) => s.path === ORDER_CASH)!;
    const hashed = seen.find((s) => s.path === '/uapi/hashkey')!;
    expect(hashed.body).toBe(post.body);
    expect(post.headers.hashkey).toMatch(/^[0-9a-f]{64}$/);
    expect(sim.exchange.ordersReceived).toBe(1);
    expect(sim.exchange.orders('50000000-01').map((o) => o.qty)).toEqual([2]);
  });

  it('an order body changed after hashing is refused with EGW00131 and never booked', async () => {
    const { sim, client, seen } = await setup((path, body) => (path === ORDER_CASH ? body.replace('"ORD_QTY":"2"', '"ORD_QTY":"200"') : body));
    const q = await client.market.quote(samsung);
    const err = await client.broker.placeOrder({ symbol: samsung, side: 'buy', type: 'limit', qty: shares(2), price: krw(q.lowerLimit) }).then(
      () => null,
      (e: unknown) => e as { code: string; details: Record<string, unknown> },
    );
    expect(seen.find((s) => s.path === ORDER_CASH)?.body).toContain('"ORD_QTY":"200"');
    expect(err).not.toBeNull();
    expect(err!.code).toBe('ORDER_REJECTED');
    expect(err!.details.msgCode).toBe('EGW00131');
    expect(sim.exchange.ordersReceived).toBe(0);
  });

  it('with kis.useHashkey false the daemon\'s client asks for no hashkey and the order trades', async () => {
    const config = configSchema.parse({ kis: { useHashkey: false } });
    const clock = createJumpClock();
    const { sim, url } = await startSim(config.sim.env, clock);
    const p = await proxy(url, (_path, body) => body);
    const client = createKisClient({
      ...venueClientOptions(config, chooseVenue(config, null), {
        baseUrl: p.url, store: { tokens: createMemoryTokenStore() }, rateBudget: budgetFor(redis, config.sim.env, 20),
        lock: createRedisLock(redis, { prefix: `test:${randomUUID()}:` }), clock, log: silentLogger,
      }),
      sleep: (ms) => { clock.jump(ms); return Promise.resolve(); },
    });
    cleanups.push(async () => { await client.close(); await sim.stop(); });
    const q = await client.market.quote(samsung);
    await client.broker.placeOrder({ symbol: samsung, side: 'buy', type: 'limit', qty: shares(2), price: krw(q.lowerLimit) });
    expect(p.seen.filter((s) => s.path === '/uapi/hashkey')).toEqual([]);
    expect(p.seen.find((s) => s.path === ORDER_CASH)?.headers.hashkey).toBeUndefined();
    expect(sim.exchange.orders('50000000-01').map((o) => o.qty)).toEqual([2]);
  });
});
