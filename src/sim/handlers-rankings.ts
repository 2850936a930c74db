import { MSG, invalidParam } from './messages.js';
import type { SimQuote, SimSymbol } from '../synthetic/index.js';
import { changeRate, changeSign, fail, fixed, hhmmss, n, ok, param } from './wire-format.js';
import type { HandlerDeps, SimRequest, SimResponse } from './wire-format.js';

/**
 * Rankings (docs/kis-wire.md §6.5 volume-rank, §6.6 fluctuation): live only, at most 30 rows, no next
 * page. They are computed from every symbol's quote at the request instant, so they change
 * through the day as surges and trends play out.
 */
const MAX_ROWS = 30;

type Pick = { quotes: SimQuote[] } | SimResponse;

function universe(deps: HandlerDeps, req: SimRequest, names: { market: string; price1: string; price2: string; vol: string }): Pick {
  const market = param(req, names.market);
  const allowed: Record<string, (q: SimQuote) => boolean> = {
    '0000': () => true,
    '0001': (q) => q.symbol.exchange === 'KOSPI',
    '1001': (q) => q.symbol.exchange === 'KOSDAQ',
    // KOSPI200: the larger KOSPI names
    '2001': (q) => q.symbol.exchange === 'KOSPI' && q.symbol.listedShares * q.price > 1e12,
  };
  const inMarket = allowed[market];
  if (!inMarket) return fail(invalidParam(names.market));
  const bound = (name: string): number | null | 'bad' => {
    const v = param(req, name).trim();
    if (v === '' || v === '0') return null;
    return /^\d+$/.test(v) ? Number(v) : 'bad';
  };
  const lo = bound(names.price1);
  const hi = bound(names.price2);
  const vol = bound(names.vol);
  if (lo === 'bad') return fail(invalidParam(names.price1));
  if (hi === 'bad') return fail(invalidParam(names.price2));
  if (vol === 'bad') return fail(invalidParam(names.vol));
  const quotes = deps.market
    .symbols()
    .map((s) => deps.market.quote(s.code, req.now))
    .filter((q) => inMarket(q) && (lo === null || q.price >= lo) && (hi === null || q.price <= hi) && (vol === null || q.volume >= vol));
  return { quotes };
}

function flags(req: SimRequest, name: string): boolean {
  return /^[01]*$/.test(param(req, name));
}

const WARNED = new Set(['investment-risk', 'investment-warning', 'investment-caution']);

/**
 * FID_TRGT_EXLS_CLS_CODE, from the workbook (sheet 거래량순위): "1 or 0 10자리 (차례대로
 * 투자위험/경고/주의 관리종목 정리매매 불성실공시 우선주 거래정지 ETF ETN 신용주문불가 SPAC)".
 * Written here from the workbook and not shared with the client, so a client that sends the
 * positions in another order shows up in the tests.
 */
const EXCLUSION_POSITIONS: readonly ((s: SimSymbol, haltedNow: boolean) => boolean)[] = [
  (s) => s.designations.some((d) => WARNED.has(d)),
  (s) => s.designations.includes('administrative'),
  (s) => s.designations.includes('liquidation-trading'),
  (s) => s.designations.includes('unfaithful-disclosure'),
  (s) => s.product === 'preferred',
  // suspended, or inside a temporary halt at the request instant
  (_s, haltedNow) => haltedNow,
  (s) => s.product === 'etf',
  (s) => s.product === 'etn',
  (s) => !s.creditAllowed,
  (s) => s.product === 'spac',
];

/** The listings the code leaves out, or null when it is not ten 0/1 characters (refused like any malformed input). */
function excludedBy(code: string): ((s: SimSymbol, haltedNow: boolean) => boolean) | null {
  if (!new RegExp(`^[01]{${EXCLUSION_POSITIONS.length}}$`).test(code)) return null;
  const on = EXCLUSION_POSITIONS.filter((_, i) => code[i] === '1');
  return (s, haltedNow) => on.some((test) => test(s, haltedNow));
}

function rank<T>(items: T[], key: (t: T) => number, desc: boolean, code: (t: T) => string): T[] {
  return items.sort((a, b) => (desc ? key(b) - key(a) : key(a) - key(b)) || code(a).localeCompare(code(b))).slice(0, MAX_ROWS);
}

export function volumeRank(deps: HandlerDeps, req: SimRequest): SimResponse {
  if (param(req, 'FID_COND_SCR_DIV_CODE') !== '20171') return fail(invalidParam('FID_COND_SCR_DIV_CODE'));
  if (!['J', 'NX', 'UN'].includes(param(req, 'FID_COND_MRKT_DIV_CODE'))) return fail(invalidParam('FID_COND_MRKT_DIV_CODE'));
  const sort = param(req, 'FID_BLNG_CLS_CODE');
  if (!['0', '1', '2', '3', '4'].includes(sort)) return fail(invalidParam('FID_BLNG_CLS_CODE'));
  const div = param(req, 'FID_DIV_CLS_CODE');
  if (!['0', '1', '2'].includes(div)) return fail(invalidParam('FID_DIV_CLS_CODE'));
  if (!flags(req, 'FID_TRGT_CLS_CODE')) return fail(invalidParam('FID_TRGT_CLS_CODE'));
  const excluded = excludedBy(param(req, 'FID_TRGT_EXLS_CLS_CODE'));
  if (!excluded) return fail(invalidParam('FID_TRGT_EXLS_CLS_CODE'));
  const u = universe(deps, req, { market: 'FID_INPUT_ISCD', price1: 'FID_INPUT_PRICE_1', price2: 'FID_INPUT_PRICE_2', vol: 'FID_VOL_CNT' });
  if ('status' in u) return u;
  // FID_DIV_CLS_CODE: '1' common stock (no preferred), '2' preferred only
  const kept = u.quotes.filter((q) => !excluded(q.symbol, deps.market.halted(q.symbol.code, req.now)) && (div === '0' || (div === '2') === (q.symbol.product === 'preferred')));
  const rows = kept.map((q) => {
    const prevVol = q.prev?.volume ?? 0;
    const cap = q.symbol.listedShares * q.price;
    return {
      q,
      volInrt: prevVol > 0 ? (q.volume / prevVol) * 100 : 0,
      volTnrt: (q.volume / q.symbol.listedShares) * 100,
      valTnrt: cap > 0 ? (q.value / cap) * 100 : 0,
    };
  });
  const keys: Record<string, (r: (typeof rows)[number]) => number> = {
    '0': (r) => r.q.volume, '1': (r) => r.volInrt, '2': (r) => r.volTnrt, '3': (r) => r.q.value, '4': (r) => r.valTnrt,
  };
  const key = keys[sort] ?? ((r) => r.q.volume);
  const output = rank(rows, key, true, (r) => r.q.symbol.code).map((r, i) => {
    const q = r.q;
    return {
      hts_kor_isnm: q.symbol.name, mksc_shrn_iscd: q.symbol.code, data_rank: String(i + 1), stck_prpr: n(q.price),
      prdy_vrss_sign: changeSign(q.price, q.base, q.upper, q.lower), prdy_vrss: n(q.price - q.base), prdy_ctrt: changeRate(q.price, q.base),
      acml_vol: n(q.volume), prdy_vol: n(q.prev?.volume ?? 0), lstn_stcn: n(q.symbol.listedShares), avrg_vol: n(q.volume),
      n_befr_clpr_vrss_prpr_rate: changeRate(q.price, q.base), vol_inrt: fixed(r.volInrt, 2), vol_tnrt: fixed(r.volTnrt, 2),
      nday_vol_tnrt: fixed(r.volTnrt, 2), avrg_tr_pbmn: n(q.value), tr_pbmn_tnrt: fixed(r.valTnrt, 2), nday_tr_pbmn_tnrt: fixed(r.valTnrt, 2),
      acml_tr_pbmn: n(q.value),
    };
  });
  return ok(MSG.quoteOk, { output });
}

function pct(a: number, b: number): number {
  return b > 0 ? ((a - b) / b) * 100 : 0;
}

export function fluctuation(deps: HandlerDeps, req: SimRequest): SimResponse {
  if (param(req, 'fid_cond_scr_div_code') !== '20170') return fail(invalidParam('fid_cond_scr_div_code'));
  if (!['J', 'NX', 'UN'].includes(param(req, 'fid_cond_mrkt_div_code'))) return fail(invalidParam('fid_cond_mrkt_div_code'));
  // §6.6: only 0–4 exist; The Ouroboros sent '0000' and live refused it
  const sort = param(req, 'fid_rank_sort_cls_code');
  if (!['0', '1', '2', '3', '4'].includes(sort)) return fail(invalidParam('fid_rank_sort_cls_code'));
  // the workbook documents only '0' (all) for this ranking's exclusion code (§6.6): it excludes nothing
  if (param(req, 'fid_trgt_exls_cls_code') !== '0') return fail(invalidParam('fid_trgt_exls_cls_code'));
  const prc = param(req, 'fid_prc_cls_code');
  if (!['0', '1'].includes(prc)) return fail(invalidParam('fid_prc_cls_code'));
  const cnt = param(req, 'fid_input_cnt_1');
  if (!/^\d{1,3}$/.test(cnt)) return fail(invalidParam('fid_input_cnt_1'));
  const rate = (name: string): number | null | 'bad' => {
    const v = param(req, name).trim();
    if (v === '') return null;
    return /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : 'bad';
  };
  let r1 = rate('fid_rsfl_rate1');
  let r2 = rate('fid_rsfl_rate2');
  if (r1 === 'bad') return fail(invalidParam('fid_rsfl_rate1'));
  if (r2 === 'bad') return fail(invalidParam('fid_rsfl_rate2'));
  // §13.8: blank means all; a degenerate 0..0 range is read as "all" too, since that is what clients mean by it (⚠)
  if (r1 === 0 && r2 === 0) r1 = r2 = null;
  const u = universe(deps, req, { market: 'fid_input_iscd', price1: 'fid_input_price_1', price2: 'fid_input_price_2', vol: 'fid_vol_cnt' });
  if ('status' in u) return u;
  const days = Number(cnt);
  const rows = u.quotes
    .filter((q) => q.state !== 'pre-open' || sort === '0' || sort === '1')
    .map((q) => ({ q, chg: pct(q.price, q.base), vsOpen: pct(q.price, q.open), vsLow: pct(q.price, q.low), vsHigh: pct(q.price, q.high) }))
    .filter((r) => (r1 === null || r.chg >= r1) && (r2 === null || r.chg <= r2));
  const keys: Record<string, [(r: (typeof rows)[number]) => number, boolean]> = {
    '0': [prc === '0' ? (r) => r.vsLow : (r) => r.chg, true],
    '1': [prc === '0' ? (r) => r.vsHigh : (r) => r.chg, false],
    '2': [(r) => r.vsOpen, true],
    '3': [(r) => r.vsOpen, false],
    '4': [(r) => pct(r.q.high, r.q.low), true],
  };
  const [key, desc] = keys[sort] ?? [(r) => r.chg, true];
  const output = rank(rows, key, desc, (r) => r.q.symbol.code).map((r, i) => {
    const q = r.q;
    const bars = deps.market.dailyBars(q.symbol.code, { count: Math.max(days + 1, 12), at: req.now });
    let up = 0;
    let down = 0;
    for (let j = bars.length - 1; j > 0; j--) {
      const c = bars[j]?.close ?? 0;
      const p = bars[j - 1]?.close ?? 0;
      if (c > p && down === 0) up += 1;
      else if (c < p && up === 0) down += 1;
      else break;
    }
    const past = days > 0 ? bars[bars.length - 1 - days]?.close : undefined;
    return {
      stck_shrn_iscd: q.symbol.code, data_rank: String(i + 1), hts_kor_isnm: q.symbol.name, stck_prpr: n(q.price),
      prdy_vrss: n(q.price - q.base), prdy_vrss_sign: changeSign(q.price, q.base, q.upper, q.lower), prdy_ctrt: changeRate(q.price, q.base),
      acml_vol: n(q.volume), stck_hgpr: n(q.high), hgpr_hour: q.highAt ? hhmmss(q.highAt) : '', acml_hgpr_date: q.date,
      stck_lwpr: n(q.low), lwpr_hour: q.lowAt ? hhmmss(q.lowAt) : '', acml_lwpr_date: q.date, lwpr_vrss_prpr_rate: fixed(r.vsLow, 2),
      dsgt_date_clpr_vrss_prpr_rate: changeRate(q.price, q.base), cnnt_ascn_dynu: String(up), hgpr_vrss_prpr_rate: fixed(r.vsHigh, 2),
      cnnt_down_dynu: String(down), oprc_vrss_prpr_sign: q.price > q.open ? '2' : q.price < q.open ? '5' : '3',
      oprc_vrss_prpr: n(q.open > 0 ? q.price - q.open : 0), oprc_vrss_prpr_rate: fixed(r.vsOpen, 2),
      prd_rsfl: n(past !== undefined ? q.price - past : 0), prd_rsfl_rate: past !== undefined ? changeRate(q.price, past) : '0.00',
    };
  });
  return ok(MSG.quoteOk, { output });
}
