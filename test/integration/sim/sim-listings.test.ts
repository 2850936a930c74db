import { afterEach, describe, expect, it } from 'vitest';
import type { SimSymbol } from '../../../src/synthetic/index.js';
import { epochMs } from '../../../src/domain/index.js';
import { DAY, PATHS, at, orderBody, priceQuery, startSim } from './sim-client.js';
import type { Harness, Row } from './sim-client.js';

/**
 * The listings an autonomous buyer must not touch (issue 8 §4, §6): the simulator lists them,
 * reports them in inquire-price's status fields, leaves them out of volume-rank when the exclusion
 * flags ask, refuses malformed flags, and takes no order in a suspended stock.
 */
let h: Harness | null = null;
afterEach(async () => {
  await h?.sim.stop();
  h = null;
});

async function live(start = at('100000')): Promise<{ h: Harness; token: string }> {
  h = await startSim({ env: 'live', start });
  return { h, token: await h.token() };
}

const volumeQuery = (exclude: string, extra: Record<string, string> = {}) => ({
  FID_COND_MRKT_DIV_CODE: 'J', FID_COND_SCR_DIV_CODE: '20171', FID_INPUT_ISCD: '0000', FID_DIV_CLS_CODE: '0', FID_BLNG_CLS_CODE: '0',
  FID_TRGT_CLS_CODE: '111111111', FID_TRGT_EXLS_CLS_CODE: exclude, FID_INPUT_PRICE_1: '', FID_INPUT_PRICE_2: '', FID_VOL_CNT: '',
  FID_INPUT_DATE_1: '', ...extra,
});

const fluctuationQuery = (exclude: string) => ({
  fid_cond_mrkt_div_code: 'J', fid_cond_scr_div_code: '20170', fid_input_iscd: '0000', fid_rank_sort_cls_code: '0', fid_input_cnt_1: '0',
  fid_prc_cls_code: '1', fid_input_price_1: '', fid_input_price_2: '', fid_vol_cnt: '', fid_trgt_cls_code: '0',
  fid_trgt_exls_cls_code: exclude, fid_div_cls_code: '0', fid_rsfl_rate1: '', fid_rsfl_rate2: '',
});

/**
 * Workbook sheet 거래량순위, FID_TRGT_EXLS_CLS_CODE: "1 or 0 10자리 (차례대로 투자위험/경고/주의 관리종목
 * 정리매매 불성실공시 우선주 거래정지 ETF ETN 신용주문불가 SPAC)" — written out here once more, by hand.
 */
const POSITIONS: readonly [string, (s: SimSymbol) => boolean][] = [
  ['investment risk/warning/caution', (s) => s.designations.some((d) => d === 'investment-risk' || d === 'investment-warning' || d === 'investment-caution')],
  ['administrative', (s) => s.designations.includes('administrative')],
  ['liquidation trading', (s) => s.designations.includes('liquidation-trading')],
  ['unfaithful disclosure', (s) => s.designations.includes('unfaithful-disclosure')],
  ['preferred', (s) => s.product === 'preferred'],
  ['halted', (s) => s.designations.includes('halted')],
  ['ETF', (s) => s.product === 'etf'],
  ['ETN', (s) => s.product === 'etn'],
  ['credit not allowed', (s) => !s.creditAllowed],
  ['SPAC', (s) => s.product === 'spac'],
];

const flag = (i: number) => '0'.repeat(i) + '1' + '0'.repeat(9 - i);

describe('sim: volume-rank exclusion flags (docs/kis-wire.md §6.5)', () => {
  it.each(POSITIONS.map(([name], i) => ({ name, i })))('position $i leaves out $name, and only that', async ({ i }) => {
    const { h, token } = await live();
    const [, isKind] = POSITIONS[i]!;
    const listings = h.sim.market.symbols().filter(isKind);
    expect(listings.length).toBeGreaterThan(0);
    for (const s of listings) {
      // a price band of one price: the listing is certainly in the top 30 of its own band
      const price = String(h.sim.market.quote(s.code).price);
      const band = { FID_INPUT_PRICE_1: price, FID_INPUT_PRICE_2: price };
      const codes = async (exclude: string) => {
        const r = await h.get(PATHS.volumeRank, volumeQuery(exclude, band), h.headers('FHPST01710000', token));
        expect(r.body.rt_cd).toBe('0');
        return (r.body.output as unknown as Row[]).map((x) => x.mksc_shrn_iscd);
      };
      expect(await codes('0000000000')).toContain(s.code);
      expect(await codes(flag(i))).not.toContain(s.code);
      // the other nine positions do not touch a listing that is not of their kind
      const others = POSITIONS.map(([, k], j) => (j !== i && !k(s) ? '1' : '0')).join('');
      expect(await codes(others)).toContain(s.code);
    }
  });

  it('lists flagged kinds with no exclusion, and none of them with every position set', async () => {
    const { h, token } = await live();
    const rows = async (exclude: string, sort: string) => {
      const r = await h.get(PATHS.volumeRank, volumeQuery(exclude, { FID_BLNG_CLS_CODE: sort }), h.headers('FHPST01710000', token));
      expect(r.body.rt_cd).toBe('0');
      return (r.body.output as unknown as Row[]).map((x) => h.sim.market.symbol(x.mksc_shrn_iscd!)!);
    };
    const flagged = (s: SimSymbol) => POSITIONS.some(([, k]) => k(s));
    const open = [...await rows('0000000000', '0'), ...await rows('0000000000', '3')];
    expect(open.filter(flagged).length).toBeGreaterThan(3);
    const closed = [...await rows('1111111111', '0'), ...await rows('1111111111', '3')];
    expect(closed).toHaveLength(60);
    expect(closed.filter(flagged).map((s) => s.code)).toEqual([]);
  });

  it.each(['', '0', '000000', '000000000', '00000000000', '000000000a', '0000000002', ' 000000000', '1111 11111'])(
    'refuses the malformed code "%s" like a KIS invalid-parameter answer', async (code) => {
      const { h, token } = await live();
      const r = await h.get(PATHS.volumeRank, volumeQuery(code), h.headers('FHPST01710000', token));
      expect(r.status).toBe(200);
      expect(r.body).toEqual({ rt_cd: '1', msg_cd: 'OPSQ2002', msg1: 'ERROR : INPUT FIELD VALUE [FID_TRGT_EXLS_CLS_CODE]' });
    },
  );

  it('fluctuation: accepts only the documented 0, which excludes nothing (§6.6)', async () => {
    const { h, token } = await live();
    const path = '/uapi/domestic-stock/v1/ranking/fluctuation';
    const okReply = await h.get(path, fluctuationQuery('0'), h.headers('FHPST01700000', token));
    expect(okReply.body.rt_cd).toBe('0');
    for (const code of ['0000000000', '1111111101', '']) {
      const r = await h.get(path, fluctuationQuery(code), h.headers('FHPST01700000', token));
      expect(r.body).toEqual({ rt_cd: '1', msg_cd: 'OPSQ2002', msg1: 'ERROR : INPUT FIELD VALUE [fid_trgt_exls_cls_code]' });
    }
  });
});

describe('sim: status fields of inquire-price (docs/kis-wire.md §6.1)', () => {
  const STATUS = ['iscd_stat_cls_code', 'temp_stop_yn', 'mrkt_warn_cls_code', 'vi_cls_code', 'short_over_yn', 'sltr_yn', 'mang_issu_cls_code', 'crdt_able_yn'];

  it.each([
    { code: '005930', want: ['55', 'N', '00', 'N', 'N', 'N', 'N', 'Y'] },
    { code: '500010', want: ['51', 'N', '00', 'N', 'N', 'N', 'Y', 'N'] },
    { code: '500020', want: ['52', 'N', '03', 'N', 'N', 'N', 'N', 'N'] },
    { code: '500030', want: ['53', 'N', '02', 'N', 'N', 'N', 'N', 'N'] },
    { code: '500040', want: ['54', 'N', '01', 'N', 'N', 'N', 'N', 'Y'] },
    { code: '500050', want: ['51', 'N', '00', 'N', 'N', 'Y', 'Y', 'N'] },
    { code: '500070', want: ['58', 'N', '00', 'N', 'N', 'N', 'N', 'N'] },
    { code: '500080', want: ['59', 'N', '00', 'N', 'Y', 'N', 'N', 'N'] },
    { code: '500100', want: ['57', 'N', '00', 'N', 'N', 'N', 'N', 'N'] },
  ])('$code reports $want', async ({ code, want }) => {
    const { h, token } = await live(at('100500'));
    const r = await h.get(PATHS.price, priceQuery(code), h.headers('FHKST01010100', token));
    expect(r.body.rt_cd).toBe('0');
    expect(STATUS.map((f) => r.body.output[f])).toEqual(want);
  });

  it('shows a two-minute VI every half hour of the session on the VI-prone listing only', async () => {
    const { h, token } = await live(at('100000'));
    const vi = async (code: string) => (await h.get(PATHS.price, priceQuery(code), h.headers('FHKST01010100', token))).body.output.vi_cls_code;
    expect(await vi('500090')).toBe('1');
    expect(await vi('005930')).toBe('N');
    h.clock.set(at('100159'));
    expect(await vi('500090')).toBe('1');
    h.clock.set(at('100200'));
    expect(await vi('500090')).toBe('N');
    h.clock.set(at('103000'));
    expect(await vi('500090')).toBe('1');
    // no VI outside continuous trading
    h.clock.set(at('160000'));
    expect(await vi('500090')).toBe('N');
  });

  it('lists ETNs under Q codes and the other kinds under six characters', async () => {
    const { h } = await live();
    const kinds = new Map(h.sim.market.symbols().map((s) => [s.code as string, s.product]));
    expect(kinds.get('Q500001')).toBe('etn');
    expect(kinds.get('0091C0')).toBe('etf');
    expect(kinds.get('0072Z0')).toBe('spac');
    expect(kinds.get('005935')).toBe('preferred');
    expect(kinds.get('005930')).toBe('stock');
  });
});

describe('sim: a suspended stock takes no order', () => {
  it('live refuses an order in it and books nothing', async () => {
    const { h, token } = await live();
    const r = await h.post(PATHS.orderCash, orderBody({ PDNO: '500070', ORD_QTY: '1' }), h.headers('TTTC0012U', token));
    expect(r.body.rt_cd).toBe('7');
    expect(r.body.msg1.trim()).toBe('매매거래정지 종목입니다.');
    expect(h.sim.exchange.ordersReceived).toBe(0);
  });

  it('paper refuses it with the paper message', async () => {
    h = await startSim({ env: 'paper', start: at('100000') });
    const token = await h.token();
    const r = await h.post(PATHS.orderCash, orderBody({ PDNO: '500070', ORD_QTY: '1' }), h.headers('VTTC0012U', token));
    expect(r.body).toMatchObject({ rt_cd: '1', msg_cd: '40030000', msg1: '모의투자 주문처리가 안되었습니다(매매불가 종목)' });
    expect(h.sim.exchange.ordersReceived).toBe(0);
  });
});

describe('sim: a temporary halt (temp_stop_yn)', () => {
  it('shows Y inside its half hour, refuses orders then, and matches nothing resting through it', async () => {
    const { h, token } = await live(at('090000'));
    const code = '500110';
    const open = at('090000');
    const minute = (k: number) => epochMs(open + k * 60_000);
    const steps = h.sim.market.steps(DAY);
    const halted = Array.from({ length: steps }, (_, k) => k).filter((k) => h.sim.market.halted(code, minute(k)));
    expect(halted).toHaveLength(30);
    const from = halted[0]!;
    const to = halted.at(-1)! + 1;
    expect(to - from).toBe(30);

    // a limit buy resting from the minute before: the market trades below it inside the window,
    // so without the halt it would fill there
    const before = h.sim.market.minuteTick(code, DAY, from - 1);
    const lows = halted.map((k) => h.sim.market.minuteTick(code, DAY, k).last);
    const low = Math.min(...lows);
    const limit = low + h.sim.market.quote(code, minute(from - 1)).tick;
    expect(lows.some((p) => p < limit)).toBe(true);
    expect(limit).toBeLessThan(before.asks[0]!.price);
    h.clock.set(minute(from - 1));
    const placed = await h.post(PATHS.orderCash, orderBody({ PDNO: code, ORD_DVSN: '00', ORD_QTY: '1', ORD_UNPR: String(limit) }), h.headers('TTTC0012U', token));
    expect(placed.body.rt_cd).toBe('0');
    const stop = async () => (await h.get(PATHS.price, priceQuery(code), h.headers('FHKST01010100', token))).body.output.temp_stop_yn;
    const ranked = async (exclude: string) => {
      const price = String(h.sim.market.quote(code).price);
      const r = await h.get(PATHS.volumeRank, volumeQuery(exclude, { FID_INPUT_PRICE_1: price, FID_INPUT_PRICE_2: price }), h.headers('FHPST01710000', token));
      return (r.body.output as unknown as Row[]).some((x) => x.mksc_shrn_iscd === code);
    };
    expect(await stop()).toBe('N');
    expect(await ranked(flag(5))).toBe(true);

    h.clock.set(minute(from + 1));
    expect(await stop()).toBe('Y');
    // the halted position of the exclusion code leaves it out while the halt lasts
    expect(await ranked('0000000000')).toBe(true);
    expect(await ranked(flag(5))).toBe(false);
    const refused = await h.post(PATHS.orderCash, orderBody({ PDNO: code, ORD_QTY: '1' }), h.headers('TTTC0012U', token));
    expect(refused.body.msg1.trim()).toBe('매매거래정지 종목입니다.');

    h.clock.set(epochMs(minute(to) - 1));
    expect(h.sim.exchange.orders('50000000-01', DAY).map((o) => o.filledQty)).toEqual([0]);
    h.clock.set(minute(to));
    expect(await stop()).toBe('N');
  });
});
