import { AppError } from '../domain/index.js';
import type { KisEnv, Lane } from '../domain/index.js';

/**
 * Every KIS REST endpoint the client uses, in one table (docs/kis-wire.md §2.7, §6, §7).
 * Only the NEW TR IDs: the old ones "may be blocked without notice" (§2.7).
 * `paper: null` = "모의투자 미지원": calling it on paper fails before any request is made.
 */
export type EndpointName =
  | 'token'
  | 'approval'
  | 'hashkey'
  | 'price'
  | 'orderBook'
  | 'dailyBars'
  | 'minuteBars'
  | 'volumeRank'
  | 'fluctuationRank'
  | 'holidays'
  | 'balance'
  | 'buyingPower'
  | 'sellable'
  | 'orderBuy'
  | 'orderSell'
  | 'cancel'
  | 'dailyOrders'
  | 'dailyOrdersOld'
  | 'cancellable';

export interface EndpointDef {
  name: EndpointName;
  method: 'GET' | 'POST';
  path: string;
  /** null for the OAuth/hashkey calls, which carry no tr_id */
  trId: { live: string; paper: string | null } | null;
  /** rows per page when the endpoint paginates with tr_cont (§2.6); null = no continuation */
  pageSize: { live: number; paper: number } | null;
  lane: Lane;
  /** an order POST: never retried, failures classified as rejected/unknown */
  isOrder: boolean;
  /** the uapi envelope (rt_cd/msg_cd/msg1) is expected on success */
  envelope: boolean;
}

const Q = '/uapi/domestic-stock/v1/quotations';
const T = '/uapi/domestic-stock/v1/trading';

type Row = Omit<EndpointDef, 'name'>;
const get = (path: string, live: string, paper: string | null, lane: Lane, pageSize: EndpointDef['pageSize'] = null): Row =>
  ({ method: 'GET', path, trId: { live, paper }, pageSize, lane, isOrder: false, envelope: true });
const order = (path: string, live: string, paper: string): Row =>
  ({ method: 'POST', path, trId: { live, paper }, pageSize: null, lane: 'order', isOrder: true, envelope: true });

export const ENDPOINTS: Readonly<Record<EndpointName, EndpointDef>> = Object.freeze({
  // §3.1: no auth headers, OAuth error shape; §3.4: hashkey counts against the rate limit.
  token: { name: 'token', method: 'POST', path: '/oauth2/tokenP', trId: null, pageSize: null, lane: 'order', isOrder: false, envelope: false },
  // §3.3: the WebSocket approval key, OAuth shape like tokenP
  approval: { name: 'approval', method: 'POST', path: '/oauth2/Approval', trId: null, pageSize: null, lane: 'reconcile', isOrder: false, envelope: false },
  hashkey: { name: 'hashkey', method: 'POST', path: '/uapi/hashkey', trId: null, pageSize: null, lane: 'order', isOrder: false, envelope: false },
  price: { name: 'price', ...get(`${Q}/inquire-price`, 'FHKST01010100', 'FHKST01010100', 'signal') },
  orderBook: { name: 'orderBook', ...get(`${Q}/inquire-asking-price-exp-ccn`, 'FHKST01010200', 'FHKST01010200', 'signal') },
  dailyBars: { name: 'dailyBars', ...get(`${Q}/inquire-daily-itemchartprice`, 'FHKST03010100', 'FHKST03010100', 'signal') },
  minuteBars: { name: 'minuteBars', ...get(`${Q}/inquire-time-itemchartprice`, 'FHKST03010200', 'FHKST03010200', 'signal') },
  // §6.5, §6.6, §6.7: live only.
  volumeRank: { name: 'volumeRank', ...get(`${Q}/volume-rank`, 'FHPST01710000', null, 'scan') },
  fluctuationRank: { name: 'fluctuationRank', ...get('/uapi/domestic-stock/v1/ranking/fluctuation', 'FHPST01700000', null, 'scan') },
  holidays: { name: 'holidays', ...get(`${Q}/chk-holiday`, 'CTCA0903R', null, 'reconcile') },
  // §7.1: 50 rows live / 20 paper.
  balance: { name: 'balance', ...get(`${T}/inquire-balance`, 'TTTC8434R', 'VTTC8434R', 'reconcile', { live: 50, paper: 20 }) },
  buyingPower: { name: 'buyingPower', ...get(`${T}/inquire-psbl-order`, 'TTTC8908R', 'VTTC8908R', 'signal') },
  sellable: { name: 'sellable', ...get(`${T}/inquire-psbl-sell`, 'TTTC8408R', null, 'signal') },
  orderBuy: { name: 'orderBuy', ...order(`${T}/order-cash`, 'TTTC0012U', 'VTTC0012U') },
  orderSell: { name: 'orderSell', ...order(`${T}/order-cash`, 'TTTC0011U', 'VTTC0011U') },
  cancel: { name: 'cancel', ...order(`${T}/order-rvsecncl`, 'TTTC0013U', 'VTTC0013U') },
  // §7.4: 100 rows live / 15 paper; the old-period TR for dates more than 3 months back.
  dailyOrders: { name: 'dailyOrders', ...get(`${T}/inquire-daily-ccld`, 'TTTC0081R', 'VTTC0081R', 'reconcile', { live: 100, paper: 15 }) },
  dailyOrdersOld: { name: 'dailyOrdersOld', ...get(`${T}/inquire-daily-ccld`, 'CTSC9215R', 'VTSC9215R', 'reconcile', { live: 100, paper: 15 }) },
  // §7.6: live only, 50 rows; paper derives open orders from daily orders.
  cancellable: { name: 'cancellable', ...get(`${T}/inquire-psbl-rvsecncl`, 'TTTC0084R', null, 'reconcile', { live: 50, paper: 50 }) },
});

/** The TR_ID for `env`, or AppError KIS_NOT_AVAILABLE_ON_PAPER (thrown before any request). */
export function trIdFor(ep: EndpointDef, env: KisEnv): string | null {
  if (ep.trId === null) return null;
  const id = env === 'live' ? ep.trId.live : ep.trId.paper;
  if (id === null) {
    throw new AppError('KIS_NOT_AVAILABLE_ON_PAPER', `KIS ${ep.name} (${ep.trId.live}) is not provided on paper (모의투자 미지원)`, {
      details: { endpoint: ep.name, trId: ep.trId.live },
    });
  }
  return id;
}

export function pageSizeFor(ep: EndpointDef, env: KisEnv): number | null {
  return ep.pageSize === null ? null : ep.pageSize[env];
}

export function isAvailable(ep: EndpointDef, env: KisEnv): boolean {
  return ep.trId === null || (env === 'live' ? ep.trId.live : ep.trId.paper) !== null;
}
