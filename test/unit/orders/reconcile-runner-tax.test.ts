import { describe, expect, it } from 'vitest';
import { createManualClock, krw, kstInstant, ppm, shares, silentLogger, stockCode, tradingDate } from '../../../src/domain/index.js';
import type { AccountSnapshot, Broker, StockCode, TradingDate, VenueOrder } from '../../../src/domain/index.js';
import { loadCalendar } from '../../../src/runtime/index.js';
import { DEFAULT_FEE_RATES } from '../../../src/market/index.js';
import type { FeeRates } from '../../../src/market/index.js';
import { runReconcile } from '../../../src/orders/index.js';
import { createTempStore } from '../../helpers/temp-store.js';

const calendar = loadCalendar('config/krx-calendar.json');

/**
 * The fill recorder of runReconcile (the 'fill' case): a sell of 10 × 70,000 filled at the
 * broker, recorded with commission and the sell tax of its SETTLEMENT date (docs/kis-wire.md §11.5–§11.6).
 */
async function sellFilled(opts: { date: string; fees: FeeRates; symbol?: string }) {
  const date = tradingDate(opts.date);
  const symbol: StockCode = stockCode(opts.symbol ?? '005930');
  const t = createTempStore({ clock: createManualClock(kstInstant(date, '140000')) });
  t.store.orders.insertExternal({
    venueOrderId: '0000000001', branch: '06010', symbol, side: 'sell', type: 'limit', qty: shares(10), price: krw(70_000), tradingDate: date, status: 'accepted',
  }, t.clock.now());
  const row: VenueOrder = {
    date, venueOrderId: '0000000001', originalOrderId: null, branch: '06010', symbol, name: 'x', side: 'sell', type: 'limit', isAmendment: false,
    qty: shares(10), price: krw(70_000), filledQty: shares(10), filledValue: krw(700_000), avgFillPrice: krw(70_000), remainingQty: shares(0),
    cancelledQty: shares(0), rejectedQty: shares(0), orderedAt: kstInstant(date, '100000'),
  };
  const account: AccountSnapshot = { holdings: [], cash: krw(1_000_000), settledCash: krw(1_000_000), totalValue: krw(1_000_000), at: t.clock.now() };
  const broker = {
    dailyOrders: (d: TradingDate) => Promise.resolve(d === date ? [row] : []),
    balance: () => Promise.resolve(account),
  } as unknown as Broker;
  const summary = await runReconcile({
    orders: t.store.orders, fills: t.store.fills, positions: t.store.positions, kv: t.store.risk, broker, clock: t.clock, calendar,
    fees: opts.fees, log: silentLogger, graceMs: 60_000, skewMs: 2_000, transaction: (fn) => t.store.transaction(fn),
  });
  return { summary, fills: t.store.fills.forDate(date), taxAnomalies: summary.anomalies.filter((a) => a.includes('sell tax')) };
}

describe('runReconcile records sell tax by settlement date (issue #8 §5)', () => {
  // A rate change on 2027-01-01: a sale on Tue 2026-12-29 settles on Mon 2027-01-04 (12-31 and 01-01 closed).
  const change: FeeRates = {
    commission: ppm(141),
    taxTable: [
      { from: tradingDate('20260101'), kospi: ppm(2_000), kosdaq: ppm(2_000), konex: ppm(1_000) },
      { from: tradingDate('20270101'), kospi: ppm(1_000), kosdaq: ppm(1_000), konex: ppm(1_000) },
    ],
  };

  it('a sale on 2026-12-29 pays the rate of its settlement year', async () => {
    const r = await sellFilled({ date: '20261229', fees: change });
    expect(r.fills).toHaveLength(1);
    expect(r.fills[0]).toMatchObject({ value: 700_000, commission: 98, tax: 700 }); // 0.10 %, not the trade year's 0.20 %
  });

  it('a sale on 2026-12-24 still settles in 2026', async () => {
    const r = await sellFilled({ date: '20261224', fees: change });
    expect(r.fills[0]).toMatchObject({ tax: 1_400 });
  });

  it('an ETN (its code says so) pays no transaction tax', async () => {
    const r = await sellFilled({ date: '20260312', fees: DEFAULT_FEE_RATES, symbol: 'Q500001' });
    expect(r.fills[0]).toMatchObject({ commission: 98, tax: 0 });
    expect(r.taxAnomalies).toEqual([]);
  });

  it('a tax table starting after the sale does not stop the fill being recorded: tax 0 and an anomaly', async () => {
    const later: FeeRates = { commission: ppm(141), taxTable: [{ from: tradingDate('20270101'), kospi: ppm(2_000), kosdaq: ppm(2_000), konex: ppm(1_000) }] };
    const r = await sellFilled({ date: '20260312', fees: later });
    expect(r.summary.fills).toBe(1);
    expect(r.fills[0]).toMatchObject({ value: 700_000, commission: 98, tax: 0 });
    expect(r.taxAnomalies).toHaveLength(1);
    expect(r.taxAnomalies[0]).toMatch(/MARKET_TAX_RATE_UNKNOWN/);
  });
});
