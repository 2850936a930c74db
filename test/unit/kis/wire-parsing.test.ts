import { describe, expect, it } from 'vitest';
import { isAppError, stockCode, tradingDate } from '../../../src/domain/index.js';
import { parseBalancePage, parseBuyingPower, toAccountSnapshot } from '../../../src/kis/schemas/account.js';
import { parseOrderAck, parseDailyOrdersPage } from '../../../src/kis/schemas/orders.js';
import { parseDailyBarsPage, parseOrderBook, parseQuote } from '../../../src/kis/schemas/quotations.js';
import { parseRanking } from '../../../src/kis/schemas/rankings.js';
import { lowerKeys, scaledDecimal } from '../../../src/kis/schemas/wire.js';
import { kstInstant } from '../../../src/domain/index.js';

const ctx = { endpoint: 'test', trId: 'TR', status: 200 };
const now = kstInstant(tradingDate('20260312'), '140000');

function thrown(fn: () => unknown): unknown {
  try { fn(); } catch (e) { return e; }
  return undefined;
}

describe('scaledDecimal', () => {
  it.each([
    ['72300', 0, 72300], ['68450.0000', 0, 68450], ['135440.2517', 0, 135440], ['135440.5', 0, 135441],
    ['-0.46', 2, -46], [' 0.00', 2, 0], ['29.92', 2, 2992], ['75.085', 2, 7509], ['-184500', 0, -184500], ['.5', 0, 1],
  ])('%s × 10^%d = %d', (s, scale, want) => {
    expect(scaledDecimal(s.trim(), scale)).toBe(want);
  });
  it('rejects what is not a number', () => {
    expect(scaledDecimal('abc', 0)).toBeNull();
    expect(scaledDecimal('', 0)).toBeNull();
    expect(scaledDecimal('1e5', 0)).toBeNull();
  });
});

const priceOutput = {
  stck_prpr: '72300', prdy_ctrt: '0.70', stck_oprc: '71900', stck_hgpr: '72600', stck_lwpr: '71700', stck_sdpr: '71800',
  stck_mxpr: '93300', stck_llam: '50300', aspr_unit: '100', acml_vol: '8412556', acml_tr_pbmn: '606965915400', temp_stop_yn: 'N',
};

describe('wire parsing edge cases', () => {
  it('trims leading and trailing spaces in numbers and text', () => {
    const q = parseQuote(lowerKeys({ output: { ...priceOutput, stck_prpr: ' 72300 ', prdy_ctrt: ' -0.46' } }), stockCode('005930'), now, ctx);
    expect(q.price).toBe(72300);
    expect(q.changeBp).toBe(-46);
  });

  it('reads UPPERCASE keys (order responses, §2.4)', () => {
    const ack = parseOrderAck(lowerKeys({ rt_cd: '0', OUTPUT: { KRX_FWDG_ORD_ORGNO: '06010', ODNO: '0000031501', ORD_TMD: '140215' } }), now, ctx);
    expect(ack).toEqual({ venueOrderId: '0000031501', branch: '06010', acceptedAt: kstInstant(tradingDate('20260312'), '140215') });
  });

  it('keeps zero padding of order numbers and branch', () => {
    const ack = parseOrderAck(lowerKeys({ output: { krx_fwdg_ord_orgno: '00950', odno: '0000000001', ord_tmd: '' } }), now, ctx);
    expect(ack.venueOrderId).toBe('0000000001');
    expect(ack.branch).toBe('00950');
    expect(ack.acceptedAt).toBe(now);
  });

  it('maps "" to 0 for amounts and quantities', () => {
    const q = parseQuote(lowerKeys({ output: { ...priceOutput, acml_vol: '', acml_tr_pbmn: '' } }), stockCode('005930'), now, ctx);
    expect(q.volume).toBe(0);
    expect(q.tradedValue).toBe(0);
  });

  it('flags a halted stock from temp_stop_yn or status 58', () => {
    expect(parseQuote({ output: { ...priceOutput, temp_stop_yn: 'Y' } }, stockCode('005930'), now, ctx).halted).toBe(true);
    expect(parseQuote({ output: { ...priceOutput, iscd_stat_cls_code: '58' } }, stockCode('005930'), now, ctx).halted).toBe(true);
    expect(parseQuote({ output: priceOutput }, stockCode('005930'), now, ctx).halted).toBe(false);
  });

  it('refuses a fraction where whole won are expected, naming endpoint and field', () => {
    const e = thrown(() => parseQuote({ output: { ...priceOutput, stck_prpr: '72300.5' } }, stockCode('005930'), now, ctx));
    expect(isAppError(e, 'KIS_RESPONSE_INVALID')).toBe(true);
    expect((e as Error).message).toContain('test');
    expect((e as Error).message).toContain('output.stck_prpr');
    expect((e as Error).message).toContain('fraction');
  });

  it('names the missing field and never echoes values', () => {
    const { stck_mxpr: _drop, ...rest } = priceOutput;
    const e = thrown(() => parseQuote({ output: { ...rest, stck_prpr: 'SECRET-ish' } }, stockCode('005930'), now, ctx));
    expect(isAppError(e, 'KIS_RESPONSE_INVALID')).toBe(true);
    expect((e as Error).message).not.toContain('SECRET');
    expect((e as { details: Record<string, unknown> }).details).toMatchObject({ kind: 'invalid', endpoint: 'test', trId: 'TR' });
  });

  it('rounds decimal average prices explicitly (half up)', () => {
    const row = {
      pdno: '005930', prdt_name: '삼성전자', hldg_qty: '3', ord_psbl_qty: '3', pchs_amt: '205351', pchs_avg_pric: '68450.3333', prpr: '72300',
    };
    const page = parseBalancePage(lowerKeys({ output1: [row], output2: [{ dnca_tot_amt: '1', prvs_rcdl_excc_amt: '2', tot_evlu_amt: '3' }] }), ctx);
    expect(toAccountSnapshot(page.holdings, page.summary, now).holdings[0]?.avgPrice).toBe(68450);
  });

  it('merges cash and margin lots of one stock and drops zero rows', () => {
    const lot = (q: string, amt: string, lotType = '현금') => ({
      pdno: '005930', prdt_name: 'x', trad_dvsn_name: lotType, hldg_qty: q, ord_psbl_qty: q, pchs_amt: amt,
      pchs_avg_pric: q === '0' ? '0.0000' : String(Number(amt) / Number(q)), prpr: '70000',
    });
    const snap = toAccountSnapshot(parseBalancePage({
      output1: [lot('10', '700000'), lot('5', '352500', '자기융자'), { ...lot('0', '0'), pdno: '000660' }],
      output2: { dnca_tot_amt: '1', prvs_rcdl_excc_amt: '2', tot_evlu_amt: '3' },
    }, ctx).holdings, null, now);
    expect(snap.holdings).toHaveLength(1);
    expect(snap.holdings[0]).toMatchObject({ qty: 15, sellableQty: 15, avgPrice: 70167 });
  });

  it('skips blank daily-chart rows KIS pads short ranges with', () => {
    const bars = parseDailyBarsPage({ output2: [
      { stck_bsop_date: '20260312', stck_oprc: '1', stck_hgpr: '2', stck_lwpr: '1', stck_clpr: '2', acml_vol: '10', acml_tr_pbmn: '20' },
      {},
      { stck_bsop_date: '', stck_oprc: '', stck_hgpr: '', stck_lwpr: '', stck_clpr: '', acml_vol: '', acml_tr_pbmn: '' },
    ] }, stockCode('005930'), ctx);
    expect(bars.map((b) => b.date)).toEqual(['20260312']);
  });

  it('rejects a dated daily-chart row with a missing field', () => {
    const e = thrown(() => parseDailyBarsPage({ output2: [{ stck_bsop_date: '20260312', stck_oprc: '1' }] }, stockCode('005930'), ctx));
    expect((e as Error).message).toContain('output2[0].stck_hgpr');
  });

  it('reads both cncl_cfrm_qty and the sheet spelling cnc_cfrm_qty (§13.3)', () => {
    const row = {
      ord_dt: '20260312', ord_gno_brno: '06010', odno: '0000000007', orgn_odno: '', ord_dvsn_cd: '00', sll_buy_dvsn_cd: '02',
      pdno: '005930', prdt_name: 'x', ord_qty: '10', ord_unpr: '70000', ord_tmd: '090000', tot_ccld_qty: '4', tot_ccld_amt: '280000',
      avg_prvs: '70000', rmn_qty: '0', rjct_qty: '0',
    };
    expect(parseDailyOrdersPage({ output1: [{ ...row, cnc_cfrm_qty: '6' }] }, ctx)[0]?.cancelledQty).toBe(6);
    expect(parseDailyOrdersPage({ output1: [{ ...row, cncl_cfrm_qty: '6' }] }, ctx)[0]?.cancelledQty).toBe(6);
  });

  it('reads the volume ranking array under the sheet name `Output` (§13.2)', () => {
    const r = parseRanking('volume', lowerKeys({ Output: [{
      data_rank: '1', mksc_shrn_iscd: '005930', hts_kor_isnm: 'x', stck_prpr: '1000', prdy_ctrt: '1.5', acml_vol: '10', acml_tr_pbmn: '10000', vol_inrt: '',
    }] }), ctx);
    expect(r.rows[0]).toMatchObject({ symbol: '005930', changeBp: 150, volumeIncreaseBp: null });
  });

  it('skips ranking rows whose code is not a KRX short code instead of failing the scan', () => {
    const row = { data_rank: '1', stck_shrn_iscd: '12', hts_kor_isnm: 'x', stck_prpr: '1000', prdy_ctrt: '1.5', acml_vol: '10' };
    const r = parseRanking('fluctuation', { output: [row, { ...row, stck_shrn_iscd: '005930', data_rank: '2' }] }, ctx);
    expect(r.rows.map((x) => x.symbol)).toEqual(['005930']);
    expect(r.skipped).toEqual(['12']);
  });
});

/** The problem of a refused body: KIS_RESPONSE_INVALID (classified 'invalid', §5), at `path`. */
function refusal(fn: () => unknown): { path: string; problem: string } {
  const e = thrown(fn);
  expect(isAppError(e, 'KIS_RESPONSE_INVALID')).toBe(true);
  const d = (e as { details: { kind: string; path: string; problem: string } }).details;
  expect(d.kind).toBe('invalid');
  return { path: d.path, problem: d.problem };
}

describe('numbers KIS cannot mean are refused at the parser (issue #8 §5)', () => {
  const symbol = stockCode('005930');
  const quote = (o: Record<string, string>) => () => parseQuote({ output: { ...priceOutput, ...o } }, symbol, now, ctx);

  it.each([
    ['a negative price', { stck_prpr: '-72300' }, 'output.stck_prpr'],
    ['a zero price', { stck_prpr: '0' }, 'output.stck_prpr'],
    ['a price above the upper limit', { stck_prpr: '93400' }, 'output.stck_prpr'],
    ['a price below the lower limit', { stck_prpr: '50200' }, 'output.stck_prpr'],
    ['a high above the upper limit', { stck_hgpr: '99000' }, 'output.stck_hgpr'],
    ['a negative open', { stck_oprc: '-1' }, 'output.stck_oprc'],
    ['a negative upper limit', { stck_mxpr: '-93300' }, 'output.stck_mxpr'],
    ['limits the wrong way round', { stck_mxpr: '50300', stck_llam: '93300' }, 'output.stck_llam'],
    ['a negative traded value', { acml_tr_pbmn: '-5' }, 'output.acml_tr_pbmn'],
    ['a fractional volume', { acml_vol: '10.5' }, 'output.acml_vol'],
    ['a negative volume', { acml_vol: '-10' }, 'output.acml_vol'],
  ])('quote: %s', (_name, o, path) => {
    expect(refusal(quote(o)).path).toBe(path);
  });

  it('quote: a price on either limit is fine, and open/high/low "0" before the first trade', () => {
    expect(quote({ stck_prpr: '93300', stck_hgpr: '93300' })().price).toBe(93300);
    expect(quote({ stck_prpr: '50300', stck_lwpr: '50300' })().price).toBe(50300);
    expect(quote({ stck_oprc: '0', stck_hgpr: '0', stck_lwpr: '0' })().open).toBe(0);
  });

  const emptyLevels = Object.fromEntries([1, 2, 3, 4, 5, 6, 7, 8, 9, 10].flatMap((i) => [`askp${i}`, `bidp${i}`, `askp_rsqn${i}`, `bidp_rsqn${i}`].map((k) => [k, '0'])));
  const book = (o: Record<string, string>) => () => parseOrderBook({ output1: { ...emptyLevels, askp1: '72400', askp_rsqn1: '100', bidp1: '72300', bidp_rsqn1: '50', ...o } }, symbol, now, ctx);
  it('order book: a negative level price or quantity is refused; "0" is an empty level', () => {
    expect(refusal(book({ askp1: '-72400' })).path).toBe('output1.askp1');
    expect(refusal(book({ bidp_rsqn1: '-50' })).path).toBe('output1.bidp_rsqn1');
    expect(book({ askp2: '0', askp_rsqn2: '0' })().asks).toEqual([{ price: 72400, qty: 100 }]);
  });

  const holding = { pdno: '005930', prdt_name: 'x', trad_dvsn_name: '현금', hldg_qty: '10', ord_psbl_qty: '10', pchs_amt: '700000', pchs_avg_pric: '70000.0000', prpr: '72300' };
  const summary = { dnca_tot_amt: '1000000', prvs_rcdl_excc_amt: '900000', tot_evlu_amt: '1623000' };
  const balance = (rows: unknown[], sum: Record<string, string> = summary) => () => parseBalancePage({ output1: rows, output2: [sum] }, ctx);

  it.each([
    ['negative cash (D+0)', [holding], { ...summary, dnca_tot_amt: '-1' }, 'output2[0].dnca_tot_amt'],
    ['negative D+2 cash', [holding], { ...summary, prvs_rcdl_excc_amt: '-900000' }, 'output2[0].prvs_rcdl_excc_amt'],
    ['a negative total', [holding], { ...summary, tot_evlu_amt: '-1' }, 'output2[0].tot_evlu_amt'],
    ['a fractional quantity', [{ ...holding, hldg_qty: '10.5' }], summary, 'output1[0].hldg_qty'],
    ['a negative sellable quantity', [{ ...holding, ord_psbl_qty: '-1' }], summary, 'output1[0].ord_psbl_qty'],
    ['a negative average price', [{ ...holding, pchs_avg_pric: '-70000.0000' }], summary, 'output1[0].pchs_avg_pric'],
    ['a held lot without a price', [{ ...holding, prpr: '0' }], summary, 'output1[0].prpr'],
    ['a negative purchase amount', [{ ...holding, pchs_amt: '-700000' }], summary, 'output1[0].pchs_amt'],
    ['the same stock and lot twice', [holding, { ...holding, hldg_qty: '5', ord_psbl_qty: '5', pchs_amt: '350000' }], summary, 'output1[1].pdno'],
  ])('balance: %s', (_name, rows, sum, path) => {
    expect(refusal(balance(rows, sum)).path).toBe(path);
  });

  it('balance: a cash and a margin lot of one stock are two rows, not a repeat (§7.1); sold rows are ignored', () => {
    const page = balance([holding, { ...holding, trad_dvsn_name: '자기융자' }, { ...holding, hldg_qty: '0', ord_psbl_qty: '0', pchs_amt: '0', pchs_avg_pric: '0.0000' }])();
    const snap = toAccountSnapshot(page.holdings, page.summary, now);
    expect(snap.holdings).toEqual([expect.objectContaining({ symbol: '005930', qty: 20 })]);
    expect(snap.cash).toBe(1_000_000);
  });

  it('buying power: negative cash is refused', () => {
    const bp = (o: Record<string, string>) => () => parseBuyingPower({ output: { nrcvb_buy_amt: '4980172', nrcvb_buy_qty: '53', psbl_qty_calc_unpr: '93300', ...o } }, ctx);
    expect(refusal(bp({ nrcvb_buy_amt: '-4980172' })).path).toBe('output.nrcvb_buy_amt');
    expect(refusal(bp({ nrcvb_buy_qty: '-53' })).path).toBe('output.nrcvb_buy_qty');
    expect(bp({})().cash).toBe(4980172);
  });

  const ccld = {
    ord_dt: '20260312', ord_gno_brno: '06010', odno: '0000000007', orgn_odno: '', ord_dvsn_cd: '00', sll_buy_dvsn_cd: '02',
    pdno: '005930', prdt_name: 'x', ord_qty: '10', ord_unpr: '70000', ord_tmd: '090000', tot_ccld_qty: '4', tot_ccld_amt: '280000',
    avg_prvs: '70000', rmn_qty: '6', rjct_qty: '0',
  };
  it.each([
    ['a negative order price', { ord_unpr: '-70000' }, 'output1[0].ord_unpr'],
    ['a negative fill amount', { tot_ccld_amt: '-280000' }, 'output1[0].tot_ccld_amt'],
    ['a negative average fill price', { avg_prvs: '-70000' }, 'output1[0].avg_prvs'],
    ['fills without an average price', { avg_prvs: '0' }, 'output1[0].avg_prvs'],
    ['a fractional filled quantity', { tot_ccld_qty: '4.5' }, 'output1[0].tot_ccld_qty'],
  ])('daily orders: %s', (_name, o, path) => {
    expect(refusal(() => parseDailyOrdersPage({ output1: [{ ...ccld, ...o }] }, ctx)).path).toBe(path);
  });

  it('daily orders: a market order\'s ord_unpr "0" and an unfilled avg_prvs "0" mean "none"', () => {
    const [row] = parseDailyOrdersPage({ output1: [{ ...ccld, ord_dvsn_cd: '01', ord_unpr: '0', tot_ccld_qty: '0', tot_ccld_amt: '0', avg_prvs: '0', rmn_qty: '10' }] }, ctx);
    expect(row).toMatchObject({ type: 'market', price: 0, avgFillPrice: 0 });
  });

  it('daily bars and rankings: a negative price is refused', () => {
    const bar = { stck_bsop_date: '20260312', stck_oprc: '1000', stck_hgpr: '1100', stck_lwpr: '900', stck_clpr: '-1000', acml_vol: '10', acml_tr_pbmn: '10000' };
    expect(refusal(() => parseDailyBarsPage({ output2: [bar] }, symbol, ctx)).path).toBe('output2[0].stck_clpr');
    const row = { data_rank: '1', mksc_shrn_iscd: '005930', hts_kor_isnm: 'x', stck_prpr: '-1000', prdy_ctrt: '1.5', acml_vol: '10', acml_tr_pbmn: '10000' };
    expect(refusal(() => parseRanking('volume', { output: [row] }, ctx)).path).toBe('output[0].stck_prpr');
  });
});
