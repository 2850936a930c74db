import { kstDateOf, krw, tradingDate } from '../domain/index.js';
import type { TradingDate } from '../domain/index.js';
import { checkAccount } from './account-check.js';
import { maxBuyAmount, maxBuyQty } from '../exchange/index.js';
import type { TradeRecord, SimOrderView } from '../exchange/index.js';
import { MSG, invalidParam } from './messages.js';
import type { KisMessage } from './messages.js';
import { paginate } from './pagination.js';
import { changeRate, fail, fixed, hhmmss, n, ok, param } from './wire-format.js';
import type { HandlerDeps, SimRequest, SimResponse } from './wire-format.js';
import type { WireVariant } from './variants.js';

/** Account inquiries (docs/kis-wire.md §7.1, §7.4–7.7). Page sizes per §2.6: balance 50/20, daily-ccld 100/15. */

function account(req: SimRequest): { account: string; cano: string; prdt: string } | { error: KisMessage } {
  const cano = param(req, 'CANO');
  const prdt = param(req, 'ACNT_PRDT_CD');
  const a = checkAccount(req, cano, prdt);
  return 'error' in a ? a : { account: a.account, cano, prdt };
}

function sum<T>(items: readonly T[], f: (t: T) => number): number {
  return items.reduce((s, t) => s + f(t), 0);
}

function tradesOf(trades: readonly TradeRecord[], date: TradingDate, symbol?: string): TradeRecord[] {
  return trades.filter((t) => t.date === date && (symbol === undefined || t.symbol === symbol));
}

export function balance(deps: HandlerDeps, req: SimRequest): SimResponse {
  const a = account(req);
  if ('error' in a) return fail(a.error);
  for (const [name, values] of [['AFHR_FLPR_YN', ['N', 'Y', 'X']], ['INQR_DVSN', ['01', '02']], ['PRCS_DVSN', ['00', '01']]] as const) {
    if (!(values as readonly string[]).includes(param(req, name))) return fail(invalidParam(name));
  }
  const ex = deps.exchange;
  const today = kstDateOf(req.now);
  const yesterday = deps.calendar.previous(today);
  const trades = ex.trades(a.account);
  // §13.12: a stock sold out stays listed with hldg_qty 0 until it settles (D+2)
  const recent = new Set(trades.filter((t) => t.date >= yesterday).map((t) => t.symbol as string));
  const holdings = ex.holdings(a.account).filter((h) => h.qty > 0 || recent.has(h.symbol)).sort((x, y) => x.symbol.localeCompare(y.symbol));
  const rows = holdings.map((h) => {
    const q = deps.market.quote(h.symbol, req.now);
    const t0 = tradesOf(trades, today, h.symbol);
    const t1 = tradesOf(trades, yesterday, h.symbol);
    const evlu = h.qty * q.price;
    return {
      h, evlu, q,
      row: {
        pdno: h.symbol, prdt_name: h.name, trad_dvsn_name: '현금',
        bfdy_buy_qty: n(sum(t1.filter((t) => t.side === 'buy'), (t) => t.qty)), bfdy_sll_qty: n(sum(t1.filter((t) => t.side === 'sell'), (t) => t.qty)),
        thdt_buyqty: n(sum(t0.filter((t) => t.side === 'buy'), (t) => t.qty)), thdt_sll_qty: n(sum(t0.filter((t) => t.side === 'sell'), (t) => t.qty)),
        hldg_qty: n(h.qty), ord_psbl_qty: n(h.sellableQty), pchs_avg_pric: fixed(h.qty > 0 ? h.cost / h.qty : 0, 4), pchs_amt: n(h.cost),
        prpr: n(q.price), evlu_amt: n(evlu), evlu_pfls_amt: n(evlu - h.cost), evlu_pfls_rt: fixed(h.cost > 0 ? ((evlu - h.cost) / h.cost) * 100 : 0, 2),
        evlu_erng_rt: '0.00000000', loan_dt: '', loan_amt: '0', stln_slng_chgs: '0', expd_dt: '',
        fltt_rt: fixed(q.base > 0 ? ((q.price - q.base) / q.base) * 100 : 0, 8), bfdy_cprs_icdc: n(q.price - q.base),
        item_mgna_rt_name: `${q.symbol.marginRate}%`, grta_rt_name: '', sbst_pric: n(Math.floor(q.price * 0.8)), stck_loan_unpr: '0.0000',
      },
    };
  });
  const cash = ex.cash(a.account, req.now);
  const t0 = tradesOf(trades, today);
  const t1 = tradesOf(trades, yesterday);
  const amount = (ts: TradeRecord[], side: 'buy' | 'sell') => sum(ts.filter((t) => t.side === side), (t) => t.amount);
  const costs = (ts: TradeRecord[]) => sum(ts, (t) => t.commission + t.tax);
  const scts = sum(rows, (r) => r.evlu);
  const pchs = sum(rows, (r) => r.h.cost);
  const total = scts + cash.d2;
  // yesterday's holdings at yesterday's close plus the cash before today's trades
  const before = sum(rows, (r) => (r.h.qty - sum(tradesOf(trades, today, r.h.symbol), (t) => (t.side === 'buy' ? t.qty : -(t.qty as number)))) * r.q.base)
    + cash.d2 + amount(t0, 'buy') - amount(t0, 'sell') + costs(t0);
  const output2 = [{
    dnca_tot_amt: n(cash.d0), nxdy_excc_amt: n(cash.d1), prvs_rcdl_excc_amt: n(cash.d2), cma_evlu_amt: '0',
    bfdy_buy_amt: n(amount(t1, 'buy')), thdt_buy_amt: n(amount(t0, 'buy')), nxdy_auto_rdpt_amt: '0', bfdy_sll_amt: n(amount(t1, 'sell')),
    thdt_sll_amt: n(amount(t0, 'sell')), d2_auto_rdpt_amt: '0', bfdy_tlex_amt: n(costs(t1)), thdt_tlex_amt: n(costs(t0)), tot_loan_amt: '0',
    scts_evlu_amt: n(scts), tot_evlu_amt: n(total), nass_amt: n(total), fncg_gld_auto_rdpt_yn: '', pchs_amt_smtl_amt: n(pchs),
    evlu_amt_smtl_amt: n(scts), evlu_pfls_smtl_amt: n(scts - pchs), tot_stln_slng_chgs: '0', bfdy_tot_asst_evlu_amt: n(before),
    asst_icdc_amt: n(total - before), asst_icdc_erng_rt: '0.00000000',
  }];
  const conditions = [a.cano, a.prdt, param(req, 'AFHR_FLPR_YN'), param(req, 'OFL_YN') || 'N', param(req, 'INQR_DVSN'), param(req, 'UNPR_DVSN'), param(req, 'FUND_STTL_ICLD_YN')];
  const page = paginate(req, rows, deps.env === 'live' ? 50 : 20, (r) => r.h.symbol, conditions);
  return ok(MSG.inquiryOk, { ctx_area_fk100: page.fk100, ctx_area_nk100: page.nk100, output1: page.rows.map((r) => r.row), output2 }, page.trCont);
}

function date(s: string): TradingDate | null {
  if (!/^\d{8}$/.test(s)) return null;
  try {
    return tradingDate(s);
  } catch {
    return null;
  }
}

const SIDE_CODE = { buy: '02', sell: '01' } as const;

function ccldRow(o: SimOrderView, variant: WireVariant): Record<string, string> {
  const sideWord = o.side === 'buy' ? '매수' : '매도';
  const name = o.kind === 'new' ? `현금${sideWord}` : o.kind === 'cancel' ? `${sideWord}취소*` : `${sideWord}정정*`;
  const isCancel = o.kind === 'cancel';
  return {
    ord_dt: o.date, ord_gno_brno: o.branch, odno: o.odno, orgn_odno: o.orgnOdno ?? variant.newOrderOrgnOdno, ord_dvsn_name: o.type === 'market' && !isCancel ? '시장가' : '지정가',
    sll_buy_dvsn_cd: SIDE_CODE[o.side], sll_buy_dvsn_cd_name: name, pdno: o.symbol, prdt_name: o.name, ord_qty: n(o.qty), ord_unpr: n(o.price),
    ord_tmd: hhmmss(o.orderedAt), tot_ccld_qty: n(o.filledQty), avg_prvs: n(o.filledQty > 0 ? Math.floor(o.filledValue / o.filledQty) : 0),
    cncl_yn: isCancel ? 'Y' : variant.notCancelledYn, tot_ccld_amt: n(o.filledValue), loan_dt: '', ordr_empno: 'OpnAPI',
    ord_dvsn_cd: o.type === 'market' && !isCancel ? '01' : '00',
    // §7.8 point 4: the rest of an order left at the close shows with rmn_qty 0, without a cancel row pointing at
    // it, as cncl_cfrm_qty or rjct_qty depending on the variant
    cncl_cfrm_qty: n(o.cancelledQty + (variant.expiredShownAs === 'cncl_cfrm_qty' ? o.expiredQty : 0)), rmn_qty: n(o.remainingQty),
    rjct_qty: n(o.rejectedQty + (variant.expiredShownAs === 'rjct_qty' ? o.expiredQty : 0)), ccld_cndt_name: '없음', inqr_ip_addr: '',
    cpbc_ordp_ord_rcit_dvsn_cd: '', cpbc_ordp_infm_mthd_dvsn_cd: '', infm_tmd: '', ctac_tlno: '', prdt_type_cd: '300', excg_dvsn_cd: '02',
    cpbc_ordp_mtrl_dvsn_cd: '', ord_orgno: '', rsvn_ord_end_dt: '', excg_id_dvsn_cd: 'KRX', stpm_cndt_pric: '0', stpm_efct_occr_dtmd: '',
  };
}

export function dailyCcld(deps: HandlerDeps, req: SimRequest): SimResponse {
  const a = account(req);
  if ('error' in a) return fail(a.error);
  const from = date(param(req, 'INQR_STRT_DT'));
  if (!from) return fail(invalidParam('INQR_STRT_DT'));
  const to = date(param(req, 'INQR_END_DT'));
  if (!to) return fail(invalidParam('INQR_END_DT'));
  const side = param(req, 'SLL_BUY_DVSN_CD');
  const ccld = param(req, 'CCLD_DVSN');
  const order = param(req, 'INQR_DVSN');
  if (!['00', '01', '02'].includes(side)) return fail(invalidParam('SLL_BUY_DVSN_CD'));
  if (!['00', '01', '02'].includes(ccld)) return fail(invalidParam('CCLD_DVSN'));
  if (!['00', '01'].includes(order)) return fail(invalidParam('INQR_DVSN'));
  const excg = param(req, 'EXCG_ID_DVSN_CD');
  if (!['', 'KRX', 'ALL', ...(deps.env === 'live' ? ['NXT', 'SOR'] : [])].includes(excg)) return fail(invalidParam('EXCG_ID_DVSN_CD'));
  const pdno = param(req, 'PDNO');
  const odno = param(req, 'ODNO');
  const brno = param(req, 'ORD_GNO_BRNO');
  const all = deps.exchange.orders(a.account).filter((o) =>
    o.date >= from && o.date <= to && (side === '00' || SIDE_CODE[o.side] === side) && (pdno === '' || o.symbol === pdno)
    && (odno === '' || o.odno === odno) && (brno === '' || o.branch === brno)
    && (ccld === '00' || (ccld === '01' ? o.filledQty > 0 : o.remainingQty > 0)));
  all.sort((x, y) => (x.date + x.odno).localeCompare(y.date + y.odno));
  if (order === '00') all.reverse();
  const ids = new Set(all.map((o) => `${o.date}:${o.odno}`));
  const trades = deps.exchange.trades(a.account).filter((t) => ids.has(t.orderId));
  const filledQty = sum(all, (o) => o.filledQty);
  const filledAmt = sum(all, (o) => o.filledValue);
  const output2 = {
    tot_ord_qty: n(sum(all, (o) => o.qty)), tot_ccld_qty: n(filledQty), tot_ccld_amt: n(filledAmt),
    prsm_tlex_smtl: n(sum(trades, (t) => t.commission + t.tax)), pchs_avg_pric: fixed(filledQty > 0 ? filledAmt / filledQty : 0, 4),
  };
  const conditions = [a.cano, a.prdt, from, to, side, pdno, order, ccld, brno, odno, param(req, 'INQR_DVSN_3')];
  const page = paginate(req, all, deps.env === 'live' ? 100 : 15, (o) => `${o.date}${o.odno}`, conditions);
  return ok(MSG.inquiryOk, { ctx_area_fk100: page.fk100, ctx_area_nk100: page.nk100, output1: page.rows.map((o) => ccldRow(o, deps.variant)), output2 }, page.trCont);
}

export function psblOrder(deps: HandlerDeps, req: SimRequest): SimResponse {
  const a = account(req);
  if ('error' in a) return fail(a.error);
  const pdno = param(req, 'PDNO');
  const dvsn = param(req, 'ORD_DVSN');
  const unpr = param(req, 'ORD_UNPR');
  if (!/^\d{2}$/.test(dvsn)) return fail(invalidParam('ORD_DVSN'));
  if (unpr !== '' && !/^\d+$/.test(unpr)) return fail(invalidParam('ORD_UNPR'));
  const ex = deps.exchange;
  const cash = ex.cash(a.account, req.now);
  const today = kstDateOf(req.now);
  // sell proceeds not settled yet may already fund buys (§11.5, ruse_psbl_amt)
  const reusable = sum(
    ex.trades(a.account).filter((t) => t.side === 'sell' && deps.calendar.addTradingDays(t.date, 2) > today),
    (t) => t.amount - t.commission - t.tax,
  );
  const available = krw(Math.max(0, cash.available));
  let unit = 0;
  let qty = 0;
  if (pdno !== '') {
    if (!deps.market.symbol(pdno)) return fail(MSG.noSuchStock);
    const q = deps.market.quote(pdno, req.now);
    // §7.5, §13.11: market orders (and no price) are sized at the upper limit
    unit = dvsn === '01' || unpr === '' || Number(unpr) === 0 ? q.upper : Number(unpr);
    qty = maxBuyQty(available, krw(unit), deps.fees);
  }
  const amt = maxBuyAmount(available, deps.fees);
  const output = {
    ord_psbl_cash: n(Math.max(0, available - reusable)), ord_psbl_sbst: '0', ruse_psbl_amt: n(Math.min(reusable, available)), fund_rpch_chgs: '0',
    psbl_qty_calc_unpr: n(unit), nrcvb_buy_amt: n(amt), nrcvb_buy_qty: n(qty),
    // simulated accounts are cash accounts (100 % margin): buying on margin (미수) adds nothing
    max_buy_amt: n(amt), max_buy_qty: n(qty), cma_evlu_amt: '0', ovrs_re_use_amt_wcrc: '0', ord_psbl_frcr_amt_wcrc: '0',
  };
  return ok(MSG.inquiryOk, { output });
}

export function psblRvsecncl(deps: HandlerDeps, req: SimRequest): SimResponse {
  const a = account(req);
  if ('error' in a) return fail(a.error);
  const by = param(req, 'INQR_DVSN_1');
  const side = param(req, 'INQR_DVSN_2');
  if (!['0', '1'].includes(by)) return fail(invalidParam('INQR_DVSN_1'));
  if (!['0', '1', '2'].includes(side)) return fail(invalidParam('INQR_DVSN_2'));
  const today = kstDateOf(req.now);
  const open = deps.exchange.orders(a.account, today).filter((o) =>
    o.remainingQty > 0 && (side === '0' || (side === '1' ? o.side === 'sell' : o.side === 'buy')));
  open.sort((x, y) => (by === '1' ? x.symbol.localeCompare(y.symbol) : 0) || x.odno.localeCompare(y.odno));
  const page = paginate(req, open, 50, (o) => o.odno, [a.cano, a.prdt]);
  const output = page.rows.map((o) => ({
    ord_gno_brno: o.branch, odno: o.odno, orgn_odno: o.orgnOdno ?? deps.variant.newOrderOrgnOdno, ord_dvsn_name: o.type === 'market' ? '시장가' : '지정가', pdno: o.symbol,
    prdt_name: o.name, rvse_cncl_dvsn_name: o.kind === 'modify' ? (o.side === 'buy' ? '매수정정*' : '매도정정*') : '', ord_qty: n(o.qty),
    ord_unpr: n(o.price), ord_tmd: hhmmss(o.orderedAt), tot_ccld_qty: n(o.filledQty), tot_ccld_amt: n(o.filledValue), psbl_qty: n(o.remainingQty),
    sll_buy_dvsn_cd: SIDE_CODE[o.side], ord_dvsn_cd: o.type === 'market' ? '01' : '00', mgco_aptm_odno: '', excg_dvsn_cd: '02',
    excg_id_dvsn_cd: 'KRX', excg_id_dvsn_name: '한국거래소', stpm_cndt_pric: '0', stpm_efct_occr_yn: 'N',
  }));
  return ok(MSG.inquiryOk, { ctx_area_fk100: page.fk100, ctx_area_nk100: page.nk100, output }, page.trCont);
}

export function psblSell(deps: HandlerDeps, req: SimRequest): SimResponse {
  const a = account(req);
  if ('error' in a) return fail(a.error);
  const pdno = param(req, 'PDNO');
  const sym = deps.market.symbol(pdno);
  if (!sym) return fail(MSG.noSuchStock);
  const h = deps.exchange.holdings(a.account).find((x) => x.symbol === pdno);
  const q = deps.market.quote(pdno, req.now);
  const trades = tradesOf(deps.exchange.trades(a.account), kstDateOf(req.now), pdno);
  const qty = h?.qty ?? 0;
  const cost = h?.cost ?? 0;
  const evlu = qty * q.price;
  const output = {
    pdno, prdt_name: sym.name, buy_qty: n(sum(trades.filter((t) => t.side === 'buy'), (t) => t.qty)),
    sll_qty: n(sum(trades.filter((t) => t.side === 'sell'), (t) => t.qty)), cblc_qty: n(qty), nsvg_qty: '0', ord_psbl_qty: n(h?.sellableQty ?? 0),
    pchs_avg_pric: fixed(qty > 0 ? cost / qty : 0, 4), pchs_amt: n(cost), now_pric: n(q.price), evlu_amt: n(evlu),
    evlu_pfls_amt: n(evlu - cost), evlu_pfls_rt: cost > 0 ? changeRate(evlu, cost) : '0.00',
  };
  return ok(MSG.sellableOk, { output });
}
