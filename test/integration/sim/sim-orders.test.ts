import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { tradingDate } from '../../../src/domain/index.js';
import { PATHS, at, balanceQuery, ccldQuery, orderBody, priceQuery, rows2, startSim } from './sim-client.js';
import type { Harness } from './sim-client.js';
import type { SimVariantName } from '../../../src/sim/index.js';

const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../../fixtures/kis/${name}`, import.meta.url), 'utf8')) as Record<string, unknown>;

let h: Harness | null = null;
afterEach(async () => {
  await h?.sim.stop();
  h = null;
});

async function live(start = at('100000'), variant: SimVariantName = 'workbook'): Promise<{ h: Harness; token: string }> {
  h = await startSim({ env: 'live', start, variant });
  return { h, token: await h.token() };
}

/** What a new order's row carries in each variant (src/sim/variants.ts, docs/kis-wire.md). */
const SHAPES = [
  { variant: 'workbook', orgn: '', notCancelled: '', expiredIn: 'cncl_cfrm_qty' },
  { variant: 'captured', orgn: '0000000000', notCancelled: 'N', expiredIn: 'rjct_qty' },
] as const;

describe('sim order entry (docs/kis-wire.md §7.2, §5.2, §11)', () => {
  it('fills a market buy at the ask and shows it in inquire-daily-ccld and inquire-balance', async () => {
    const { h, token } = await live();
    const ask = h.sim.market.book('005930').asks[0]!;
    expect(ask.qty).toBeGreaterThanOrEqual(10);
    const r = await h.post(PATHS.orderCash, orderBody(), h.headers('TTTC0012U', token));
    expect(r.status).toBe(200);
    expect(Object.keys(r.body)).toEqual(Object.keys(fixture('domestic-order-cash.json')));
    expect(r.body).toMatchObject({ rt_cd: '0', msg_cd: 'APBK0013', msg1: '주문 전송 완료 되었습니다.' });
    expect(r.body.output.KRX_FWDG_ORD_ORGNO).toBe('06010');
    expect(r.body.output.ODNO).toMatch(/^\d{10}$/);
    expect(r.body.output.ORD_TMD).toBe('100000');
    expect(h.sim.exchange.ordersReceived).toBe(1);

    const ccld = await h.get(PATHS.dailyCcld, ccldQuery(), h.headers('TTTC0081R', token));
    expect(ccld.status).toBe(200);
    expect(ccld.headers.tr_cont).toBe('D');
    expect(ccld.body.msg1).toHaveLength(80);
    const rows = ccld.body.output1 ;
    expect(rows).toHaveLength(1);
    const row = rows[0]!;
    expect(Object.keys(row).sort()).toEqual(Object.keys((fixture('domestic-inquire-daily-ccld.json').output1 as object[])[0]!).sort());
    expect(row).toMatchObject({ odno: r.body.output.ODNO, ord_qty: '10', tot_ccld_qty: '10', rmn_qty: '0', avg_prvs: String(ask.price), ord_dvsn_cd: '01' });
    expect(row.tot_ccld_amt).toBe(String(ask.price * 10));
    expect(ccld.body.ctx_area_fk100).toHaveLength(100);
    expect(ccld.body.ctx_area_nk100).toBe(' '.repeat(100));

    const bal = await h.get(PATHS.balance, balanceQuery(), h.headers('TTTC8434R', token));
    const holding = (bal.body.output1 ).find((x) => x.pdno === '005930')!;
    expect(holding).toMatchObject({ hldg_qty: '10', ord_psbl_qty: '10', thdt_buyqty: '10', pchs_amt: String(ask.price * 10) });
    const commission = Math.floor((ask.price * 10 * 141) / 1_000_000);
    const out2 = rows2(bal.body)[0]!;
    expect(out2.dnca_tot_amt).toBe('100000000');
    expect(out2.prvs_rcdl_excc_amt).toBe(String(100_000_000 - ask.price * 10 - commission));
    expect(out2.thdt_tlex_amt).toBe(String(commission));
    expect(Object.keys(out2).sort()).toEqual(Object.keys((fixture('domestic-inquire-balance.json').output2 as object[])[0]!).sort());
  });

  it('rejects a limit price off the tick grid (live message, paper 40030000)', async () => {
    const { h, token } = await live();
    const q = h.sim.market.quote('005930');
    expect(q.tick).toBeGreaterThan(1);
    const r = await h.post(PATHS.orderCash, orderBody({ ORD_DVSN: '00', ORD_UNPR: String(q.price + 1) }), h.headers('TTTC0012U', token));
    expect(r.status).toBe(200);
    expect(r.body.rt_cd).not.toBe('0');
    expect(r.body.msg1.trim()).toBe('주식주문호가단위 오류입니다.');
    expect(h.sim.exchange.ordersReceived).toBe(0);
    await h.sim.stop();

    const p = await startSim({ env: 'paper' });
    const ptoken = await p.token();
    const pr = await p.post(PATHS.orderCash, orderBody({ ORD_DVSN: '00', ORD_UNPR: String(q.price + 1) }), p.headers('VTTC0012U', ptoken));
    expect(pr.body.msg_cd).toBe('40030000');
    await p.sim.stop();
  });

  it('rejects bad quantities, a market order with a price, prices outside the limits, unknown stocks', async () => {
    const { h, token } = await live();
    const headers = h.headers('TTTC0012U', token);
    const q = h.sim.market.quote('005930');
    const codes = async (body: Record<string, string>) => ((await h.post(PATHS.orderCash, orderBody(body), headers)).body as { msg_cd: string }).msg_cd;
    expect(await codes({ ORD_QTY: '0' })).toBe('APBK0550');
    expect(await codes({ ORD_QTY: '1.5' })).toBe('APBK0550');
    expect(await codes({ ORD_UNPR: String(q.price) })).toBe('APBK0552');
    expect(await codes({ ORD_DVSN: '00', ORD_UNPR: String(q.upper + q.tick) })).toBe('APBK0506');
    expect(await codes({ PDNO: '999990' })).toBe('APBK0656');
    expect(h.sim.exchange.ordersReceived).toBe(0);
  });

  it('requires UPPERCASE body keys, string values and the key\'s own account', async () => {
    const { h, token } = await live();
    const headers = h.headers('TTTC0012U', token);
    const lower = Object.fromEntries(Object.entries(orderBody()).map(([k, v]) => [k.toLowerCase(), v]));
    const r1 = await h.post(PATHS.orderCash, lower, headers);
    expect(r1.body.msg_cd).toBe('OPSQ2001');
    const r2 = await h.post(PATHS.orderCash, { ...orderBody(), ORD_QTY: 10 }, headers);
    expect(r2.body.msg_cd).toBe('OPSQ2002');
    expect(r2.body.msg1).toContain('ORD_QTY');
    const r3 = await h.post(PATHS.orderCash, orderBody({ CANO: '50000001' }), headers);
    expect(r3.body.msg_cd).toBe('APAC0081');
    const r4 = await h.post(PATHS.orderCash, orderBody({ CANO: '5000' }), headers);
    expect(r4.body.msg_cd).toBe('OPSQ2000');
    expect(h.sim.exchange.ordersReceived).toBe(0);
  });

  it('refuses a buy beyond buying power (APBK0952, rt_cd 7) sizing market buys at the upper limit', async () => {
    const { h, token } = await live();
    const q = h.sim.market.quote('005930');
    const psbl = await h.get(PATHS.psblOrder, {
      CANO: '50000000', ACNT_PRDT_CD: '01', PDNO: '005930', ORD_UNPR: '', ORD_DVSN: '01', CMA_EVLU_AMT_ICLD_YN: 'N', OVRS_ICLD_YN: 'N',
    }, h.headers('TTTC8908R', token));
    expect(psbl.body.output.psbl_qty_calc_unpr).toBe(String(q.upper));
    const maxQty = Number(psbl.body.output.nrcvb_buy_qty);
    expect(maxQty).toBe(Math.floor(100_000_000 / (q.upper * 1.000141)));
    const tooMany = await h.post(PATHS.orderCash, orderBody({ ORD_QTY: String(maxQty + 1) }), h.headers('TTTC0012U', token));
    expect(tooMany.body).toEqual(fixture('error-APBK0952-insufficient-funds.json'));
    const exact = await h.post(PATHS.orderCash, orderBody({ ORD_QTY: String(maxQty) }), h.headers('TTTC0012U', token));
    expect(exact.body.rt_cd).toBe('0');
  });

  it('sells reduce holdings and refuse more than the sellable quantity', async () => {
    const { h, token } = await live();
    await h.post(PATHS.orderCash, orderBody({ ORD_QTY: '10' }), h.headers('TTTC0012U', token));
    const over = await h.post(PATHS.orderCash, orderBody({ ORD_QTY: '11' }), h.headers('TTTC0011U', token));
    expect(over.body.msg_cd).toBe('APBK0986');
    const sell = await h.post(PATHS.orderCash, orderBody({ ORD_QTY: '4' }), h.headers('TTTC0011U', token));
    expect(sell.body.rt_cd).toBe('0');
    const holding = h.sim.exchange.holdings('50000000-01').find((x) => x.symbol === '005930')!;
    expect(holding.qty).toBe(6);
    const trades = h.sim.exchange.trades('50000000-01');
    const sold = trades.find((t) => t.side === 'sell')!;
    expect(sold.tax).toBe(Math.floor((sold.amount * 2000) / 1_000_000));
  });

  it('answers the session rules: live APBK0919, paper 40570000 before the open, 40580000 after the close, 40100000 on a holiday', async () => {
    const early = await live(at('080000'));
    expect((await early.h.post(PATHS.orderCash, orderBody(), early.h.headers('TTTC0012U', early.token))).body.msg_cd).toBe('APBK0919');
    await early.h.sim.stop();

    const p = await startSim({ env: 'paper', start: at('085000'), tokenTtlSec: 7 * 86_400 });
    const token = await p.token();
    const send = async () => (await p.post(PATHS.orderCash, orderBody(), p.headers('VTTC0012U', token))).body;
    expect((await send()).msg_cd).toBe('40570000');
    p.clock.set(at('100000'));
    const okReply = await send();
    expect(okReply).toMatchObject({ rt_cd: '0', msg_cd: '40600000', msg1: '모의투자 매수주문이 완료 되었습니다.', output: { KRX_FWDG_ORD_ORGNO: '00950' } });
    p.clock.set(at('153100'));
    expect(await send()).toEqual(fixture('error-paper-40580000-market-closed.json'));
    p.clock.set(at('100000', tradingDate('20260314')));
    expect((await send()).msg_cd).toBe('40100000');
    await p.sim.stop();
  });

  it.each(SHAPES)('lets a resting limit order expire at the close: rmn_qty 0, the rest shown, no cancel row ($variant)', async (shape) => {
    const { h, token } = await live(at('100000'), shape.variant);
    const q = h.sim.market.quote('005930');
    const r = await h.post(PATHS.orderCash, orderBody({ ORD_DVSN: '00', ORD_UNPR: String(q.lower), ORD_QTY: '3' }), h.headers('TTTC0012U', token));
    expect(r.body.rt_cd).toBe('0');
    const open = await h.get(PATHS.dailyCcld, ccldQuery({ CCLD_DVSN: '02' }), h.headers('TTTC0081R', token));
    expect((open.body.output1 )[0]).toMatchObject({ rmn_qty: '3', tot_ccld_qty: '0' });
    h.clock.set(at('160000'));
    const after = await h.get(PATHS.dailyCcld, ccldQuery(), h.headers('TTTC0081R', token));
    const rows = after.body.output1 ;
    expect(rows).toHaveLength(1);
    const rest = shape.expiredIn === 'cncl_cfrm_qty' ? { cncl_cfrm_qty: '3', rjct_qty: '0' } : { cncl_cfrm_qty: '0', rjct_qty: '3' };
    expect(rows[0]).toMatchObject({ ord_qty: '3', tot_ccld_qty: '0', rmn_qty: '0', cncl_yn: shape.notCancelled, orgn_odno: shape.orgn, ...rest });
    expect(h.sim.exchange.cash('50000000-01').reserved).toBe(0);
  });

  it.each(SHAPES)('cancels the rest of a working order with a new order number pointing at the original ($variant)', async (shape) => {
    const { h, token } = await live(at('100000'), shape.variant);
    const q = h.sim.market.quote('005930');
    const placed = await h.post(PATHS.orderCash, orderBody({ ORD_DVSN: '00', ORD_UNPR: String(q.lower), ORD_QTY: '5' }), h.headers('TTTC0012U', token));
    const odno = placed.body.output.ODNO!;
    const cancel = await h.post(PATHS.rvsecncl, {
      CANO: '50000000', ACNT_PRDT_CD: '01', KRX_FWDG_ORD_ORGNO: '06010', ORGN_ODNO: odno, ORD_DVSN: '00', RVSE_CNCL_DVSN_CD: '02',
      ORD_QTY: '0', ORD_UNPR: '0', QTY_ALL_ORD_YN: 'Y',
    }, h.headers('TTTC0013U', token));
    expect(cancel.body).toMatchObject({ rt_cd: '0', msg_cd: 'APBK0013' });
    expect(cancel.body.output.ODNO! > odno).toBe(true);
    const rows = (await h.get(PATHS.dailyCcld, ccldQuery({ INQR_DVSN: '01' }), h.headers('TTTC0081R', token))).body.output1 ;
    expect(rows.map((r) => [r.odno, r.orgn_odno, r.ord_qty, r.cncl_cfrm_qty, r.rmn_qty, r.cncl_yn])).toEqual([
      [odno, shape.orgn, '5', '5', '0', shape.notCancelled],
      [cancel.body.output.ODNO, odno, '5', '5', '0', 'Y'],
    ]);
    const again = await h.post(PATHS.rvsecncl, {
      CANO: '50000000', ACNT_PRDT_CD: '01', KRX_FWDG_ORD_ORGNO: '06010', ORGN_ODNO: odno, ORD_DVSN: '00', RVSE_CNCL_DVSN_CD: '02',
      ORD_QTY: '0', ORD_UNPR: '0', QTY_ALL_ORD_YN: 'Y',
    }, h.headers('TTTC0013U', token));
    expect(again.body.rt_cd).not.toBe('0');
  });

  it.each(SHAPES)('modifies a working order: a new order at the new price carries the rest ($variant)', async (shape) => {
    const { h, token } = await live(at('100000'), shape.variant);
    const q = h.sim.market.quote('005930');
    const placed = await h.post(PATHS.orderCash, orderBody({ ORD_DVSN: '00', ORD_UNPR: String(q.lower), ORD_QTY: '5' }), h.headers('TTTC0012U', token));
    const odno = placed.body.output.ODNO!;
    const price = q.lower + q.tick;
    const modify = await h.post(PATHS.rvsecncl, {
      CANO: '50000000', ACNT_PRDT_CD: '01', KRX_FWDG_ORD_ORGNO: '06010', ORGN_ODNO: odno, ORD_DVSN: '00', RVSE_CNCL_DVSN_CD: '01',
      ORD_QTY: '3', ORD_UNPR: String(price), QTY_ALL_ORD_YN: 'N',
    }, h.headers('TTTC0013U', token));
    expect(modify.body).toMatchObject({ rt_cd: '0', msg_cd: 'APBK0013' });
    const rows = (await h.get(PATHS.dailyCcld, ccldQuery({ INQR_DVSN: '01' }), h.headers('TTTC0081R', token))).body.output1;
    expect(rows.map((r) => [r.orgn_odno, r.ord_qty, r.ord_unpr, r.rmn_qty, r.cncl_cfrm_qty, r.sll_buy_dvsn_cd_name])).toEqual([
      [shape.orgn, '5', String(q.lower), '2', '3', '현금매수'],
      [odno, '3', String(price), '3', '0', '매수정정*'],
    ]);
    const offTick = await h.post(PATHS.rvsecncl, {
      CANO: '50000000', ACNT_PRDT_CD: '01', KRX_FWDG_ORD_ORGNO: '06010', ORGN_ODNO: odno, ORD_DVSN: '00', RVSE_CNCL_DVSN_CD: '01',
      ORD_QTY: '1', ORD_UNPR: String(price + 1), QTY_ALL_ORD_YN: 'N',
    }, h.headers('TTTC0013U', token));
    expect(offTick.body.msg1.trim()).toBe('주식주문호가단위 오류입니다.');
  });

  it('fills a resting limit buy only after the market trades below it', async () => {
    const { h, token } = await live(at('090500'));
    const date = tradingDate('20260312');
    // find a symbol whose path dips at least two ticks below the 09:05 price later in the day
    const found = h.sim.market.symbols().map((s) => {
      const start = h.sim.market.minuteTick(s.code, date, 5).last;
      const steps = h.sim.market.steps(date);
      for (let k = 6; k < steps; k++) {
        const t = h.sim.market.minuteTick(s.code, date, k);
        if (t.last < start) return { code: s.code, limit: start, k, firstBelow: t.at };
      }
      return null;
    }).find((x) => x !== null)!;
    expect(found).toBeDefined();
    const r = await h.post(PATHS.orderCash, orderBody({ PDNO: found.code, ORD_DVSN: '00', ORD_UNPR: String(found.limit), ORD_QTY: '1' }), h.headers('TTTC0012U', token));
    expect(r.body.rt_cd).toBe('0');
    h.clock.set((found.firstBelow - 1) as typeof found.firstBelow);
    expect(h.sim.exchange.orders('50000000-01', date)[0]!.filledQty).toBe(0);
    h.clock.set(found.firstBelow);
    const view = h.sim.exchange.orders('50000000-01', date)[0]!;
    expect(view.filledQty).toBe(1);
    expect(view.filledValue).toBe(found.limit);
  });

  it('reports quotes consistent with the market and the fixture field set', async () => {
    const { h, token } = await live();
    const r = await h.get(PATHS.price, priceQuery(), h.headers('FHKST01010100', token));
    const q = h.sim.market.quote('005930');
    expect(r.body.output.stck_prpr).toBe(String(q.price));
    expect(r.body.output.aspr_unit).toBe(String(q.tick));
    expect(Object.keys(r.body.output as object).sort()).toEqual(Object.keys(fixture('domestic-inquire-price.json').output as object).sort());
    for (const v of Object.values(r.body.output as object)) expect(typeof v).toBe('string');
  });

  it('an order the exchange refuses after acceptance shows its quantity as rjct_qty and frees its cash', async () => {
    const { h, token } = await live();
    h.sim.faults.inject('reject-after-accept:order-cash:1');
    const q = h.sim.market.quote('005930');
    const r = await h.post(PATHS.orderCash, orderBody({ ORD_DVSN: '00', ORD_UNPR: String(q.lower), ORD_QTY: '4' }), h.headers('TTTC0012U', token));
    expect(r.body).toMatchObject({ rt_cd: '0', msg_cd: 'APBK0013' });
    const rows = (await h.get(PATHS.dailyCcld, ccldQuery(), h.headers('TTTC0081R', token))).body.output1;
    expect(rows[0]).toMatchObject({ odno: r.body.output.ODNO, ord_qty: '4', rmn_qty: '0', rjct_qty: '4', cncl_cfrm_qty: '0', tot_ccld_qty: '0' });
    expect(h.sim.exchange.cash('50000000-01').reserved).toBe(0);
  });
});
