import type { KisEnv } from '../domain/index.js';
import { MSG } from './messages.js';
import type { KisMessage } from './messages.js';

/**
 * The endpoints the simulator serves, as one table: path, method, how it authenticates, the
 * TR_IDs valid per environment (docs/kis-wire.md §2.7, §6, §7; an empty paper list = live only,
 * "모의투자 미지원") and the parameters KIS requires (sent even when empty, §2.2).
 */
export type HandlerName =
  | 'tokenP' | 'revokeP' | 'approval' | 'hashkey'
  | 'inquirePrice' | 'askingPrice' | 'dailyChart' | 'volumeRank' | 'fluctuation' | 'chkHoliday'
  | 'balance' | 'orderCash' | 'orderRvsecncl' | 'dailyCcld' | 'psblOrder' | 'psblRvsecncl' | 'psblSell';

export interface Route {
  path: string;
  method: 'GET' | 'POST';
  /** none: OAuth endpoints; keys: appkey/appsecret only (hashkey, §3.4); token: full headers (§2.1) */
  auth: 'none' | 'keys' | 'token';
  trIds: { live: readonly string[]; paper: readonly string[] } | null;
  handler: HandlerName;
  required: readonly string[];
}

const Q = '/uapi/domestic-stock/v1/quotations';
const T = '/uapi/domestic-stock/v1/trading';
const ACCOUNT = ['CANO', 'ACNT_PRDT_CD'];
const CURSOR = ['CTX_AREA_FK100', 'CTX_AREA_NK100'];

export const ROUTES: readonly Route[] = [
  { path: '/oauth2/tokenP', method: 'POST', auth: 'none', trIds: null, handler: 'tokenP', required: ['grant_type', 'appkey', 'appsecret'] },
  { path: '/oauth2/revokeP', method: 'POST', auth: 'none', trIds: null, handler: 'revokeP', required: ['appkey', 'appsecret', 'token'] },
  { path: '/oauth2/Approval', method: 'POST', auth: 'none', trIds: null, handler: 'approval', required: ['grant_type', 'appkey', 'secretkey'] },
  { path: '/uapi/hashkey', method: 'POST', auth: 'keys', trIds: null, handler: 'hashkey', required: [] },
  {
    path: `${Q}/inquire-price`, method: 'GET', auth: 'token', handler: 'inquirePrice',
    trIds: { live: ['FHKST01010100'], paper: ['FHKST01010100'] }, required: ['FID_COND_MRKT_DIV_CODE', 'FID_INPUT_ISCD'],
  },
  {
    path: `${Q}/inquire-asking-price-exp-ccn`, method: 'GET', auth: 'token', handler: 'askingPrice',
    trIds: { live: ['FHKST01010200'], paper: ['FHKST01010200'] }, required: ['FID_COND_MRKT_DIV_CODE', 'FID_INPUT_ISCD'],
  },
  {
    path: `${Q}/inquire-daily-itemchartprice`, method: 'GET', auth: 'token', handler: 'dailyChart',
    trIds: { live: ['FHKST03010100'], paper: ['FHKST03010100'] },
    required: ['FID_COND_MRKT_DIV_CODE', 'FID_INPUT_ISCD', 'FID_INPUT_DATE_1', 'FID_INPUT_DATE_2', 'FID_PERIOD_DIV_CODE', 'FID_ORG_ADJ_PRC'],
  },
  {
    path: `${Q}/volume-rank`, method: 'GET', auth: 'token', handler: 'volumeRank', trIds: { live: ['FHPST01710000'], paper: [] },
    required: [
      'FID_COND_MRKT_DIV_CODE', 'FID_COND_SCR_DIV_CODE', 'FID_INPUT_ISCD', 'FID_DIV_CLS_CODE', 'FID_BLNG_CLS_CODE', 'FID_TRGT_CLS_CODE',
      'FID_TRGT_EXLS_CLS_CODE', 'FID_INPUT_PRICE_1', 'FID_INPUT_PRICE_2', 'FID_VOL_CNT', 'FID_INPUT_DATE_1',
    ],
  },
  {
    path: '/uapi/domestic-stock/v1/ranking/fluctuation', method: 'GET', auth: 'token', handler: 'fluctuation',
    trIds: { live: ['FHPST01700000'], paper: [] },
    required: [
      'fid_cond_mrkt_div_code', 'fid_cond_scr_div_code', 'fid_input_iscd', 'fid_rank_sort_cls_code', 'fid_input_cnt_1', 'fid_prc_cls_code',
      'fid_input_price_1', 'fid_input_price_2', 'fid_vol_cnt', 'fid_trgt_cls_code', 'fid_trgt_exls_cls_code', 'fid_div_cls_code',
      'fid_rsfl_rate1', 'fid_rsfl_rate2',
    ],
  },
  {
    path: `${Q}/chk-holiday`, method: 'GET', auth: 'token', handler: 'chkHoliday', trIds: { live: ['CTCA0903R'], paper: [] },
    required: ['BASS_DT', 'CTX_AREA_NK', 'CTX_AREA_FK'],
  },
  {
    path: `${T}/inquire-balance`, method: 'GET', auth: 'token', handler: 'balance', trIds: { live: ['TTTC8434R'], paper: ['VTTC8434R'] },
    required: [...ACCOUNT, 'AFHR_FLPR_YN', 'OFL_YN', 'INQR_DVSN', 'UNPR_DVSN', 'FUND_STTL_ICLD_YN', 'FNCG_AMT_AUTO_RDPT_YN', 'PRCS_DVSN', ...CURSOR],
  },
  {
    path: `${T}/order-cash`, method: 'POST', auth: 'token', handler: 'orderCash',
    trIds: { live: ['TTTC0012U', 'TTTC0011U'], paper: ['VTTC0012U', 'VTTC0011U'] },
    required: [...ACCOUNT, 'PDNO', 'ORD_DVSN', 'ORD_QTY', 'ORD_UNPR'],
  },
  {
    path: `${T}/order-rvsecncl`, method: 'POST', auth: 'token', handler: 'orderRvsecncl', trIds: { live: ['TTTC0013U'], paper: ['VTTC0013U'] },
    required: [...ACCOUNT, 'KRX_FWDG_ORD_ORGNO', 'ORGN_ODNO', 'ORD_DVSN', 'RVSE_CNCL_DVSN_CD', 'ORD_QTY', 'ORD_UNPR', 'QTY_ALL_ORD_YN'],
  },
  {
    // CTSC9215R / VTSC9215R serve orders older than 3 months (§7.4); the simulator keeps every day, so both read the same book
    path: `${T}/inquire-daily-ccld`, method: 'GET', auth: 'token', handler: 'dailyCcld',
    trIds: { live: ['TTTC0081R', 'CTSC9215R'], paper: ['VTTC0081R', 'VTSC9215R'] },
    required: [
      ...ACCOUNT, 'INQR_STRT_DT', 'INQR_END_DT', 'SLL_BUY_DVSN_CD', 'INQR_DVSN', 'PDNO', 'CCLD_DVSN', 'ORD_GNO_BRNO', 'ODNO', 'INQR_DVSN_3',
      'INQR_DVSN_1', ...CURSOR,
    ],
  },
  {
    path: `${T}/inquire-psbl-order`, method: 'GET', auth: 'token', handler: 'psblOrder', trIds: { live: ['TTTC8908R'], paper: ['VTTC8908R'] },
    required: [...ACCOUNT, 'PDNO', 'ORD_UNPR', 'ORD_DVSN', 'CMA_EVLU_AMT_ICLD_YN', 'OVRS_ICLD_YN'],
  },
  {
    path: `${T}/inquire-psbl-rvsecncl`, method: 'GET', auth: 'token', handler: 'psblRvsecncl', trIds: { live: ['TTTC0084R'], paper: [] },
    required: [...ACCOUNT, ...CURSOR, 'INQR_DVSN_1', 'INQR_DVSN_2'],
  },
  {
    path: `${T}/inquire-psbl-sell`, method: 'GET', auth: 'token', handler: 'psblSell', trIds: { live: ['TTTC8408R'], paper: [] },
    required: [...ACCOUNT, 'PDNO'],
  },
];

/** Retired TR IDs (§2.7): refused, so a client still using them fails here before it fails at KIS. */
export const RETIRED_TR_IDS: ReadonlySet<string> = new Set([
  'TTTC0801U', 'VTTC0801U', 'TTTC0802U', 'VTTC0802U', 'TTTC0803U', 'VTTC0803U', 'TTTC8001R', 'VTTC8001R', 'CTSC9115R', 'VTSC9115R', 'TTTC8036R',
]);

const byPath = new Map(ROUTES.map((r) => [r.path, r]));

export function findRoute(path: string): Route | undefined {
  return byPath.get(path);
}

/**
 * The TR_ID must belong to the path and the environment (§1, §12): a paper TR on live is
 * EGW02004, a live TR (or a live-only path) on paper EGW02006, anything else OPSQ0002.
 */
export function checkTrId(route: Route, env: KisEnv, trId: string): KisMessage | null {
  if (!route.trIds) return null;
  const mine = route.trIds[env];
  if (mine.includes(trId)) return null;
  if (RETIRED_TR_IDS.has(trId)) return MSG.unknownService;
  const other = route.trIds[env === 'live' ? 'paper' : 'live'];
  if (env === 'paper' && (mine.length === 0 || other.includes(trId))) return MSG.notPaperTr;
  if (env === 'live' && other.includes(trId)) return MSG.notLiveTr;
  return MSG.unknownService;
}
