import { afterEach, describe, expect, it } from 'vitest';
import { PATHS, ccldQuery, orderBody, startSim } from './sim-client.js';
import type { Harness } from './sim-client.js';

let h: Harness | null = null;
afterEach(async () => {
  await h?.sim.stop();
  h = null;
});

describe('sim pagination (docs/kis-wire.md §2.6)', () => {
  it('pages inquire-daily-ccld 15 rows at a time on paper with tr_cont and 100-character cursors', async () => {
    h = await startSim({ env: 'paper' });
    const token = await h.token();
    const lower = h.sim.market.quote('005930').lower;
    const placed: string[] = [];
    for (let i = 0; i < 18; i++) {
      const r = await h.post(PATHS.orderCash, orderBody({ ORD_DVSN: '00', ORD_UNPR: String(lower), ORD_QTY: '1' }), h.headers('VTTC0012U', token));
      expect(r.body.rt_cd).toBe('0');
      // paper acknowledgements may leave the zero padding off (captured variant); inquiries pad to ten digits
      placed.push(r.body.output.ODNO!.padStart(10, '0'));
    }
    expect([...placed].sort()).toEqual(placed);

    const first = await h.get(PATHS.dailyCcld, ccldQuery(), h.headers('VTTC0081R', token));
    expect(first.headers.tr_cont).toBe('F');
    expect(first.body.output1).toHaveLength(15);
    expect(first.body.ctx_area_fk100).toHaveLength(100);
    expect(first.body.ctx_area_nk100).toHaveLength(100);
    expect((first.body.ctx_area_nk100).trim()).not.toBe('');
    // totals cover every matching row, not just the page
    expect(first.body.output2.tot_ord_qty).toBe('18');

    // without tr_cont N the cursor is ignored and the first page comes back
    const noCont = await h.get(PATHS.dailyCcld, ccldQuery({ CTX_AREA_FK100: first.body.ctx_area_fk100, CTX_AREA_NK100: first.body.ctx_area_nk100 }),
      h.headers('VTTC0081R', token));
    expect(noCont.body.output1[0]?.odno).toBe(first.body.output1[0]?.odno);

    const second = await h.get(PATHS.dailyCcld, ccldQuery({ CTX_AREA_FK100: first.body.ctx_area_fk100, CTX_AREA_NK100: first.body.ctx_area_nk100 }),
      h.headers('VTTC0081R', token, { tr_cont: 'N' }));
    expect(second.headers.tr_cont).toBe('E');
    expect(second.body.output1).toHaveLength(3);
    expect(second.body.ctx_area_nk100).toBe(' '.repeat(100));
    const seen = [...first.body.output1, ...second.body.output1].map((r) => r.odno);
    // INQR_DVSN 00 is newest first
    expect(seen).toEqual([...placed].reverse());
  });

  it('returns a single page with tr_cont D when everything fits', async () => {
    h = await startSim({ env: 'live' });
    const token = await h.token();
    await h.post(PATHS.orderCash, orderBody(), h.headers('TTTC0012U', token));
    const r = await h.get(PATHS.dailyCcld, ccldQuery(), h.headers('TTTC0081R', token));
    expect(r.headers.tr_cont).toBe('D');
    expect(r.body.output1).toHaveLength(1);
  });
});
