import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { isAppError } from '../../../src/domain/index.js';
import type { Lane } from '../../../src/domain/index.js';
import { createRedisRateBudget } from '../../../src/redis/index.js';

let a: Redis;
let b: Redis;
beforeAll(() => {
  a = new Redis(inject('redisUrl'));
  b = new Redis(inject('redisUrl'));
});
afterAll(async () => {
  await a.quit();
  await b.quit();
});

const key = () => `test:budget:${randomUUID()}`;

/** Resolves when `check` holds, polling; fails after `ms`. Waiting for an event, not a timed assertion. */
async function eventually<T>(probe: () => Promise<T>, check: (v: T) => boolean, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (check(v)) return v;
    if (Date.now() > deadline) throw new Error(`condition not reached within ${ms} ms (last ${String(v)})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('Redis rate budget', () => {
  it('two clients sharing one key never exceed the rate in any one-second window (Redis TIME stamps)', async () => {
    const k = key();
    const rate = 20;
    const one = createRedisRateBudget(a, { key: k, ratePerSec: rate });
    const two = createRedisRateBudget(b, { key: k, ratePerSec: rate });
    const lanes: Lane[] = ['scan', 'signal', 'reconcile', 'order'];
    const grants = await Promise.all(Array.from({ length: 60 }, (_, i) => (i % 2 === 0 ? one : two).acquireSlot(lanes[i % 4]!)));
    // the order lane keeps its own grid of slots (orders ahead of everything); each grid is spaced
    for (const own of [(i: number) => lanes[i % 4] === 'order', (i: number) => lanes[i % 4] !== 'order']) {
      const slots = grants.filter((_, i) => own(i)).map((g) => g.slotUs).sort((x, y) => x - y);
      for (let i = 1; i < slots.length; i++) expect(slots[i]! - slots[i - 1]!).toBeGreaterThanOrEqual(Math.ceil(1_000_000 / rate));
    }
    // and the sends, all lanes together, keep the rate in every window and half an interval apart
    const sent = grants.map((g) => g.sentUs).sort((x, y) => x - y);
    expect(new Set(sent).size).toBe(60);
    for (let i = 0; i + rate < sent.length; i++) expect(sent[i + rate]! - sent[i]!).toBeGreaterThanOrEqual(1_000_000);
    for (let i = 1; i < sent.length; i++) expect(sent[i]! - sent[i - 1]!).toBeGreaterThanOrEqual(Math.floor(500_000 / rate));
  });

  it('grants queued order acquisitions before queued scan ones', async () => {
    const k = key();
    const budget = createRedisRateBudget(a, { key: k, ratePerSec: 10 });
    const other = createRedisRateBudget(b, { key: k, ratePerSec: 10 });
    const done: Array<{ lane: Lane; sent: number }> = [];
    const take = (bud: typeof budget, lane: Lane) => bud.acquireSlot(lane).then((g) => { done.push({ lane, sent: g.sentUs }); });
    const scans = Array.from({ length: 15 }, () => take(budget, 'scan'));
    await eventually(() => Promise.resolve(done.length), (n) => n >= 2);
    const orders = Array.from({ length: 5 }, () => take(other, 'order'));
    await Promise.all([...scans, ...orders]);
    const bySend = [...done].sort((x, y) => x.sent - y.sent).map((d) => d.lane);
    const first = bySend.indexOf('order');
    const last = bySend.lastIndexOf('order');
    // while orders wait no read is granted: only reads granted before them may go in between
    expect(last - first).toBeLessThanOrEqual(4 + 2);
    expect(bySend.slice(last + 1).filter((l) => l === 'scan').length).toBeGreaterThanOrEqual(10);
  });

  it('sends an order ahead of a read that already holds the next slot (the order lane keeps its own)', async () => {
    const k = key();
    // 2/s: slots 515 ms apart, so the order below is decided long before the reserved read's slot
    const budget = createRedisRateBudget(a, { key: k, ratePerSec: 2 });
    await budget.currentRate();
    const first = await budget.acquireSlot('scan');
    // the next slot is granted to this read: before, an order had to wait until it was sent
    const reserved = budget.acquireSlot('scan');
    const waiting = budget.acquireSlot('scan');
    await eventually(() => a.zcard(`{${k}}:wait:scan`), (n) => n === 1);
    const order = await budget.acquireSlot('order');
    const [r, w] = await Promise.all([reserved, waiting]);
    expect(order.sentUs).toBeGreaterThan(first.sentUs);
    expect(order.sentUs).toBeLessThan(r.sentUs);
    expect(order.sentUs).toBeLessThan(w.sentUs);
    // and the sends still keep the rate and the half-interval gap
    const sent = [first, order, r, w].map((g) => g.sentUs).sort((x, y) => x - y);
    for (let i = 1; i < sent.length; i++) expect(sent[i]! - sent[i - 1]!).toBeGreaterThanOrEqual(Math.floor(500_000 * 1.03 / 2));
    for (let i = 0; i + 2 < sent.length; i++) expect(sent[i + 2]! - sent[i]!).toBeGreaterThanOrEqual(1_000_000);
  });

  it('EGW00201 of one moment cut the rate once; cuts spaced out compound down to the floor', async () => {
    const k = key();
    // a climb too slow to see, so the cuts alone show
    const still = { key: k, ratePerSec: 10, minRatePerSec: 2, climbPerSec: 1e-6 };
    const budget = createRedisRateBudget(a, { ...still, cutAtMostEveryMs: 60_000 });
    expect(await budget.currentRate()).toBe(10);
    const cuts = [];
    for (let i = 0; i < 5; i++) cuts.push(await budget.penalizeOnce());
    expect(cuts).toEqual([true, false, false, false, false]);
    expect(await budget.currentRate()).toBeCloseTo(7, 3);
    // another process sharing the key sees the same state: its EGW00201 is covered by that cut too
    expect(await createRedisRateBudget(b, { ...still, cutAtMostEveryMs: 60_000 }).penalizeOnce()).toBe(false);
    const everyTime = createRedisRateBudget(b, { ...still, cutAtMostEveryMs: 0 });
    for (let i = 0; i < 5; i++) expect(await everyTime.penalizeOnce()).toBe(true);
    expect(await budget.currentRate()).toBe(2);
  });

  it('climbs back additively after a cut, up to the configured rate and no further', async () => {
    const k = key();
    const budget = createRedisRateBudget(a, {
      key: k, ratePerSec: 10, minRatePerSec: 2, climbPerSec: 4, cutAtMostEveryMs: 0,
    });
    for (let i = 0; i < 5; i++) await budget.penalize();
    const low = await budget.currentRate();
    expect(low).toBeLessThan(3);
    const back = await eventually(() => budget.currentRate(), (r) => r > low + 1);
    expect(back).toBeLessThan(10);
    expect(await eventually(() => budget.currentRate(), (r) => r === 10)).toBe(10);
  });

  it('spaces grants at the lowered rate after a penalty', async () => {
    const k = key();
    const budget = createRedisRateBudget(a, {
      key: k, ratePerSec: 20, minRatePerSec: 1, climbPerSec: 1e-6, cutAtMostEveryMs: 0,
    });
    await budget.penalize();
    await budget.penalize();
    const rate = await budget.currentRate();
    expect(rate).toBeCloseTo(9.8, 3);
    const slots = (await Promise.all(Array.from({ length: 6 }, () => budget.acquireSlot('signal')))).map((g) => g.slotUs).sort((x, y) => x - y);
    for (let i = 1; i < slots.length; i++) expect(slots[i]! - slots[i - 1]!).toBeGreaterThanOrEqual(Math.ceil(1_000_000 / rate));
  });

  it('honours an AbortSignal and withdraws the waiter so lower lanes are not blocked', async () => {
    const k = key();
    const budget = createRedisRateBudget(a, { key: k, ratePerSec: 2 });
    await budget.acquire('order');
    // the order lane's next slot is reserved by this order, so the one below has to wait and register
    const reserved = budget.acquire('order');
    const ac = new AbortController();
    const waiting = budget.acquire('order', ac.signal);
    await eventually(() => a.zcard(`{${k}}:wait:order`), (n) => n === 1);
    ac.abort(new Error('shutting down'));
    await expect(waiting).rejects.toThrow('shutting down');
    expect(await a.zcard(`{${k}}:wait:order`)).toBe(0);
    await reserved;
    // a scan is not held back by the withdrawn order waiter
    const g = await budget.acquireSlot('scan');
    expect(g.slotUs).toBeGreaterThan(0);
  });

  it('an order aborted after its grant releases its hold on the other lanes', async () => {
    const k = key();
    const budget = createRedisRateBudget(a, { key: k, ratePerSec: 2 });
    await budget.acquire('order');
    const ac = new AbortController();
    // granted the lane's next slot, half a second away: it holds the commits of the other lanes
    const held = budget.acquire('order', ac.signal);
    await eventually(() => a.zcard(`{${k}}:hold`), (n) => n === 1);
    ac.abort(new Error('cancelled'));
    await expect(held).rejects.toThrow('cancelled');
    expect(await a.zcard(`{${k}}:hold`)).toBe(0);
    const g = await budget.acquireSlot('scan');
    expect(g.sentUs).toBeGreaterThan(0);
  });

  it('keeps any one-second window within the rate even when callers wake late (a stalled event loop)', async () => {
    const k = key();
    const rate = 4;
    const budget = createRedisRateBudget(a, { key: k, ratePerSec: rate });
    await budget.currentRate(); // connected and the script loaded: the calls below leave at once
    const grants = Array.from({ length: 6 }, () => budget.acquireSlot('signal'));
    // block the event loop while the replies arrive, as a long synchronous job would: the first
    // grants go out late, the later ones on their slots — without the commit they would bunch
    const until = performance.now() + 300;
    while (performance.now() < until) { /* stall */ }
    const sent = (await Promise.all(grants)).map((g) => g.sentUs).sort((x, y) => x - y);
    for (let i = 0; i + rate < sent.length; i++) expect(sent[i + rate]! - sent[i]!).toBeGreaterThanOrEqual(1_000_000);
    // and the late ones catch up half an interval apart, not in one burst
    const half = Math.floor(500_000 * 1.03 / rate);
    for (let i = 1; i < sent.length; i++) expect(sent[i]! - sent[i - 1]!).toBeGreaterThanOrEqual(half);
  });

  it('rejects nonsense settings', () => {
    let e: unknown;
    try { createRedisRateBudget(a, { key: key(), ratePerSec: 0 }); } catch (err) { e = err; }
    expect(isAppError(e, 'CONFIG_INVALID')).toBe(true);
  });
});
