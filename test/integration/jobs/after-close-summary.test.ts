import { describe, expect, it } from 'vitest';
import { krw, shares, silentLogger } from '../../../src/domain/index.js';
import type { EpochMs, Holding, MarketData, Notice, StockCode, TradingDate } from '../../../src/domain/index.js';
import { runAfterClose } from '../../../src/jobs/index.js';
import type { ReconcileSummary } from '../../../src/orders/index.js';
import type { Store } from '../../../src/store/index.js';
import { createTempStore } from '../../helpers/temp-store.js';
import { at, DAY1, DAY2, DAY3, HYNIX, SAMSUNG, writeDay1, writeDay2 } from '../../helpers/review-book.js';

/**
 * The after-close job records the day in daily_summaries (issue 11), and v_daily_pnl reads it.
 * Real store; the final reconcile is a stand-in returning the broker's snapshot. The book is
 * test/helpers/review-book.ts; every figure below is computed by hand from it.
 */
const holding = (symbol: StockCode, qty: number, price: number): Holding => ({
  symbol, name: symbol, qty: shares(qty), sellableQty: shares(qty), avgPrice: krw(price), price: krw(price),
});

async function afterClose(store: Store, date: TradingDate, account: { holdings: Holding[]; cash: number; equity: number }, configHash = 'cfg-a', notices: Notice[] = []): Promise<EpochMs> {
  const now = at(date, '154500');
  const summary: ReconcileSummary = {
    dates: [date], linked: 0, fills: 0, statusChanges: 0, failed: 0, adopted: 0, anomalies: [],
    account: { holdings: account.holdings, cash: krw(account.cash), settledCash: krw(account.cash), totalValue: krw(account.equity), at: now },
  };
  // bar backfill fails and is logged: not what this test is about
  const market = new Proxy({}, { get: () => () => Promise.reject(new Error('no bars in this test')) }) as MarketData;
  await runAfterClose({
    orders: store.orders, fills: store.fills, positions: store.positions, dailySummaries: store.dailySummaries,
    decisions: store.decisions, bars: store.bars, kv: store.kv, market, clock: { now: () => now }, log: silentLogger,
    desk: { reconcile: () => Promise.resolve(summary) }, configHash, notifier: { notify: (n) => void notices.push(n) },
  }, { at: now });
  return now;
}

describe('the after-close daily summary', () => {
  it('records each day exactly to the won, replaces a second run of the same day, and v_daily_pnl draws down from the peak', async () => {
    const { store } = createTempStore();
    writeDay1(store);
    // a first after-close, then a restart runs it again with a newer snapshot: one row, the second
    await afterClose(store, DAY1, { holdings: [holding(SAMSUNG, 10, 70_500), holding(HYNIX, 5, 99_500)], cash: 8_799_822, equity: 9_990_000 }, 'cfg-old');
    const day1At = await afterClose(store, DAY1, { holdings: [holding(SAMSUNG, 10, 71_000), holding(HYNIX, 5, 99_000)], cash: 8_799_822, equity: 10_000_000 });
    expect(store.dailySummaries.all()).toHaveLength(1);
    expect(store.dailySummaries.forDate(DAY1)).toEqual({
      tradingDate: DAY1, at: day1At, equity: 10_000_000, cash: 8_799_822,
      realisedPnl: 0,
      // 71,000 × 10 − (700,000 + 41 + 62) = 9,897; 99,000 × 5 − (500,000 + 75) = −5,075
      unrealisedPnl: 4_822,
      commission: 178, tax: 0, orders: 2, fills: 3,
      // two entries ordered, two blocked, one blocked exit
      decisions: 5, entriesDecided: 2,
      marks: { [SAMSUNG]: { qty: 10, price: 71_000, cost: 700_103 }, [HYNIX]: { qty: 5, price: 99_000, cost: 500_075 } },
      configHash: 'cfg-a',
    });

    writeDay2(store);
    const notices: Notice[] = [];
    await afterClose(store, DAY2, { holdings: [holding(SAMSUNG, 5, 69_000), holding(HYNIX, 5, 101_000)], cash: 9_160_000, equity: 9_700_000 }, 'cfg-a', notices);
    // the same figures go out as the daily-summary alert (docs/operations.md "Alerts")
    expect(notices.map((n) => n.kind)).toEqual(['daily-summary']);
    expect(notices[0]!.message).toBe([
      `${DAY2} after the close: P&L 9,122 ₩ (realised 9,248 ₩, unrealised -126 ₩)`,
      'fees 53 ₩ + tax 647 ₩; 1 order(s), 2 fill(s), 0 entries decided',
      `positions: ${HYNIX}×5, ${SAMSUNG}×5; equity 9,700,000 ₩, cash 9,160,000 ₩`,
    ].join('\n'));
    // sell 3: releases round(700,103 × 3/10) = 210,031 for 216,000 − 32 − 388 = 215,580 → 5,549
    // sell 2: releases round(490,072 × 2/7) = 140,021 for 144,000 − 21 − 259 = 143,720 → 3,699
    expect(store.dailySummaries.forDate(DAY2)).toMatchObject({
      realisedPnl: 9_248,
      // 69,000 × 5 − 350,051 = −5,051; 101,000 × 5 − 500,075 = 4,925
      unrealisedPnl: -126,
      commission: 53, tax: 647, orders: 1, fills: 2, decisions: 2, entriesDecided: 0,
      marks: { [SAMSUNG]: { qty: 5, price: 69_000, cost: 350_051 }, [HYNIX]: { qty: 5, price: 101_000, cost: 500_075 } },
    });
    expect(store.positions.all().reduce((s, p) => s + p.realizedPnl, 0)).toBe(9_248);

    // day 3: nothing traded; the broker's snapshot lacks HYNIX, which stays unpriced and out of the sum
    await afterClose(store, DAY3, { holdings: [holding(SAMSUNG, 5, 70_000)], cash: 9_000_000, equity: 9_876_543 });
    expect(store.dailySummaries.forDate(DAY3)).toMatchObject({
      realisedPnl: 0, unrealisedPnl: -51, commission: 0, tax: 0, orders: 0, fills: 0, decisions: 0, entriesDecided: 0,
      marks: { [SAMSUNG]: { qty: 5, price: 70_000, cost: 350_051 }, [HYNIX]: { qty: 5, price: null, cost: 500_075 } },
    });

    expect(store.db.prepare('SELECT * FROM v_daily_pnl ORDER BY trading_date').all()).toEqual([
      { trading_date: DAY1, realised_pnl: 0, unrealised_pnl: 4_822, fees: 178, tax: 0, equity: 10_000_000, peak_equity: 10_000_000, drawdown: 0, drawdown_bp: 0 },
      { trading_date: DAY2, realised_pnl: 9_248, unrealised_pnl: -126, fees: 53, tax: 647, equity: 9_700_000, peak_equity: 10_000_000, drawdown: 300_000, drawdown_bp: 300 },
      // 123,457 / 10,000,000 = 123.457 bp, truncated
      { trading_date: DAY3, realised_pnl: 0, unrealised_pnl: -51, fees: 0, tax: 0, equity: 9_876_543, peak_equity: 10_000_000, drawdown: 123_457, drawdown_bp: 123 },
    ]);
  });

  it('a summary row that breaks the table\'s checks is a store invariant, not a silent write', () => {
    const { store } = createTempStore();
    const bad = {
      tradingDate: '2026-12-01' as TradingDate, at: at(DAY1, '154500'), equity: krw(0), cash: krw(0), realisedPnl: krw(0),
      unrealisedPnl: krw(0), commission: krw(0), tax: krw(0), orders: 0, fills: 0, decisions: 0, entriesDecided: 0, marks: {}, configHash: 'x',
    };
    expect(() => store.dailySummaries.upsert(bad)).toThrow(expect.objectContaining({ code: 'STORE_INVARIANT' }));
  });
});
