import { describe, expect, it } from 'vitest';
import { createReviewReader } from '../../../src/store/index.js';
import type { Store } from '../../../src/store/index.js';
import { createTempStore } from '../../helpers/temp-store.js';
import { at, DAY1, DAY2, DAY3, writeDay1, writeDay2, writeDay3 } from '../../helpers/review-book.js';

/**
 * v_round_trips (migration 0005) over the hand-written book of test/helpers/review-book.ts. Every
 * figure below is worked out by hand from the fills there; the working is in the comments.
 */

const rows = (store: ReturnType<typeof createTempStore>['store']) =>
  store.db.prepare('SELECT * FROM v_round_trips ORDER BY entry_order_id').all() as Record<string, unknown>[];

/** A filled HYNIX order of the daemon written as raw rows, bypassing the order flow (a sell need not be held). */
function filledOrder(store: Store, f: { side: 'buy' | 'sell'; qty: number; value: number; commission: number; tax: number; hhmmss: string }): number {
  const { lastInsertRowid } = store.db.prepare(`INSERT INTO orders (intent_key, origin, symbol, side, type, qty, price, trading_date,
      status, filled_qty, config_hash, reason, created_at, updated_at)
    VALUES (?, 'daemon', '000660', ?, 'limit', ?, ?, ?, 'filled', ?, 'cfg-a', 'test', 0, 0)`)
    .run(`i.breakout.000660.${f.side}.${DAY3}.${f.hhmmss}`, f.side, f.qty, f.value / f.qty, DAY3, f.qty);
  store.db.prepare(`INSERT INTO fills (fill_key, order_id, symbol, side, qty, price, value, commission, tax, trading_date, at)
    VALUES (?, ?, '000660', ?, ?, ?, ?, ?, ?, ?, ?)`)
    .run(`raw.${f.hhmmss}`, lastInsertRowid, f.side, f.qty, f.value / f.qty, f.value, f.commission, f.tax, DAY3, at(DAY3, f.hhmmss));
  return Number(lastInsertRowid);
}

describe('v_round_trips', () => {
  it('matches a partly sold entry FIFO, splitting partial fills and their fees to the won', () => {
    const { store } = createTempStore();
    const { buySamsung, buyHynix } = writeDay1(store);
    writeDay2(store);
    // SAMSUNG buy fills 4 (280,000, c41) + 6 (420,000, c62); sell fills 3 (216,000, c32, t388) + 2 (144,000, c21, t259).
    // Sell 1 takes buy-1 shares 0–3: value 210,000, commission round(41·3/4) = 31.
    // Sell 2 takes buy-1 share 3 (70,000, c 41 − 31 = 10) and buy-2 share 0 (70,000, c round(62/6) = 10); its own
    // halves: value 72,000 + 72,000, commission round(10.5) = 11 and 10, tax round(129.5) = 130 and 129.
    // Entry 350,000 (c 51); exit 360,000 (c 53, t 647); gross 10,000; net 10,000 − 104 − 647 = 9,249.
    expect(rows(store)).toEqual([
      {
        entry_order_id: buySamsung, symbol: '005930', strategy: 'breakout', status: 'open', opened_at: at(DAY1, '100100'),
        closed_at: at(DAY2, '100100'), holding_seconds: null, qty: 10, closed_qty: 5, entry_price: 70_000, exit_price: 72_000,
        entry_value: 350_000, exit_value: 360_000, gross_pnl: 10_000, commission: 104, tax: 647, net_pnl: 9_249,
        // 9,249 × 10,000 / 350,051 = 264.2
        return_bp: 264, exit_rule: 'take profit', trading_date: DAY1,
        // 700,103 − 350,051
        open_qty: 5, open_cost: 350_052,
      },
      {
        entry_order_id: buyHynix, symbol: '000660', strategy: 'breakout', status: 'open', opened_at: at(DAY1, '100100'),
        closed_at: null, holding_seconds: null, qty: 5, closed_qty: 0, entry_price: 100_000, exit_price: null,
        entry_value: 0, exit_value: 0, gross_pnl: 0, commission: 0, tax: 0, net_pnl: 0, return_bp: null, exit_rule: null,
        trading_date: DAY1, open_qty: 5, open_cost: 500_075,
      },
    ]);
  });

  it('closes an entry once every share is sold, with a net that equals proceeds minus the whole cost', () => {
    const { store } = createTempStore();
    const { buySamsung, buyHynix } = writeDay1(store);
    writeDay2(store);
    const { buyGap } = writeDay3(store);
    const [samsung, hynix, gap] = rows(store);
    // Day 3 sells the other 5 SAMSUNG (345,000, c52, t621) against buy-2 shares 1–6: 420,000 − 70,000 = 350,000, c 62 − 10 = 52.
    // Entry 700,000 + c103; exit 705,000, c 53 + 52 = 105, t 647 + 621 = 1,268; net 5,000 − 208 − 1,268 = 3,524
    // = (359,300 + 344,327) proceeds − 700,103 cost, the average-cost figure once flat.
    expect(samsung).toMatchObject({
      entry_order_id: buySamsung, status: 'closed', closed_at: at(DAY3, '100100'), holding_seconds: 2 * 86_400,
      qty: 10, closed_qty: 10, entry_price: 70_000, exit_price: 70_500, entry_value: 700_000, exit_value: 705_000,
      gross_pnl: 5_000, commission: 208, tax: 1_268, net_pnl: 3_524, return_bp: 50, exit_rule: 'max hold', open_qty: 0, open_cost: 0,
    });
    // HYNIX 5 at 500,000 (c75) sold 2 (196,000, c29, t353) + 3 (291,000, c44, t524) at 14:30.
    // Net −13,000 − 148 − 877 = −14,025; −14,025 × 10,000 / 500,075 = −280.4, truncated toward zero.
    expect(hynix).toMatchObject({
      entry_order_id: buyHynix, status: 'closed', closed_at: at(DAY3, '143000'), holding_seconds: 2 * 86_400 + 4 * 3600 + 29 * 60,
      exit_price: 97_400, gross_pnl: -13_000, commission: 148, tax: 877, net_pnl: -14_025, return_bp: -280, exit_rule: 'stop loss',
    });
    // A later entry of the same symbol starts a new trip of its own strategy, untouched by the earlier sells.
    expect(gap).toMatchObject({
      entry_order_id: buyGap, symbol: '005930', strategy: 'gap', status: 'open', closed_qty: 0, open_qty: 3, open_cost: 204_031,
      trading_date: DAY3,
    });
    // The closed trips add up to the realised P&L of the positions (average cost) once both are flat.
    const realised = store.positions.all().reduce((sum, p) => sum + p.realizedPnl, 0);
    expect(Number(samsung!['net_pnl']) + Number(hynix!['net_pnl'])).toBe(realised);
  });

  it('matches only the shares the log holds when a sell is larger (shares bought outside the log)', () => {
    const { store } = createTempStore();
    writeDay1(store);
    writeDay2(store);
    writeDay3(store);
    // Sells of more than held are matched to nothing; the next entry starts from flat.
    const before = rows(store).map((r) => [r['entry_order_id'], r['closed_qty']]);
    filledOrder(store, { side: 'sell', qty: 4, value: 360_000, commission: 54, tax: 648, hhmmss: '150500' });
    expect(rows(store).map((r) => [r['entry_order_id'], r['closed_qty']])).toEqual(before);
    // and a later entry is not taken as the cover of that sell
    const buy = filledOrder(store, { side: 'buy', qty: 2, value: 180_000, commission: 27, tax: 0, hhmmss: '151000' });
    expect(rows(store).find((r) => r['entry_order_id'] === buy)).toMatchObject({ status: 'open', closed_qty: 0, open_qty: 2, open_cost: 180_027 });
  });
});

describe('createReviewReader', () => {
  it('reads the trips that overlap a range, in won, with the open shares and their cost', () => {
    const { store } = createTempStore();
    const { buySamsung, buyHynix } = writeDay1(store);
    writeDay2(store);
    const { buyGap } = writeDay3(store);
    const review = createReviewReader(store.db);
    expect(review.roundTrips({ from: null, to: null }).map((t) => t.id)).toEqual([buySamsung, buyHynix, buyGap]);
    // all three were open or closed on day 3; none had opened by the end of the day before day 1
    expect(review.roundTrips({ from: DAY3, to: DAY3 }).map((t) => t.id)).toEqual([buySamsung, buyHynix, buyGap]);
    expect(review.roundTrips({ from: null, to: DAY2 }).map((t) => t.id)).toEqual([buySamsung, buyHynix]);
    const samsung = review.roundTrips({ from: null, to: null })[0]!;
    expect(samsung).toMatchObject({ status: 'closed', net: 3_524, openQty: 0, openCost: 0, tradingDate: DAY1, exitRule: 'max hold' });
    expect(review.roundTrips({ from: null, to: null })[2]).toMatchObject({ strategy: 'gap', openQty: 3, openCost: 204_031, unrealised: null });
  });

  it('names a symbol as the scans of those days listed it', () => {
    const { store } = createTempStore();
    store.scans.insert({
      kind: 'volume', params: {}, raw: {}, fetchedAt: at(DAY1, '090000'),
      rows: [{ rank: 1, symbol: '005930' as never, name: '삼성전자', price: 70_000 as never, changeBp: 0, volume: 1 as never, tradedValue: 1 as never, volumeIncreaseBp: null }],
    }, DAY1);
    const review = createReviewReader(store.db);
    expect(review.names(['005930', '000660'], [DAY1])).toEqual({ '005930': '삼성전자' });
    expect(review.names(['005930'], [DAY2])).toEqual({});
  });
});
