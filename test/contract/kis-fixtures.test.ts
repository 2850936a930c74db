import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kstInstant, krw, shares, stockCode, tradingDate } from '../../src/domain/index.js';
import { classify } from '../../src/kis/index.js';
import { parseTokenResponse, parseHashkey } from '../../src/kis/schemas/auth.js';
import { lowerKeys } from '../../src/kis/schemas/wire.js';
import { createMockKis, tokenReply } from '../unit/kis/mock-kis.js';
import type { Recorded, Reply } from '../unit/kis/mock-kis.js';

/**
 * Every recorded KIS payload (test/fixtures/kis: public captures, docs/kis-wire.md §14) goes through
 * the real client — envelope check, key lower-casing, zod schemas — into domain values.
 */
const DIR = join(import.meta.dirname, '..', 'fixtures', 'kis');
const fixture = (name: string): unknown => JSON.parse(readFileSync(join(DIR, name), 'utf8'));
const at = (hhmmss: string) => kstInstant(tradingDate('20260312'), hhmmss);
const ctx = { endpoint: 'fixture', trId: null, status: 200 };

/** Answers each path with its fixture (tr_cont D: single page). */
const BY_PATH: Record<string, string> = {
  '/uapi/domestic-stock/v1/quotations/inquire-price': 'domestic-inquire-price.json',
  '/uapi/domestic-stock/v1/quotations/inquire-asking-price-exp-ccn': 'domestic-inquire-asking-price-exp-ccn.json',
  '/uapi/domestic-stock/v1/quotations/inquire-daily-itemchartprice': 'domestic-inquire-daily-itemchartprice.json',
  '/uapi/domestic-stock/v1/quotations/inquire-time-itemchartprice': 'domestic-inquire-time-itemchartprice.json',
  '/uapi/domestic-stock/v1/quotations/volume-rank': 'domestic-volume-rank.json',
  '/uapi/domestic-stock/v1/ranking/fluctuation': 'domestic-ranking-fluctuation.json',
  '/uapi/domestic-stock/v1/quotations/chk-holiday': 'domestic-chk-holiday.json',
  '/uapi/domestic-stock/v1/trading/inquire-balance': 'domestic-inquire-balance.json',
  '/uapi/domestic-stock/v1/trading/inquire-psbl-order': 'domestic-inquire-psbl-order.json',
  '/uapi/domestic-stock/v1/trading/inquire-psbl-sell': 'domestic-inquire-psbl-sell.json',
  '/uapi/domestic-stock/v1/trading/inquire-psbl-rvsecncl': 'domestic-inquire-psbl-rvsecncl.json',
  '/uapi/domestic-stock/v1/trading/inquire-daily-ccld': 'domestic-inquire-daily-ccld.json',
  '/uapi/domestic-stock/v1/trading/order-cash': 'domestic-order-cash.json',
  '/uapi/domestic-stock/v1/trading/order-rvsecncl': 'domestic-order-rvsecncl.json',
  '/uapi/hashkey': 'uapi-hashkey.json',
};

function fixtures(r: Recorded): Reply {
  if (r.path === '/oauth2/tokenP') return tokenReply();
  const name = BY_PATH[r.path];
  if (name === undefined) return { status: 404, body: 'unexpected path' };
  return { body: fixture(name), headers: { tr_cont: 'D' } };
}

describe('contract: every domestic fixture parses into domain values', () => {
  const m = createMockKis(fixtures);
  const { market, broker } = m.client;
  const samsung = stockCode('005930');

  it('covers every domestic fixture file', () => {
    const domestic = readdirSync(DIR).filter((f) => f.startsWith('domestic-'));
    expect(new Set(Object.values(BY_PATH).filter((f) => f.startsWith('domestic-')))).toEqual(new Set(domestic));
  });

  it('inquire-price → Quote', async () => {
    expect(await market.quote(samsung)).toEqual({
      symbol: samsung, price: 72300, open: 71900, high: 72600, low: 71700, basePrice: 71800, upperLimit: 93300, lowerLimit: 50300,
      tick: 100, volume: 8412556, tradedValue: 606965915400, changeBp: 70, halted: false,
      // the fixture's status fields: 55 (credit allowed), no warning, no VI (§6.1)
      status: {
        code: '55', administrative: false, warning: null, marketWarningCode: null, investmentAttention: false,
        shortTermOverheated: false, liquidationTrading: false, vi: false,
      },
      at: m.clock.now(),
    });
  });

  it('inquire-asking-price-exp-ccn → OrderBook', async () => {
    const book = await market.orderBook(samsung);
    expect(book.asks).toHaveLength(10);
    expect(book.bids).toHaveLength(10);
    expect(book.asks[0]).toEqual({ price: 72400, qty: 48211 });
    expect(book.bids[0]).toEqual({ price: 72300, qty: 23918 });
    expect(book.asks[9]).toEqual({ price: 73300, qty: 70115 });
    expect(book.at).toBe(at('140215'));
  });

  it('inquire-daily-itemchartprice → DailyBar[] oldest first', async () => {
    const bars = await market.dailyBars(samsung, 5, { end: tradingDate('20260312') });
    expect(bars.map((b) => b.date)).toEqual(['20260306', '20260309', '20260310', '20260311', '20260312']);
    expect(bars[4]).toEqual({ symbol: samsung, date: '20260312', open: 71900, high: 72600, low: 71700, close: 72300, volume: 8412556, value: 606965915400 });
    expect(bars[0]?.value).toBe(719006934400);
  });

  it('inquire-time-itemchartprice → minute bars oldest first', async () => {
    const bars = await market.minuteBars(samsung, '140200');
    expect(bars.map((b) => b.at)).toEqual([at('140000'), at('140100'), at('140200')]);
    expect(bars[0]).toMatchObject({ open: 72200, high: 72400, low: 72200, close: 72300, volume: 31907 });
  });

  it('volume-rank → RankingSnapshot', async () => {
    const snap = await market.ranking({ kind: 'volume' });
    expect(snap.rows).toHaveLength(3);
    expect(snap.rows[0]).toEqual({ rank: 1, symbol: samsung, name: '삼성전자', price: 72300, changeBp: 70, volume: 8412556, tradedValue: 606965915400, volumeIncreaseBp: 7508 });
    expect(snap.rows[1]).toMatchObject({ symbol: '034020', changeBp: -197 });
    expect(snap.raw).toEqual(fixture('domestic-volume-rank.json'));
  });

  it('ranking/fluctuation → RankingSnapshot', async () => {
    const snap = await market.ranking({ kind: 'fluctuation' });
    expect(snap.rows.map((r) => r.symbol)).toEqual(['032820', '036930', '000990']);
    expect(snap.rows[0]).toMatchObject({ rank: 1, price: 2345, changeBp: 2992, volume: 48120554, tradedValue: 2345 * 48120554, volumeIncreaseBp: null });
  });

  it('chk-holiday → CalendarDay[]', async () => {
    const days = await market.holidays(tradingDate('20260429'));
    expect(days).toHaveLength(14);
    expect(days.find((d) => d.date === '20260501')).toEqual({ date: '20260501', open: false });
    expect(days.find((d) => d.date === '20260504')).toEqual({ date: '20260504', open: true });
    expect(days.filter((d) => d.open)).toHaveLength(8);
  });

  it('inquire-balance → AccountSnapshot (zero rows dropped)', async () => {
    const snap = await broker.balance();
    expect(snap.holdings).toEqual([
      { symbol: samsung, name: '삼성전자', qty: 120, sellableQty: 100, avgPrice: 68450, price: 72300 },
      { symbol: stockCode('035420'), name: 'NAVER', qty: 15, sellableQty: 15, avgPrice: 201500, price: 196800 },
    ]);
    expect(snap).toMatchObject({ cash: 5230410, settledCash: 4980872, totalValue: 16608872 });
  });

  it('inquire-psbl-order → BuyingPower (without margin)', async () => {
    expect(await broker.buyingPower(samsung, 'market', krw(0))).toEqual({ cash: 4980172, maxQty: 53, unitPrice: 93300 });
  });

  it('inquire-psbl-sell → Sellable', async () => {
    expect(await broker.sellable(samsung)).toEqual({ symbol: samsung, held: 120, sellable: 100, avgPrice: 68450 });
  });

  it('inquire-daily-ccld → VenueOrder[] oldest first, invariants hold', async () => {
    const orders = await broker.dailyOrders(tradingDate('20260312'));
    expect(orders.map((o) => o.venueOrderId)).toEqual(['0000030115', '0000030877', '0000031207', '0000031388', '0000031452']);
    expect(orders[0]).toEqual({
      date: '20260312', venueOrderId: '0000030115', originalOrderId: null, branch: '06010', symbol: samsung, name: '삼성전자', side: 'buy',
      type: 'limit', isAmendment: false, qty: 20, price: 72000, filledQty: 20, filledValue: 1440000, avgFillPrice: 72000, remainingQty: 0,
      cancelledQty: 0, rejectedQty: 0, orderedAt: at('090211'),
    });
    expect(orders[1]).toMatchObject({ side: 'sell', type: 'market', price: 0, filledQty: 10, avgFillPrice: 197500 });
    expect(orders[4]).toMatchObject({ isAmendment: true, originalOrderId: '0000031388', cancelledQty: 6 });
    for (const o of orders.filter((x) => !x.isAmendment)) expect(o.filledQty + o.remainingQty + o.cancelledQty + o.rejectedQty).toBe(o.qty);
  });

  it('inquire-psbl-rvsecncl → open orders (live)', async () => {
    const open = await broker.openOrders();
    expect(open).toEqual([expect.objectContaining({ venueOrderId: '0000031207', side: 'sell', qty: shares(20), price: krw(73500), remainingQty: 20, orderedAt: at('110302') })]);
  });

  it('order-cash and order-rvsecncl → OrderAck (UPPERCASE keys)', async () => {
    expect(await broker.placeOrder({ symbol: samsung, side: 'buy', type: 'limit', qty: shares(10), price: krw(72200) }))
      .toEqual({ venueOrderId: '0000031501', branch: '06010', acceptedAt: at('140215') });
    expect(await broker.cancelOrder({ venueOrderId: '0000031501', branch: '06010' }))
      .toEqual({ venueOrderId: '0000031517', branch: '06010', acceptedAt: at('140532') });
  });

  it('oauth2 tokenP and hashkey', () => {
    expect(parseTokenResponse(lowerKeys(fixture('oauth2-tokenP.json')), ctx)).toMatchObject({
      expiresInSec: 86400, expiry: { date: '20260313', time: '081535' },
    });
    expect(parseHashkey(lowerKeys(fixture('uapi-hashkey.json')), ctx)).toBe('70037ac995f0f40bec2893d762c4cd5b304536139fea555d8a6a1a3956f73c8c');
  });
});

describe('contract: error fixtures classify', () => {
  async function failure(name: string, status: number, as: 'read' | 'order' | 'token') {
    const m = createMockKis((r) => {
      if (as === 'token' || r.path !== '/oauth2/tokenP') {
        if (r.path === '/uapi/hashkey') return { body: fixture('uapi-hashkey.json') };
        return { status, body: fixture(name) };
      }
      return tokenReply();
    }, { retry: { attempts: 1, rateLimitedAttempts: 1 } });
    try {
      if (as === 'order') await m.client.broker.placeOrder({ symbol: stockCode('005930'), side: 'buy', type: 'limit', qty: shares(1), price: krw(72200) });
      else if (as === 'token') await m.client.tokens.get();
      else await m.client.market.quote(stockCode('005930'));
    } catch (e) {
      return e as Error & { code: string; details: Record<string, unknown>; cause?: unknown };
    }
    throw new Error('expected a failure');
  }

  it('EGW00201 (HTTP 500): a read retries, an order is rejected (retryable)', async () => {
    const read = await failure('error-EGW00201-rate-limit.http500.json', 500, 'read');
    expect(read.code).toBe('KIS_RATE_LIMITED');
    expect(classify(read, { isOrder: false })).toBe('retry');
    const order = await failure('error-EGW00201-rate-limit.http500.json', 500, 'order');
    expect(order.details).toMatchObject({ outcome: 'rejected', msgCode: 'EGW00201', retryable: true });
  });

  it('EGW00123 (HTTP 500): reauth', async () => {
    const read = await failure('error-EGW00123-token-expired.http500.json', 500, 'read');
    expect(classify(read, { isOrder: false })).toBe('reauth');
    expect(classify(read, { isOrder: true })).toBe('reauth');
  });

  it('EGW00133 (HTTP 403, OAuth shape): token throttled', async () => {
    const e = await failure('error-EGW00133-token-throttle.http403.json', 403, 'token');
    expect(e.code).toBe('KIS_TOKEN_UNAVAILABLE');
    const cause = e.cause as Error & { code: string };
    expect(cause.code).toBe('KIS_TOKEN_THROTTLED');
    expect(classify(cause, { isOrder: false })).toBe('retry');
  });

  it('APBK0952 (HTTP 200, rt_cd 7): order rejected, not retryable', async () => {
    const e = await failure('error-APBK0952-insufficient-funds.json', 200, 'order');
    expect(e.code).toBe('ORDER_REJECTED');
    expect(e.details).toMatchObject({ msgCode: 'APBK0952', msg: '주문가능금액을 초과 했습니다', retryable: false });
    expect(classify(e.cause, { isOrder: true })).toBe('reject');
  });

  it('paper 40580000 market closed: order rejected', async () => {
    const e = await failure('error-paper-40580000-market-closed.json', 200, 'order');
    expect(e.details).toMatchObject({ outcome: 'rejected', msgCode: '40580000', msg: '모의투자 장종료 입니다.' });
  });
});
