import { afterEach, describe, expect, it } from 'vitest';
import { krw, tradingDate } from '../../../src/domain/index.js';
import { addTicks } from '../../../src/market/index.js';
import { CRED, DAY, PATHS, at, ccldQuery, orderBody, startSim } from './sim-client.js';
import type { Harness } from './sim-client.js';

/**
 * KRX market rules the simulator must not soften (issue 8 §6): the touch is not always one tick
 * wide, orders entered before 09:00 trade in the single-price opening auction, and a hashkey
 * that is sent must match the body (docs/kis-wire.md §6.2, §11.1, §3.4).
 */
let h: Harness | null = null;
afterEach(async () => {
  await h?.sim.stop();
  h = null;
});

const ACCOUNT = '50000000-01';

describe('sim spread wider than one tick (docs/kis-wire.md §6.2)', () => {
  it('leaves a buy priced one tick above the LAST price unfilled when the ask is further away; fills it when the touch is one tick', async () => {
    h = await startSim({ env: 'live', start: at('100000') });
    const m = h.sim.market;
    const steps = m.steps(DAY);
    // minute k ≥ 60 (10:00 and later) of a symbol, by whether its best ask is one tick above the last price
    const find = (wide: boolean) => {
      for (const s of m.symbols()) {
        for (let k = 60; k < steps - 10; k++) {
          const t = m.minuteTick(s.code, DAY, k);
          const ask = t.asks[0];
          if (!ask || t.last * 10 > 50_000_000) continue;
          if ((ask.price > addTicks(t.last, 1)) === wide) return { code: s.code, at: t.at, last: t.last, ask };
        }
      }
      return undefined;
    };
    const wide = find(true);
    const narrow = find(false);
    expect(wide).toBeDefined();
    expect(narrow).toBeDefined();

    const token = await h.token();
    const buy = async (x: NonNullable<typeof wide>) => {
      h!.clock.set(x.at);
      // what the daemon sends today: src/signals/pricing.ts without a book prices a buy at last + limitOffsetTicks (1)
      const price = addTicks(x.last, 1);
      const r = await h!.post(PATHS.orderCash, orderBody({ PDNO: x.code, ORD_DVSN: '00', ORD_UNPR: String(price), ORD_QTY: '10' }), h!.headers('TTTC0012U', token));
      expect(r.body.rt_cd).toBe('0');
      const rows = (await h!.get(PATHS.dailyCcld, ccldQuery({ ODNO: r.body.output.ODNO! }), h!.headers('TTTC0081R', token))).body.output1;
      return { price, row: rows.find((row) => row.odno === r.body.output.ODNO)! };
    };
    const missed = await buy(wide!);
    expect(missed.price).toBeLessThan(wide!.ask.price);
    expect(missed.row).toMatchObject({ ord_qty: '10', tot_ccld_qty: '0', rmn_qty: '10' });

    const hit = await buy(narrow!);
    expect(hit.price).toBe(narrow!.ask.price);
    expect(hit.row).toMatchObject({ tot_ccld_qty: String(Math.min(10, narrow!.ask.qty)), avg_prvs: String(narrow!.ask.price) });
  });
});

describe('sim opening call auction (docs/kis-wire.md §11.1)', () => {
  it('refuses orders before 08:30, holds those entered 08:30–09:00, then fills them all at one price at 09:00', async () => {
    const yesterday = tradingDate('20260311');
    h = await startSim({ env: 'live', start: at('100000', yesterday) });
    const token0 = await h.token();
    const bought = await h.post(PATHS.orderCash, orderBody({ ORD_QTY: '10' }), h.headers('TTTC0012U', token0));
    expect(bought.body.rt_cd).toBe('0');

    h.clock.set(at('082959'));
    const token = await h.token();
    const send = (extra: Record<string, string>, trId = 'TTTC0012U') => h!.post(PATHS.orderCash, orderBody(extra), h!.headers(trId, token));
    expect((await send({ ORD_QTY: '1' })).body.msg_cd).toBe('APBK0919');

    h.clock.set(at('083000'));
    const plan = h.sim.market.plan('005930', DAY);
    const placed = [
      await send({ ORD_DVSN: '00', ORD_UNPR: String(plan.upper), ORD_QTY: '3' }),
      await send({ ORD_DVSN: '00', ORD_UNPR: String(addTicks(plan.open, 2)), ORD_QTY: '2' }),
    ];
    h.clock.set(at('084000'));
    placed.push(await send({ ORD_DVSN: '01', ORD_UNPR: '0', ORD_QTY: '4' }));
    placed.push(await send({ ORD_DVSN: '00', ORD_UNPR: String(plan.lower), ORD_QTY: '5' }, 'TTTC0011U'));
    for (const r of placed) expect(r.body).toMatchObject({ rt_cd: '0', msg_cd: 'APBK0013' });

    const today = () => h!.sim.exchange.orders(ACCOUNT, DAY);
    h.clock.set(at('085959'));
    expect(today().map((o) => o.filledQty)).toEqual([0, 0, 0, 0]);
    expect(h.sim.exchange.trades(ACCOUNT).filter((t) => t.date === DAY)).toEqual([]);

    h.clock.set(at('090000'));
    expect(today().map((o) => [o.filledQty, o.status])).toEqual([[3, 'filled'], [2, 'filled'], [4, 'filled'], [5, 'filled']]);
    const fills = h.sim.exchange.trades(ACCOUNT).filter((t) => t.date === DAY);
    expect(fills).toHaveLength(4);
    // one price for buys and sells alike: the auction price, here the day's open (our orders are too small to move it)
    expect(new Set(fills.map((f) => f.price))).toEqual(new Set([plan.open]));
    expect(new Set(fills.map((f) => f.at))).toEqual(new Set([at('090000')]));
    expect(h.sim.market.quote('005930', at('090000')).open).toBe(plan.open);
  });

  it('paper takes no order before 09:00 (40570000), so nothing of paper goes through the auction', async () => {
    h = await startSim({ env: 'paper', start: at('084000') });
    const token = await h.token();
    const r = await h.post(PATHS.orderCash, orderBody({ ORD_DVSN: '00', ORD_UNPR: String(h.sim.market.plan('005930', DAY).upper) }), h.headers('VTTC0012U', token));
    expect(r.body.msg_cd).toBe('40570000');
    expect(h.sim.exchange.ordersReceived).toBe(0);
  });
});

describe('sim hashkey (docs/kis-wire.md §3.4)', () => {
  it('refuses an order whose body is not the one hashed (EGW00131), accepts the hashed body and one without hashkey', async () => {
    h = await startSim({ env: 'live', start: at('100000') });
    const token = await h.token();
    const limit = krw(h.sim.market.quote('005930').lower);
    const body = orderBody({ ORD_DVSN: '00', ORD_UNPR: String(limit), ORD_QTY: '1' });
    const hashed = await h.post('/uapi/hashkey', body, { appkey: CRED.appKey, appsecret: CRED.appSecret });
    expect(hashed.status).toBe(200);
    const hash = (hashed.body as unknown as { HASH: string }).HASH;
    expect(hash).toMatch(/^[0-9a-f]{64}$/);

    const tampered = await h.post(PATHS.orderCash, { ...body, ORD_QTY: '100' }, h.headers('TTTC0012U', token, { hashkey: hash }));
    expect(tampered.status).toBe(500);
    expect(tampered.body).toMatchObject({ rt_cd: '1', msg_cd: 'EGW00131' });
    expect(h.sim.exchange.ordersReceived).toBe(0);

    const rvse = await h.post(PATHS.rvsecncl, {
      CANO: '50000000', ACNT_PRDT_CD: '01', KRX_FWDG_ORD_ORGNO: '06010', ORGN_ODNO: '0000000001', ORD_DVSN: '00', RVSE_CNCL_DVSN_CD: '02',
      ORD_QTY: '0', ORD_UNPR: '0', QTY_ALL_ORD_YN: 'Y',
    }, h.headers('TTTC0013U', token, { hashkey: hash }));
    expect(rvse.body.msg_cd).toBe('EGW00131');

    const good = await h.post(PATHS.orderCash, body, h.headers('TTTC0012U', token, { hashkey: hash }));
    expect(good.body).toMatchObject({ rt_cd: '0', msg_cd: 'APBK0013' });
    const none = await h.post(PATHS.orderCash, { ...body, ORD_QTY: '2' }, h.headers('TTTC0012U', token));
    expect(none.body).toMatchObject({ rt_cd: '0', msg_cd: 'APBK0013' });
    expect(h.sim.exchange.orders(ACCOUNT, DAY).map((o) => o.qty)).toEqual([1, 2]);
  });
});
