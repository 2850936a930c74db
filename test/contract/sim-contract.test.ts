import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAppError, krw, shares, stockCode, tradingDate } from '../../src/domain/index.js';
import type { KisEnv } from '../../src/domain/index.js';
import { createKisClient } from '../../src/kis/index.js';
import type { KisClient } from '../../src/kis/index.js';
import { SIM_DEFAULT_CREDENTIALS } from '../../src/sim/index.js';
import type { Simulator } from '../../src/sim/index.js';
import { createCountingBudget, createLocalLock, createMemoryTokenStore } from '../helpers/kis-fakes.js';
import { createJumpClock, startSim } from '../integration/kis/sim-harness.js';

/**
 * Every endpoint of a running simulator, called through the production client in both
 * environments: whatever the simulator answers must parse with the kis/ schemas. Rates are not
 * under test here, so the simulator's limit is lifted.
 */
async function caught(p: Promise<unknown>): Promise<unknown> {
  try { await p; } catch (e) { return e; }
  return undefined;
}

for (const env of ['live', 'paper'] as const satisfies readonly KisEnv[]) {
  describe(`contract: simulator (${env}) through the client`, () => {
    let sim: Simulator;
    let client: KisClient;
    const clock = createJumpClock();
    const samsung = stockCode('005930');

    beforeAll(async () => {
      const started = await startSim(env, clock, { rateLimitPerSec: 1000 });
      sim = started.sim;
      client = createKisClient({
        env, baseUrl: started.url, appKey: SIM_DEFAULT_CREDENTIALS.appKey, appSecret: SIM_DEFAULT_CREDENTIALS.appSecret,
        account: SIM_DEFAULT_CREDENTIALS.account, timeouts: { connectMs: 1000, headersMs: 3000, bodyMs: 3000, totalMs: 5000 },
        rateBudget: createCountingBudget(), tokenStore: createMemoryTokenStore(), lock: createLocalLock(), clock,
      });
    });
    afterAll(async () => {
      await client.close();
      await sim.stop();
    });

    it('quote, order book and daily bars (stitched past 100)', async () => {
      const q = await client.market.quote(samsung);
      expect(q.price).toBeGreaterThan(0);
      expect(q.lowerLimit).toBeLessThanOrEqual(q.price);
      expect(q.upperLimit).toBeGreaterThanOrEqual(q.price);
      const book = await client.market.orderBook(samsung);
      expect(book.asks.length).toBeGreaterThan(0);
      expect(book.bids.length).toBeGreaterThan(0);
      const bars = await client.market.dailyBars(samsung, 120, { end: tradingDate('20260311') });
      expect(bars).toHaveLength(120);
      expect(bars.at(-1)?.date).toBe('20260311');
      for (let i = 1; i < bars.length; i++) expect(bars[i]!.date > bars[i - 1]!.date).toBe(true);
    });

    it('rankings and holidays: live serves them, paper refuses before sending', async () => {
      if (env === 'live') {
        expect((await client.market.ranking({ kind: 'volume' })).rows.length).toBeGreaterThan(0);
        expect((await client.market.ranking({ kind: 'fluctuation' })).rows.length).toBeGreaterThan(0);
        const days = await client.market.holidays(tradingDate('20260429'));
        expect(days.find((d) => d.date === '20260501')?.open).toBe(false);
      } else {
        expect(isAppError(await caught(client.market.ranking({ kind: 'volume' })), 'KIS_NOT_AVAILABLE_ON_PAPER')).toBe(true);
        expect(isAppError(await caught(client.market.holidays(tradingDate('20260429'))), 'KIS_NOT_AVAILABLE_ON_PAPER')).toBe(true);
      }
    });

    it('buying power, order, daily orders, open orders, cancel, balance', async () => {
      const q = await client.market.quote(samsung);
      const bp = await client.broker.buyingPower(samsung, 'market', krw(0));
      expect(bp.maxQty).toBeGreaterThan(0);
      const limit = krw(q.lowerLimit);
      const ack = await client.broker.placeOrder({ symbol: samsung, side: 'buy', type: 'limit', qty: shares(2), price: limit });
      expect(ack.venueOrderId).toMatch(/^\d{10}$/);
      const open = await client.broker.openOrders();
      expect(open.map((o) => o.venueOrderId)).toContain(ack.venueOrderId);
      const cancel = await client.broker.cancelOrder({ venueOrderId: ack.venueOrderId, branch: ack.branch });
      expect(cancel.venueOrderId).not.toBe(ack.venueOrderId);
      const day = await client.broker.dailyOrders(tradingDate('20260312'));
      const mine = day.find((o) => o.venueOrderId === ack.venueOrderId);
      expect(mine).toMatchObject({ symbol: samsung, side: 'buy', qty: 2, price: limit });
      expect(day.find((o) => o.venueOrderId === cancel.venueOrderId)?.originalOrderId).toBe(ack.venueOrderId);
      await client.broker.placeOrder({ symbol: samsung, side: 'buy', type: 'market', qty: shares(1), price: krw(0) });
      const bal = await client.broker.balance();
      expect(bal.cash).toBeGreaterThan(0);
      expect(bal.holdings.find((h) => h.symbol === samsung)?.qty).toBeGreaterThanOrEqual(1);
      if (env === 'live') expect((await client.broker.sellable(samsung)).held).toBeGreaterThanOrEqual(1);
    });
  });
}
