import { describe, expect, it } from 'vitest';
import { krw, shares, stockCode, tradingDate } from '../../../src/domain/index.js';
import type { OrderRequest } from '../../../src/domain/index.js';
import { createMockKis, ok, tokenReply } from './mock-kis.js';
import type { Recorded, Reply } from './mock-kis.js';

const ORDER_PATH = '/uapi/domestic-stock/v1/trading/order-cash';
const ACK = { rt_cd: '0', msg_cd: 'APBK0013', msg1: '주문 전송 완료 되었습니다.', output: { KRX_FWDG_ORD_ORGNO: '06010', ODNO: '0000031501', ORD_TMD: '140215' } };
const limitBuy: OrderRequest = { symbol: stockCode('005930'), side: 'buy', type: 'limit', qty: shares(10), price: krw(72200) };

function route(order: (r: Recorded) => Reply | Error) {
  return (r: Recorded): Reply | Error => {
    if (r.path === '/oauth2/tokenP') return tokenReply();
    if (r.path === '/uapi/hashkey') return { body: { BODY: JSON.parse(r.body) as unknown, HASH: 'h'.repeat(64) } };
    return order(r);
  };
}

async function caught(p: Promise<unknown>): Promise<{ code: string; details: Record<string, unknown> }> {
  try { await p; } catch (e) { return e as { code: string; details: Record<string, unknown> }; }
  throw new Error('expected a rejection');
}

describe('KIS client orders', () => {
  it('hashes the exact body, then posts it once with the hashkey and the new TR ID', async () => {
    const m = createMockKis(route(() => ({ body: ACK })), { env: 'paper' });
    const ack = await m.client.broker.placeOrder(limitBuy);
    expect(ack.venueOrderId).toBe('0000031501');
    expect(ack.branch).toBe('06010');
    const [hash] = m.to('/uapi/hashkey');
    const [post] = m.to(ORDER_PATH);
    expect(post?.headers).toMatchObject({ tr_id: 'VTTC0012U', hashkey: 'h'.repeat(64), custtype: 'P', authorization: 'Bearer tok-1' });
    expect(post?.body).toBe(hash?.body);
    expect(JSON.parse(post!.body)).toEqual({ CANO: '50123456', ACNT_PRDT_CD: '01', PDNO: '005930', ORD_DVSN: '00', ORD_QTY: '10', ORD_UNPR: '72200' });
    // token, hashkey and the order all spend the budget in the order lane
    expect(m.budget.acquired).toEqual(['order', 'order', 'order']);
  });

  it('sends a market sell as ORD_DVSN 01 with ORD_UNPR "0" (live TR)', async () => {
    const m = createMockKis(route(() => ({ body: ACK })));
    await m.client.broker.placeOrder({ ...limitBuy, side: 'sell', type: 'market', price: krw(0) });
    const [post] = m.to(ORDER_PATH);
    expect(post?.headers.tr_id).toBe('TTTC0011U');
    expect(JSON.parse(post!.body)).toMatchObject({ ORD_DVSN: '01', ORD_UNPR: '0' });
  });

  it('refuses malformed orders without sending anything', async () => {
    const m = createMockKis(route(() => ({ body: ACK })));
    for (const bad of [{ ...limitBuy, qty: shares(0) }, { ...limitBuy, price: krw(0) }, { ...limitBuy, type: 'market' as const }]) {
      expect((await caught(m.client.broker.placeOrder(bad))).code).toBe('ORDER_INVALID');
    }
    expect(m.requests).toHaveLength(0);
  });

  it('a business rejection → ORDER_REJECTED with msg_cd and the trimmed message', async () => {
    const m = createMockKis(route(() => ({ body: { rt_cd: '7', msg_cd: 'APBK0952', msg1: '주문가능금액을 초과 했습니다      ' } })));
    const e = await caught(m.client.broker.placeOrder(limitBuy));
    expect(e.code).toBe('ORDER_REJECTED');
    expect(e.details).toMatchObject({ outcome: 'rejected', msgCode: 'APBK0952', msg: '주문가능금액을 초과 했습니다', trId: 'TTTC0012U', retryable: false });
    expect(m.to(ORDER_PATH)).toHaveLength(1);
  });

  it('EGW00201 on an order → rejected, retryable, budget penalized, never re-sent', async () => {
    const m = createMockKis(route(() => ({ status: 500, body: { rt_cd: '1', msg_cd: 'EGW00201', msg1: '초당 거래건수를 초과하였습니다.' } })));
    const e = await caught(m.client.broker.placeOrder(limitBuy));
    expect(e.code).toBe('ORDER_REJECTED');
    expect(e.details).toMatchObject({ outcome: 'rejected', msgCode: 'EGW00201', retryable: true });
    expect(m.budget.penalties).toBe(1);
    expect(m.to(ORDER_PATH)).toHaveLength(1);
  });

  it('HTTP 500 without an envelope → ORDER_UNKNOWN, sent exactly once', async () => {
    const m = createMockKis(route(() => ({ status: 500, body: '<html>gateway</html>' })));
    const e = await caught(m.client.broker.placeOrder(limitBuy));
    expect(e.code).toBe('ORDER_UNKNOWN');
    expect(e.details).toMatchObject({ outcome: 'unknown', trId: 'TTTC0012U', kind: 'http', status: 500 });
    expect(m.to(ORDER_PATH)).toHaveLength(1);
  });

  it('a 200 whose ack cannot be read → ORDER_UNKNOWN (the order may be live)', async () => {
    const m = createMockKis(route(() => ({ body: { rt_cd: '0', msg_cd: 'APBK0013', msg1: 'ok', output: { ODNO: '' } } })));
    const e = await caught(m.client.broker.placeOrder(limitBuy));
    expect(e.code).toBe('ORDER_UNKNOWN');
    expect(e.details.stage).toBe('ack');
  });

  it('EGW00123 on an order → rejected and the token dropped, but the order is not re-sent', async () => {
    const m = createMockKis(route(() => ({ status: 500, body: { rt_cd: '1', msg_cd: 'EGW00123', msg1: '기간이 만료된 token 입니다.' } })));
    const e = await caught(m.client.broker.placeOrder(limitBuy));
    expect(e.code).toBe('ORDER_REJECTED');
    expect(e.details).toMatchObject({ msgCode: 'EGW00123', retryable: true });
    expect(m.to(ORDER_PATH)).toHaveLength(1);
    expect(m.store.load(m.client.tokens.storeKey)).toBeNull();
  });

  it('a failure before the POST (hashkey unavailable) → rejected, not sent', async () => {
    const m = createMockKis((r) => (r.path === '/oauth2/tokenP' ? tokenReply() : r.path === '/uapi/hashkey' ? { status: 404, body: 'no' } : { body: ACK }));
    const e = await caught(m.client.broker.placeOrder(limitBuy));
    expect(e.code).toBe('ORDER_REJECTED');
    expect(e.details).toMatchObject({ outcome: 'rejected', notSent: true, retryable: true, stage: 'prepare' });
    expect(m.to(ORDER_PATH)).toHaveLength(0);
  });

  it('cancels everything that remains with RVSE_CNCL_DVSN_CD 02 and QTY_ALL_ORD_YN Y', async () => {
    const m = createMockKis(route(() => ({ body: { ...ACK, output: { KRX_FWDG_ORD_ORGNO: '06010', ODNO: '0000031517', ORD_TMD: '140532' } } })));
    const ack = await m.client.broker.cancelOrder({ venueOrderId: '0000031501', branch: '06010' });
    expect(ack.venueOrderId).toBe('0000031517');
    const [post] = m.to('/uapi/domestic-stock/v1/trading/order-rvsecncl');
    expect(post?.headers.tr_id).toBe('TTTC0013U');
    expect(JSON.parse(post!.body)).toEqual({
      CANO: '50123456', ACNT_PRDT_CD: '01', KRX_FWDG_ORD_ORGNO: '06010', ORGN_ODNO: '0000031501', ORD_DVSN: '00',
      RVSE_CNCL_DVSN_CD: '02', ORD_QTY: '0', ORD_UNPR: '0', QTY_ALL_ORD_YN: 'Y',
    });
  });
});

const PAD_FK = '50123456^01^20260312^20260312^00^^00^00^^^00^'.padEnd(100, ' ');
const PAD_NK = '0000000015'.padEnd(100, ' ');
function ccldRow(odno: string, rmn: string) {
  return {
    ord_dt: '20260312', ord_gno_brno: '00950', odno, orgn_odno: '', ord_dvsn_cd: '00', sll_buy_dvsn_cd: '02', pdno: '005930', prdt_name: 'x',
    ord_qty: '10', ord_unpr: '70000', ord_tmd: `09${odno.slice(-4)}`, tot_ccld_qty: '0', tot_ccld_amt: '0', avg_prvs: '0', rmn_qty: rmn,
    cncl_cfrm_qty: '0', rjct_qty: '0',
  };
}

describe('KIS client continuation paging', () => {
  it('sends the cursor back verbatim, padding included, with tr_cont N (§2.6)', async () => {
    const m = createMockKis((r, n) => {
      if (r.path === '/oauth2/tokenP') return tokenReply();
      if (n === 1) return ok({ ctx_area_fk100: PAD_FK, ctx_area_nk100: PAD_NK, output1: [ccldRow('0000000002', '0')], output2: {} }, { tr_cont: 'M' });
      return ok({ ctx_area_fk100: PAD_FK, ctx_area_nk100: ''.padEnd(100, ' '), output1: [ccldRow('0000000001', '10')], output2: {} }, { tr_cont: 'D' });
    }, { env: 'paper' });
    const orders = await m.client.broker.dailyOrders(tradingDate('20260312'));
    expect(orders.map((o) => o.venueOrderId)).toEqual(['0000000001', '0000000002']);
    const [p1, p2] = m.to('/uapi/domestic-stock/v1/trading/inquire-daily-ccld');
    expect(p1?.headers.tr_id).toBe('VTTC0081R');
    expect(p1?.headers.tr_cont).toBe('');
    expect(p1?.query.get('CTX_AREA_FK100')).toBe('');
    expect(p1?.query.get('EXCG_ID_DVSN_CD')).toBe('KRX');
    expect(p2?.headers.tr_cont).toBe('N');
    expect(p2?.query.get('CTX_AREA_FK100')).toBe(PAD_FK);
    expect(p2?.query.get('CTX_AREA_NK100')).toBe(PAD_NK);
  });

  it('stops at the page cap instead of returning a partial list', async () => {
    const m = createMockKis((r) => (r.path === '/oauth2/tokenP' ? tokenReply()
      : ok({ ctx_area_fk100: PAD_FK, ctx_area_nk100: PAD_NK, output1: [ccldRow('0000000001', '0')], output2: {} }, { tr_cont: 'F' })), { maxPages: 3 });
    expect((await caught(m.client.broker.dailyOrders(tradingDate('20260312')))).code).toBe('KIS_PAGE_LIMIT');
    expect(m.to('/uapi/domestic-stock/v1/trading/inquire-daily-ccld')).toHaveLength(3);
  });

  it('uses the > 3 months TR for old dates', async () => {
    const m = createMockKis((r) => (r.path === '/oauth2/tokenP' ? tokenReply() : ok({ output1: [], output2: {} }, { tr_cont: 'D' })));
    await m.client.broker.dailyOrders(tradingDate('20251201'));
    await m.client.broker.dailyOrders(tradingDate('20251215'));
    expect(m.to('/uapi/domestic-stock/v1/trading/inquire-daily-ccld').map((r) => r.headers.tr_id)).toEqual(['CTSC9215R', 'TTTC0081R']);
  });

  it('derives open orders on paper from daily orders with rmn_qty > 0', async () => {
    const m = createMockKis((r) => (r.path === '/oauth2/tokenP' ? tokenReply()
      : ok({ output1: [ccldRow('0000000001', '10'), ccldRow('0000000002', '0')], output2: {} }, { tr_cont: 'D' })), { env: 'paper' });
    const open = await m.client.broker.openOrders();
    expect(open.map((o) => o.venueOrderId)).toEqual(['0000000001']);
    expect(m.to('/uapi/domestic-stock/v1/trading/inquire-psbl-rvsecncl')).toHaveLength(0);
  });
});

describe('KIS buying power (inquire-psbl-order, docs/kis-wire.md §7.5)', () => {
  const PSBL_PATH = '/uapi/domestic-stock/v1/trading/inquire-psbl-order';
  const reply = (r: Recorded): Reply => (r.path === '/oauth2/tokenP' ? tokenReply()
    : ok({ output: { nrcvb_buy_amt: '4980172', nrcvb_buy_qty: '53', psbl_qty_calc_unpr: '93300' } }));

  // The workbook (매수가능조회): a per-stock quantity reflects the stock's margin rate only with
  // ORD_DVSN 01; 00 (limit) ignores it, so "반드시" 01 — for a limit entry too.
  it('queries a limit entry per stock with ORD_DVSN 01 and the limit price', async () => {
    const m = createMockKis(reply);
    const bp = await m.client.broker.buyingPower(stockCode('005930'), 'limit', krw(72200), { lane: 'signal' });
    expect(bp).toEqual({ cash: 4980172, maxQty: 53, unitPrice: 93300 });
    const [q] = m.to(PSBL_PATH);
    expect(q?.headers.tr_id).toBe('TTTC8908R');
    expect([...q!.query]).toEqual([['CANO', '50123456'], ['ACNT_PRDT_CD', '01'], ['PDNO', '005930'], ['ORD_UNPR', '72200'],
      ['ORD_DVSN', '01'], ['CMA_EVLU_AMT_ICLD_YN', 'N'], ['OVRS_ICLD_YN', 'N']]);
  });

  it('queries a market entry with ORD_DVSN 01 and ORD_UNPR "0", as the workbook example', async () => {
    const m = createMockKis(reply);
    await m.client.broker.buyingPower(stockCode('005930'), 'market', krw(0));
    const [q] = m.to(PSBL_PATH);
    expect(q?.query.get('ORD_DVSN')).toBe('01');
    expect(q?.query.get('ORD_UNPR')).toBe('0');
  });
});
