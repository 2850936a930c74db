import { Redis } from 'ioredis';
import { Worker } from 'bullmq';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { silentLogger } from '../../../src/domain/index.js';
import { ORDERS_QUEUE, createProducers } from '../../../src/queues/index.js';
import type { OrderJob } from '../../../src/queues/index.js';
import { waitForAsync } from '../../helpers/daemon.js';

/**
 * Found by the chaos suite (test/chaos/crash.test.ts): an order job whose run was killed before
 * it wrote its intent row fails (order jobs never run twice) and stays in Redis under its intent
 * key. The same decision made again — every minute for an exit, whose key only moves on when a
 * sell row exists — was refused as a duplicate for the rest of the day: a stop-loss never sent.
 * With no intent row nothing was sent (the row is committed before any POST), so the failed job
 * gives way; with a row it stays the guard.
 */
const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const exit: OrderJob = {
  intentKey: 'i.momentum-volume.005930.sell.20261126.exit-0', symbol: '005930', side: 'sell', type: 'market', qty: 3, price: 0,
  tradingDate: '20261126', decisionId: 7, configHash: 't', reason: 'stop-loss',
};

async function setup(written: Set<string>) {
  const redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: null });
  const prefix = `died-${process.pid}-${Date.now()}`;
  const producers = createProducers(redis, prefix, silentLogger, { orderIntentWritten: (key) => written.has(key) });
  cleanups.push(async () => {
    await producers.close();
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });
  // A run that dies with the job: here its processor fails it, as the stalled-job check does.
  const worker = new Worker(ORDERS_QUEUE, () => Promise.reject(new Error('worker died')), { connection: redis.duplicate(), prefix });
  cleanups.push(() => worker.close());
  expect(await producers.orders.add(exit.intentKey, exit)).toBe(true);
  await waitForAsync(async () => ((await producers.counts()).orders.failed === 1 ? true : undefined), 10_000, 'the job to fail');
  await worker.close();
  return producers;
}

describe('an order job that died before its intent was written', () => {
  it('gives way to the same intent decided again', async () => {
    const producers = await setup(new Set());
    expect(await producers.orders.add(exit.intentKey, { ...exit, decisionId: 8 })).toBe(true);
    expect((await producers.counts()).orders).toMatchObject({ waiting: 1, failed: 0 });
  });

  it('still refuses it when the intent row exists (it may have been sent)', async () => {
    const producers = await setup(new Set([exit.intentKey]));
    expect(await producers.orders.add(exit.intentKey, { ...exit, decisionId: 8 })).toBe(false);
    expect((await producers.counts()).orders).toMatchObject({ waiting: 0, failed: 1 });
  });
});
