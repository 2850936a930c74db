import { addDays, epochMs, krw, shares, tradingDate, weekdayOf } from '../domain/index.js';
import type { DailyBar, TradingDate } from '../domain/index.js';
import { STREAM, normal, uniform, listingStatus, viActive } from '../synthetic/index.js';
import { MSG, invalidParam } from './messages.js';
import type { SimQuote } from '../synthetic/index.js';
import { changeRate, changeSign, fail, fixed, hhmmss, n, ok, param } from './wire-format.js';
import type { HandlerDeps, SimRequest, SimResponse } from './wire-format.js';

/** Quotations (docs/kis-wire.md §6.1–6.3, §6.7): same TR_IDs live and paper except chk-holiday. */

const MARKETS = new Set(['J', 'NX', 'UN']);

function quoteOf(deps: HandlerDeps, req: SimRequest): SimQuote | SimResponse {
  if (!MARKETS.has(param(req, 'FID_COND_MRKT_DIV_CODE'))) return fail(invalidParam('FID_COND_MRKT_DIV_CODE'));
  const code = param(req, 'FID_INPUT_ISCD');
  if (!deps.market.symbol(code)) return fail(MSG.noSuchStock);
  return deps.market.quote(code, req.now);
}

function isResponse(x: SimQuote | SimResponse): x is SimResponse {
  return 'status' in x;
}

/** Per-symbol figures that do not move intraday: fundamentals, ownership, flags. */
function staticFields(q: SimQuote) {
  const s = q.symbol;
  const u = (k: number) => uniform(s.index, STREAM.fundamentals, k);
  const per0 = 5 + 35 * u(1);
  const pbr0 = 0.4 + 3 * u(2);
  const eps = Math.max(1, Math.round(s.homePrice / per0));
  const bps = Math.max(1, Math.round(s.homePrice / pbr0));
  const face = s.homePrice > 50_000 ? 100 : s.homePrice > 5_000 ? 500 : 100;
  return { eps, bps, face, foreignPct: 2 + 50 * u(3) * (s.exchange === 'KOSPI' ? 1 : 0.3) };
}

/** highs and lows over the bars in [from, …] */
function extremes(bars: readonly DailyBar[], from: TradingDate): { hi: DailyBar | null; lo: DailyBar | null } {
  let hi: DailyBar | null = null;
  let lo: DailyBar | null = null;
  for (const b of bars) {
    if (b.date < from) continue;
    if (!hi || b.high > hi.high) hi = b;
    if (!lo || b.low < lo.low) lo = b;
  }
  return { hi, lo };
}

function rateVs(price: number, ref: number | undefined): string {
  return ref ? changeRate(price, ref) : '0.00';
}

export function inquirePrice(deps: HandlerDeps, req: SimRequest): SimResponse {
  const q = quoteOf(deps, req);
  if (isResponse(q)) return q;
  const s = q.symbol;
  const f = staticFields(q);
  const bars = deps.market.dailyBars(s.code, { count: 250, at: req.now });
  const d250 = extremes(bars, bars[0]?.date ?? q.date);
  const w52 = extremes(bars, addDays(q.date, -364));
  const ytd = extremes(bars, tradingDate(`${q.date.slice(0, 4)}0101`));
  const prev = q.prev;
  const pivot = prev ? (prev.high + prev.low + prev.close) / 3 : q.base;
  const range = prev ? prev.high - prev.low : 0;
  const day = deps.calendar.dayNumber(q.date);
  const foreignNet = Math.round(normal(s.index, STREAM.fundamentals, day, 1) * q.volume * 0.05);
  const programNet = Math.round(normal(s.index, STREAM.fundamentals, day, 2) * q.volume * 0.03);
  const hl = (b: DailyBar | null, k: 'high' | 'low') => (b ? n(b[k]) : '0');
  // designations (synthetic/listings.ts) in the status fields of §6.1
  const st = listingStatus(s, {
    vi: viActive(s.designations, req.now, q.state === 'continuous'),
    tempStop: s.designations.includes('temporary-halt') && deps.market.halted(s.code, req.now),
  });
  const yn = (b: boolean) => (b ? 'Y' : 'N');
  const output = {
    iscd_stat_cls_code: st.statusCode, marg_rate: fixed(s.marginRate, 2), rprs_mrkt_kor_name: s.exchange === 'KOSPI' ? 'KOSPI' : 'KOSDAQ',
    new_hgpr_lwpr_cls_code: '', bstp_kor_isnm: s.sector, temp_stop_yn: yn(st.tempStop), oprc_rang_cont_yn: 'N', clpr_rang_cont_yn: 'N',
    crdt_able_yn: yn(st.creditAllowed), grmn_rate_cls_code: String(s.marginRate), elw_pblc_yn: 'N',
    stck_prpr: n(q.price), prdy_vrss: n(q.price - q.base), prdy_vrss_sign: changeSign(q.price, q.base, q.upper, q.lower),
    prdy_ctrt: changeRate(q.price, q.base), acml_tr_pbmn: n(q.value), acml_vol: n(q.volume),
    prdy_vrss_vol_rate: prev && prev.volume > 0 ? fixed((q.volume / prev.volume) * 100, 2) : '0.00',
    stck_oprc: n(q.open), stck_hgpr: n(q.high), stck_lwpr: n(q.low), stck_mxpr: n(q.upper), stck_llam: n(q.lower), stck_sdpr: n(q.base),
    wghn_avrg_stck_prc: q.volume > 0 ? fixed(q.value / q.volume, 2) : '0.00', hts_frgn_ehrt: fixed(f.foreignPct, 2),
    frgn_ntby_qty: n(foreignNet), pgtr_ntby_qty: n(programNet),
    pvt_scnd_dmrs_prc: n(pivot + range), pvt_frst_dmrs_prc: n(2 * pivot - (prev?.low ?? q.base)), pvt_pont_val: n(pivot),
    pvt_frst_dmsp_prc: n(2 * pivot - (prev?.high ?? q.base)), pvt_scnd_dmsp_prc: n(pivot - range),
    dmrs_val: n(pivot + range / 4), dmsp_val: n(pivot - range / 4),
    cpfn: n((s.listedShares * f.face) / 1e8), rstc_wdth_prc: n(q.upper - q.base), stck_fcam: n(f.face),
    stck_sspr: n(Math.floor((q.price * 0.8) / q.tick) * q.tick), aspr_unit: n(q.tick), hts_deal_qty_unit_val: '1',
    lstn_stcn: n(s.listedShares), hts_avls: n((s.listedShares * q.price) / 1e8),
    per: fixed(q.price / f.eps, 2), pbr: fixed(q.price / f.bps, 2), stac_month: '12',
    vol_tnrt: fixed((q.volume / s.listedShares) * 100, 2), eps: fixed(f.eps, 2), bps: fixed(f.bps, 2),
    d250_hgpr: hl(d250.hi, 'high'), d250_hgpr_date: d250.hi?.date ?? '', d250_hgpr_vrss_prpr_rate: rateVs(q.price, d250.hi?.high),
    d250_lwpr: hl(d250.lo, 'low'), d250_lwpr_date: d250.lo?.date ?? '', d250_lwpr_vrss_prpr_rate: rateVs(q.price, d250.lo?.low),
    stck_dryy_hgpr: hl(ytd.hi, 'high'), dryy_hgpr_vrss_prpr_rate: rateVs(q.price, ytd.hi?.high), dryy_hgpr_date: ytd.hi?.date ?? '',
    stck_dryy_lwpr: hl(ytd.lo, 'low'), dryy_lwpr_vrss_prpr_rate: rateVs(q.price, ytd.lo?.low), dryy_lwpr_date: ytd.lo?.date ?? '',
    w52_hgpr: hl(w52.hi, 'high'), w52_hgpr_vrss_prpr_ctrt: rateVs(q.price, w52.hi?.high), w52_hgpr_date: w52.hi?.date ?? '',
    w52_lwpr: hl(w52.lo, 'low'), w52_lwpr_vrss_prpr_ctrt: rateVs(q.price, w52.lo?.low), w52_lwpr_date: w52.lo?.date ?? '',
    whol_loan_rmnd_rate: fixed(uniform(s.index, STREAM.fundamentals, 7) * 2, 2), ssts_yn: 'Y', stck_shrn_iscd: s.code,
    fcam_cnnm: n(f.face), cpfn_cnnm: `${Math.round((s.listedShares * f.face) / 1e8).toLocaleString('en-US')} 억`, apprch_rate: '0.00',
    // vi_cls_code: 'N' none; '1' static VI (⚠ the other values are not in the workbook)
    frgn_hldn_qty: n((s.listedShares * f.foreignPct) / 100), vi_cls_code: st.vi ? '1' : 'N', ovtm_vi_cls_code: 'N',
    last_ssts_cntg_qty: n(uniform(s.index, STREAM.fundamentals, day, 8) * 100_000), invt_caful_yn: 'N', mrkt_warn_cls_code: st.marketWarning,
    short_over_yn: yn(st.shortTermOverheating), sltr_yn: yn(st.liquidationTrading), mang_issu_cls_code: yn(st.administrative),
  };
  return ok(MSG.quoteOk, { output });
}

/** new_mkop_cls_code (§6.2): 1st char session (1 pre-open, 2 continuous, 3 after close), '00' in the call auctions */
function sessionCode(q: SimQuote): string {
  return q.state === 'continuous' ? '20' : q.state === 'closed' ? '30' : '00';
}

export function askingPrice(deps: HandlerDeps, req: SimRequest): SimResponse {
  const q = quoteOf(deps, req);
  if (isResponse(q)) return q;
  const book = deps.market.book(q.symbol.code, req.now);
  const prevBook = deps.market.book(q.symbol.code, epochMs(req.now - 60_000));
  const out: Record<string, string> = { aspr_acpt_hour: hhmmss(req.now) };
  let totalAsk = 0;
  let totalBid = 0;
  for (let i = 0; i < 10; i++) {
    const a = book.asks[i];
    const b = book.bids[i];
    out[`askp${i + 1}`] = a ? n(a.price) : '0';
    out[`bidp${i + 1}`] = b ? n(b.price) : '0';
    totalAsk += a?.qty ?? 0;
    totalBid += b?.qty ?? 0;
  }
  for (let i = 0; i < 10; i++) out[`askp_rsqn${i + 1}`] = n(book.asks[i]?.qty ?? 0);
  for (let i = 0; i < 10; i++) out[`bidp_rsqn${i + 1}`] = n(book.bids[i]?.qty ?? 0);
  // the change only means something when the level still holds the same price as a minute ago
  const icdc = (side: 'asks' | 'bids', i: number) => {
    const now = book[side][i];
    const before = prevBook[side][i];
    return now && before && now.price === before.price ? n(now.qty - before.qty) : '0';
  };
  for (let i = 0; i < 10; i++) out[`askp_rsqn_icdc${i + 1}`] = icdc('asks', i);
  for (let i = 0; i < 10; i++) out[`bidp_rsqn_icdc${i + 1}`] = icdc('bids', i);
  const prevAsk = prevBook.asks.reduce((s, l) => s + l.qty, 0);
  const prevBid = prevBook.bids.reduce((s, l) => s + l.qty, 0);
  Object.assign(out, {
    total_askp_rsqn: n(totalAsk), total_bidp_rsqn: n(totalBid), total_askp_rsqn_icdc: n(totalAsk - prevAsk),
    total_bidp_rsqn_icdc: n(totalBid - prevBid), ovtm_total_askp_icdc: '0', ovtm_total_bidp_icdc: '0', ovtm_total_askp_rsqn: '0',
    ovtm_total_bidp_rsqn: '0', ntby_aspr_rsqn: n(totalBid - totalAsk), new_mkop_cls_code: sessionCode(q),
  });
  const auction = q.state === 'pre-open' || q.state === 'auction';
  const expected = q.state === 'pre-open' ? deps.market.plan(q.symbol.code, q.date).open : q.price;
  const output2 = {
    antc_mkop_cls_code: '112', stck_prpr: n(q.price), stck_oprc: n(q.open), stck_hgpr: n(q.high), stck_lwpr: n(q.low), stck_sdpr: n(q.base),
    antc_cnpr: auction ? n(expected) : '0', antc_cntg_vrss_sign: auction ? changeSign(expected, q.base, q.upper, q.lower) : '3',
    antc_cntg_vrss: auction ? n(expected - q.base) : '0', antc_cntg_prdy_ctrt: auction ? changeRate(expected, q.base) : '0.00',
    antc_vol: auction ? n(Math.round(q.symbol.avgVolume * 0.02)) : '0', stck_shrn_iscd: q.symbol.code, vi_cls_code: 'N',
  };
  return ok(MSG.quoteOk, { output1: out, output2 });
}

const DATE_RE = /^\d{8}$/;

function validDate(s: string): TradingDate | null {
  if (!DATE_RE.test(s)) return null;
  try {
    return tradingDate(s);
  } catch {
    return null;
  }
}

/** W/M/Y candles start on the period's first trading day (§6.3 ⚠); the key groups bars into periods. */
function periodKey(d: TradingDate, period: string): string {
  if (period === 'Y') return d.slice(0, 4);
  if (period === 'M') return d.slice(0, 6);
  // ISO-ish week: the Monday on or before d
  const back = (weekdayOf(d) + 6) % 7;
  return addDays(d, -back);
}

function aggregate(bars: readonly DailyBar[], period: string): DailyBar[] {
  if (period === 'D') return [...bars];
  const out: DailyBar[] = [];
  let key = '';
  for (const b of bars) {
    const k = periodKey(b.date, period);
    const cur = out[out.length - 1];
    if (cur && k === key) {
      out[out.length - 1] = {
        ...cur, high: b.high > cur.high ? b.high : cur.high, low: b.low < cur.low ? b.low : cur.low, close: b.close,
        volume: shares(cur.volume + b.volume), value: krw(cur.value + b.value),
      };
    } else {
      key = k;
      out.push({ ...b });
    }
  }
  return out;
}

/** newest ≤ 100 rows ending at FID_INPUT_DATE_2, newest first, no continuation (§6.3) */
export function dailyChart(deps: HandlerDeps, req: SimRequest): SimResponse {
  const q = quoteOf(deps, req);
  if (isResponse(q)) return q;
  const from = validDate(param(req, 'FID_INPUT_DATE_1'));
  if (!from) return fail(invalidParam('FID_INPUT_DATE_1'));
  const to = validDate(param(req, 'FID_INPUT_DATE_2'));
  if (!to) return fail(invalidParam('FID_INPUT_DATE_2'));
  const period = param(req, 'FID_PERIOD_DIV_CODE');
  if (!['D', 'W', 'M', 'Y'].includes(period)) return fail(invalidParam('FID_PERIOD_DIV_CODE'));
  if (!['0', '1'].includes(param(req, 'FID_ORG_ADJ_PRC'))) return fail(invalidParam('FID_ORG_ADJ_PRC'));
  const days = period === 'D' ? 100 : period === 'W' ? 100 * 5 : period === 'M' ? 100 * 21 : 10 * 250;
  // FID_ORG_ADJ_PRC here: 0 adjusted (수정주가), 1 original prices (§6.3, the opposite of inquire-daily-price §13.1)
  const adjusted = param(req, 'FID_ORG_ADJ_PRC') === '0';
  const bars = from > to ? [] : deps.market.dailyBars(q.symbol.code, { end: to, count: days, at: req.now, adjusted }).filter((b) => b.date >= from);
  const rows = aggregate(bars, period).slice(-100).reverse();
  const output2 = rows.map((b, i) => {
    const before = rows[i + 1];
    const prevClose = before?.close ?? (i === rows.length - 1 && period === 'D' ? deps.market.plan(q.symbol.code, b.date).base : b.open);
    return {
      stck_bsop_date: b.date, stck_clpr: n(b.close), stck_oprc: n(b.open), stck_hgpr: n(b.high), stck_lwpr: n(b.low),
      acml_vol: n(b.volume), acml_tr_pbmn: n(b.value), flng_cls_code: '00', prtt_rate: '0.00', mod_yn: 'N',
      prdy_vrss_sign: b.close > prevClose ? '2' : b.close < prevClose ? '5' : '3', prdy_vrss: n(b.close - prevClose), revl_issu_reas: '',
    };
  });
  const s = q.symbol;
  const f = staticFields(q);
  const prev = q.prev;
  const book = deps.market.book(s.code, req.now);
  const output1 = {
    prdy_vrss: n(q.price - q.base), prdy_vrss_sign: changeSign(q.price, q.base, q.upper, q.lower), prdy_ctrt: changeRate(q.price, q.base),
    stck_prdy_clpr: n(q.base), acml_vol: n(q.volume), acml_tr_pbmn: n(q.value), hts_kor_isnm: s.name, stck_prpr: n(q.price),
    stck_shrn_iscd: s.code, prdy_vol: n(prev?.volume ?? 0), stck_mxpr: n(q.upper), stck_llam: n(q.lower), stck_oprc: n(q.open),
    stck_hgpr: n(q.high), stck_lwpr: n(q.low), stck_prdy_oprc: n(prev?.open ?? 0), stck_prdy_hgpr: n(prev?.high ?? 0),
    stck_prdy_lwpr: n(prev?.low ?? 0), askp: n(book.asks[0]?.price ?? 0), bidp: n(book.bids[0]?.price ?? 0),
    prdy_vrss_vol: n(q.volume - (prev?.volume ?? 0)), vol_tnrt: fixed((q.volume / s.listedShares) * 100, 2), stck_fcam: n(f.face),
    lstn_stcn: n(s.listedShares), cpfn: n((s.listedShares * f.face) / 1e8), hts_avls: n((s.listedShares * q.price) / 1e8),
    per: fixed(q.price / f.eps, 2), eps: fixed(f.eps, 2), pbr: fixed(q.price / f.bps, 2), itewhol_loan_rmnd_ratem: '0.00',
  };
  return ok(MSG.quoteOk, { output1, output2 });
}

/** consecutive calendar days from BASS_DT (§6.7); weekends show tr_day_yn 'Y' as in the workbook example */
export function chkHoliday(deps: HandlerDeps, req: SimRequest): SimResponse {
  const start = validDate(param(req, 'BASS_DT'));
  if (!start) return fail(invalidParam('BASS_DT'));
  const days = 20;
  const output = [];
  let last = start;
  for (let i = 0; i < days; i++) {
    const d = addDays(start, i);
    const wd = weekdayOf(d);
    const open = deps.calendar.isTradingDay(d);
    const weekend = wd === 0 || wd === 6;
    const yn = (b: boolean) => (b ? 'Y' : 'N');
    output.push({ bass_dt: d, wday_dvsn_cd: String(wd + 1).padStart(2, '0'), bzdy_yn: yn(open), tr_day_yn: yn(open || weekend), opnd_yn: yn(open), sttl_day_yn: yn(open) });
    last = d;
  }
  return ok(MSG.holidayOk, { ctx_area_nk: last.padEnd(20), ctx_area_fk: start.padEnd(20), output });
}
