import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { krw, kstDateOf, shares } from '../../../src/domain/index.js';
import type { OrderIntent } from '../../../src/domain/index.js';
import { limitBuy, SAMSUNG, startOrdersHarness } from './orders-harness.js';
import type { OrdersHarness } from './orders-harness.js';

/**
 * A sell of ours goes out on the trade log's position as it is when the order worker takes it, not
 * as it was when the exit was decided: the decision waited for a quote, or a `workers` process
 * decided on a copy of the log, and a sell of ours may have closed the position since. The
 * broker's sellable count alone would let such a sell take shares the daemon does not hold.
 * Over the real client and simulator (orders-harness.ts).
 */
let redis: Redis;
beforeAll(() => { redis = new Redis(inject('redisUrl')); });
afterAll(async () => { await redis.quit(); });
let h: OrdersHarness | null = null;
afterEach(async () => { await h?.close(); h = null; });

function exit(harness: OrdersHarness, key: string, qty: number): OrderIntent {
  return {
    intentKey: key, symbol: SAMSUNG, side: 'sell', type: 'market', qty: shares(qty), price: krw(0), tradingDate: kstDateOf(harness.clock.now()),
    decisionId: null, configHash: 'test', reason: 'stop-loss',
  };
}

describe('a sell of ours', () => {
  it('is refused without a KIS call when the trade log holds none of the symbol now', async () => {
    h = await startOrdersHarness(redis);
    const q = await h.client.market.quote(SAMSUNG);
    // the broker holds shares the trade log has not seen (bought elsewhere, not yet adopted)
    await h.client.broker.placeOrder({ symbol: SAMSUNG, side: 'buy', type: 'limit', qty: shares(3), price: q.upperLimit });
    const before = h.sim.stats().requests;
    const r = await h.submit(exit(h, 'i.t.005930.sell.exit-1', 3));
    expect(r.outcome).toBe('rejected');
    expect(r.order).toMatchObject({ status: 'rejected', rejectCode: 'LOCAL_NO_POSITION', venueOrderId: null });
    expect(h.sim.stats().requests).toBe(before);
  }, 30_000);

  it('sells no more than the trade log holds, whatever the decision said and the broker holds', async () => {
    h = await startOrdersHarness(redis);
    const q = await h.client.market.quote(SAMSUNG);
    const bought = await h.submit({ ...limitBuy(h, 'i.t.005930.buy.entry', q.upperLimit), qty: shares(2) });
    expect(bought.outcome).toBe('accepted');
    await h.reconcile();
    expect(h.store.positions.get(SAMSUNG)?.qty).toBe(2);
    const first = await h.submit(exit(h, 'i.t.005930.sell.exit-0', 1));
    expect(first.outcome).toBe('accepted');
    await h.reconcile();
    expect(h.store.positions.get(SAMSUNG)?.qty).toBe(1);
    // 5 more at the broker, not in the trade log; an exit decided when the position was 2
    await h.client.broker.placeOrder({ symbol: SAMSUNG, side: 'buy', type: 'limit', qty: shares(5), price: q.upperLimit });
    const stale = await h.submit(exit(h, 'i.t.005930.sell.exit-1', 2));
    expect(stale.outcome).toBe('accepted');
    expect(stale.order.qty).toBe(1);
  }, 30_000);
});
