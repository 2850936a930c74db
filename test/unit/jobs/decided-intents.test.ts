import { describe, expect, it } from 'vitest';
import { krw, OPEN_STATUSES, shares, stockCode, tradingDate } from '../../../src/domain/index.js';
import type { OrderIntent } from '../../../src/domain/index.js';
import { createDecidedIntents } from '../../../src/jobs/index.js';
import { strategyExposure } from '../../../src/signals/index.js';
import { createTempStore } from '../../helpers/temp-store.js';

/**
 * Concurrent entry evaluations must see each other's buys before the order worker writes their
 * rows: two evaluations that both read "no position" would pass a strategy's cap of one together
 * (test/integration/daemon/strategies-trade.test.ts caught three buys under a cap of two).
 */
const DATE = tradingDate('20260312');
const buy = (symbol: string, key = `i.momo.${symbol}.buy.${DATE}.entry`): OrderIntent => ({
  intentKey: key, symbol: stockCode(symbol), side: 'buy', type: 'limit', qty: shares(10), price: krw(50_000),
  tradingDate: DATE, decisionId: null, configHash: 'h', reason: 'test',
});

describe('decided intents', () => {
  it('a noted buy counts as a pending order in the cap checks until its row is written', () => {
    const t = createTempStore();
    const decided = createDecidedIntents(t.clock);
    const orders = decided.view(t.store.orders);
    const exposureOf = () => strategyExposure({
      strategy: { id: 'momo', maxPositions: 1, budgetBp: 10_000 } as Parameters<typeof strategyExposure>[0]['strategy'],
      equity: krw(100_000_000), positions: [], origins: new Map(), open: orders.withStatus(OPEN_STATUSES),
    });
    expect(exposureOf().positions).toBe(0);

    const a = buy('005930');
    decided.note(a);
    expect(exposureOf().positions).toBe(1);
    expect(orders.forDate(DATE).map((o) => [o.intentKey, o.status])).toEqual([[a.intentKey, 'pending']]);
    // statuses that are not open do not list it
    expect(orders.withStatus(['filled'])).toEqual([]);

    // the order worker writes the row: counted once, from the trade log
    t.store.orders.insertIntent(a, t.clock.now());
    expect(orders.withStatus(OPEN_STATUSES).map((o) => o.id)).toEqual([t.store.orders.byIntentKey(a.intentKey)!.id]);
    expect(exposureOf().positions).toBe(1);
  });

  it('a buy whose job never reached the order worker lapses; sells are not noted', () => {
    const t = createTempStore();
    const decided = createDecidedIntents(t.clock, 60_000);
    const orders = decided.view(t.store.orders);
    decided.note(buy('000660'));
    decided.note({ ...buy('035720'), side: 'sell', intentKey: 'i.momo.035720.sell.x.exit-0' });
    expect(orders.withStatus(OPEN_STATUSES).map((o) => o.symbol)).toEqual(['000660']);
    t.clock.advance(60_001);
    expect(orders.withStatus(OPEN_STATUSES)).toEqual([]);
  });
});
