import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { cancelRequestedKey } from '../../../src/orders/index.js';
import { limitBuy, startOrdersHarness } from './orders-harness.js';
import type { OrdersHarness } from './orders-harness.js';

/**
 * Issue 8 §2: a cancel that fails transiently (EGW00201, a 5xx) is tried again with backoff
 * until the order is gone or the session closes; "nothing left to cancel" stops at once.
 */
let redis: Redis;
beforeAll(() => { redis = new Redis(inject('redisUrl')); });
afterAll(async () => { await redis.quit(); });
let h: OrdersHarness | null = null;
afterEach(async () => { await h?.close(); h = null; });

const MIN = 60_000;

/** A resting limit buy (at the lower limit) placed through the submit runner, then 11 minutes pass. */
async function staleRestingOrder(harness: OrdersHarness, key: string): Promise<number> {
  const q = await harness.client.market.quote(limitBuy(harness, key, 1).symbol);
  const r = await harness.submit(limitBuy(harness, key, q.lowerLimit));
  expect(r.outcome).toBe('accepted');
  harness.clock.jump(11 * MIN);
  return r.order.id;
}

const events = (harness: OrdersHarness, id: number): string[] => harness.store.orders.events(id).map((e) => e.event);

describe('cancelling a stale order', () => {
  it('a rate-limited cancel (EGW00201) is tried again after a backoff and the order ends cancelled', async () => {
    h = await startOrdersHarness(redis);
    const id = await staleRestingOrder(h, 'i.t.cancel.rate');
    h.sim.faults.inject('rate-limit:order-rvsecncl:1');
    expect(await h.cancelStale()).toBe(0);
    expect(h.sim.faults.active()).toHaveLength(0);
    // Not due yet: no second request at once.
    const before = h.sim.stats().requests;
    expect(await h.cancelStale()).toBe(0);
    expect(h.sim.stats().requests).toBe(before);

    h.clock.jump(10_000);
    expect(await h.cancelStale()).toBe(1);
    await h.reconcile();
    expect(h.store.orders.byId(id)?.status).toBe('cancelled');
    expect(h.sim.exchange.cancelsReceived).toBe(1);
    expect(events(h, id)).toEqual(expect.arrayContaining(['cancel-failed', 'cancel-requested']));
    const failed = h.store.orders.events(id).find((e) => e.event === 'cancel-failed');
    expect(failed?.details).toMatchObject({ attempt: 1, transient: true });
  }, 30_000);

  it('an HTTP 500 (outcome unknown) twice: the backoff doubles, the third attempt cancels', async () => {
    h = await startOrdersHarness(redis);
    const id = await staleRestingOrder(h, 'i.t.cancel.500');
    h.sim.faults.inject('http-500:order-rvsecncl:2');
    expect(await h.cancelStale()).toBe(0);
    h.clock.jump(5_500);
    expect(await h.cancelStale()).toBe(0);
    expect(h.sim.faults.active()).toHaveLength(0);
    // second failure: the next attempt is 10 s away, not 5
    h.clock.jump(5_500);
    const before = h.sim.stats().requests;
    expect(await h.cancelStale()).toBe(0);
    expect(h.sim.stats().requests).toBe(before);
    h.clock.jump(5_000);
    expect(await h.cancelStale()).toBe(1);
    await h.reconcile();
    expect(h.store.orders.byId(id)?.status).toBe('cancelled');
    expect(events(h, id).filter((e) => e === 'cancel-failed')).toHaveLength(2);
  }, 30_000);

  it.each(['live', 'paper'] as const)('%s: nothing left to cancel (the order filled meanwhile) stops retrying and leaves it to reconcile', async (env) => {
    h = await startOrdersHarness(redis, env);
    const q = await h.client.market.quote(limitBuy(h, 'x', 1).symbol);
    // A marketable limit fills at once at the venue; our row still says 'accepted' until reconcile.
    const r = await h.submit(limitBuy(h, 'i.t.cancel.filled', q.upperLimit));
    expect(r.order.status).toBe('accepted');
    h.clock.jump(11 * MIN);
    expect(await h.cancelStale()).toBe(0);
    const refused = h.store.orders.events(r.order.id).find((e) => e.event === 'cancel-refused');
    expect(refused?.details).toMatchObject({ nothingToCancel: true, attempt: 1 });
    expect(h.store.risk.get<{ done: string }>(cancelRequestedKey(r.order.id))?.done).toBe('nothing-to-cancel');
    h.clock.jump(10 * MIN);
    const before = h.sim.stats().requests;
    expect(await h.cancelStale()).toBe(0);
    expect(h.sim.stats().requests).toBe(before);
    await h.reconcile();
    expect(h.store.orders.byId(r.order.id)?.status).toBe('filled');
  }, 30_000);

  it('keeps trying while the gateway refuses, and stops at the close of the session', async () => {
    h = await startOrdersHarness(redis);
    const id = await staleRestingOrder(h, 'i.t.cancel.close');
    h.sim.faults.inject('rate-limit:order-rvsecncl:*');
    for (let i = 0; i < 8; i++) {
      await h.cancelStale();
      h.clock.jump(2 * MIN);
    }
    const attempts = h.store.orders.events(id).filter((e) => e.event === 'cancel-failed').length;
    expect(attempts).toBeGreaterThanOrEqual(6);
    // 10:27 → after 15:30: no more attempts, one 'cancel-abandoned'.
    h.clock.jump(5 * 60 * MIN + 10 * MIN);
    const rateLimited = h.sim.stats().rateLimited;
    await h.cancelStale();
    await h.cancelStale();
    expect(h.sim.stats().rateLimited).toBe(rateLimited);
    expect(events(h, id).filter((e) => e === 'cancel-abandoned')).toHaveLength(1);
  }, 30_000);
});
