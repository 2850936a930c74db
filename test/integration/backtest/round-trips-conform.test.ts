import { describe, expect, it } from 'vitest';
import { epochMs, krw, stockCode, tradingDate } from '../../../src/domain/index.js';
import type { RoundTrip } from '../../../src/domain/index.js';
import { roundTrips } from '../../../src/backtest/round-trips.js';
import type { BacktestFill } from '../../../src/backtest/index.js';
import { createReviewReader } from '../../../src/store/index.js';
import type { Store } from '../../../src/store/index.js';
import { createTempStore } from '../../helpers/temp-store.js';
import { seededRandom } from '../../helpers/synthetic-bars.js';

/**
 * The backtest's round trips (src/backtest/round-trips.ts) and the trade log's (v_round_trips) are
 * the same rule written twice, once in TypeScript for runs without a database and once in SQL for
 * users' queries: random books of partial fills, several entries and exits per symbol, commission
 * and tax, must give the same trips to the won in both.
 */
const DAY = tradingDate('20261201');
const SYMBOLS = [stockCode('005930'), stockCode('000660')];

/** A book the backtest could make: orders of 1–3 partial fills, never selling more than held. */
function randomBook(seed: number): BacktestFill[] {
  const r = seededRandom(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const held = new Map<string, number>();
  const fills: BacktestFill[] = [];
  let at = 1_796_000_000_000 + int(0, 999);
  for (let orderId = 1; orderId <= int(2, 12); orderId++) {
    const symbol = SYMBOLS[int(0, SYMBOLS.length - 1)]!;
    const h = held.get(symbol) ?? 0;
    const side = h > 0 && r() < 0.5 ? 'sell' : 'buy';
    const qty = side === 'sell' ? int(1, h) : int(1, 40);
    held.set(symbol, h + (side === 'buy' ? qty : -qty));
    let left = qty;
    const parts = int(1, 3);
    for (let p = 0; p < parts && left > 0; p++) {
      const q = p === parts - 1 ? left : int(1, left);
      left -= q;
      const price = int(500, 2000) * 50;
      const amount = price * q;
      at += int(1, 86_400_000);
      fills.push({
        seq: fills.length + 1, orderId, date: DAY, at: epochMs(at), symbol, side, qty: q, price: krw(price), amount: krw(amount),
        commission: krw(Math.floor((amount * int(10, 150)) / 1_000_000)), tax: krw(side === 'sell' ? Math.floor((amount * 2000) / 1_000_000) : 0),
        strategy: 'breakout', rule: side === 'sell' ? 'stop-loss' : 'breakout',
      });
    }
  }
  return fills;
}

/** one transaction: 300 books of single-row commits, each synced, took most of the test's time */
function writeBook(store: Store, fills: readonly BacktestFill[]): void {
  store.transaction(() => writeRows(store, fills));
}

function writeRows(store: Store, fills: readonly BacktestFill[]): void {
  const orders = new Map<number, BacktestFill>();
  for (const f of fills) if (!orders.has(f.orderId)) orders.set(f.orderId, f);
  for (const [id, f] of orders) {
    store.db.prepare(`INSERT INTO orders (id, intent_key, origin, symbol, side, type, qty, price, trading_date, status, filled_qty,
        config_hash, reason, created_at, updated_at) VALUES (?, ?, 'daemon', ?, ?, 'limit', 1, 0, ?, 'filled', 1, 'c', 't', 0, 0)`)
      .run(id, `i.breakout.${f.symbol}.${f.side}.${DAY}.o${id}`, f.symbol, f.side, DAY);
  }
  for (const f of fills) {
    store.db.prepare(`INSERT INTO fills (fill_key, order_id, symbol, side, qty, price, value, commission, tax, trading_date, at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(`k${f.seq}`, f.orderId, f.symbol, f.side, f.qty, f.price, f.amount, f.commission, f.tax, DAY, f.at);
  }
}

const comparable = ({ exitRule: _r, unrealised: _u, mark: _m, strategy: _s, ...t }: RoundTrip) => t;

describe('round trips, TypeScript and SQL', () => {
  it('agree to the won on 300 random books', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const fills = randomBook(seed);
      const { store } = createTempStore();
      writeBook(store, fills);
      const sql = createReviewReader(store.db).roundTrips({ from: null, to: null }).map(comparable).sort((a, b) => a.id - b.id);
      const ts = roundTrips(fills, new Map()).map(comparable).sort((a, b) => a.id - b.id);
      expect(ts, `seed ${seed}`).toEqual(sql);
      store.close();
    }
  });
});
