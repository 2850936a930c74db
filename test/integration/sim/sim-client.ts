import { readFileSync } from 'node:fs';
import { request } from 'undici';
import { createManualClock, kstInstant, tradingDate } from '../../../src/domain/index.js';
import type { EpochMs, KisEnv, ManualClock } from '../../../src/domain/index.js';
import { DEFAULT_FEE_RATES, createCalendar, parseCalendarData } from '../../../src/market/index.js';
import type { TradingCalendar } from '../../../src/market/index.js';
import { SIM_DEFAULT_CREDENTIALS, createSimulator } from '../../../src/sim/index.js';
import type { Simulator, SimulatorOptions } from '../../../src/sim/index.js';

/**
 * A bare HTTP client for the simulator's integration tests: undici `request` only, deliberately
 * not src/kis/, so these tests pin the wire itself.
 */
export const CRED = SIM_DEFAULT_CREDENTIALS;
export const DAY = tradingDate('20260312');
export const at = (hhmmss: string, day = DAY): EpochMs => kstInstant(day, hhmmss);

let calendar: TradingCalendar | null = null;
export function krxCalendar(): TradingCalendar {
  calendar ??= createCalendar(parseCalendarData(JSON.parse(readFileSync(new URL('../../../config/krx-calendar.json', import.meta.url), 'utf8'))));
  return calendar;
}

export interface Harness {
  sim: Simulator;
  clock: ManualClock;
  url: string;
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<Reply>;
  get(path: string, query: Record<string, string>, headers?: Record<string, string>): Promise<Reply>;
  /** tokenP with the default credentials; returns the access token */
  token(): Promise<string>;
  /** the full header set of §2.1 for a TR */
  headers(trId: string, token: string, extra?: Record<string, string>): Record<string, string>;
}

export type Row = Record<string, string>;

/**
 * The union of the body shapes these tests read. Which fields exist depends on the endpoint;
 * a test reads only those of the endpoint it called (balance's output2 is an array: use rows2()).
 */
export interface WireBody {
  rt_cd: string;
  msg_cd: string;
  msg1: string;
  output: Row;
  output1: Row[];
  output2: Row;
  ctx_area_fk100: string;
  ctx_area_nk100: string;
  access_token: string;
  access_token_token_expired: string;
  token_type: string;
  expires_in: number;
  error_code: string;
  error_description: string;
}

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: WireBody;
}

/** output2 of inquire-balance: an array with one summary row */
export function rows2(body: WireBody): Row[] {
  return body.output2 as unknown as Row[];
}

/** Tests run many calls at one manual-clock instant, so the rate limit is lifted unless `defaultRateLimit`. */
export async function startSim(opts: Partial<SimulatorOptions> & { env: KisEnv; start?: EpochMs; defaultRateLimit?: boolean }): Promise<Harness> {
  const clock = createManualClock(opts.start ?? at('100000'));
  const { defaultRateLimit, start: _start, ...rest } = opts;
  const base: SimulatorOptions = { seed: 42, calendar: krxCalendar(), fees: DEFAULT_FEE_RATES, ...rest, clock };
  if (!defaultRateLimit && base.rateLimitPerSec === undefined) base.rateLimitPerSec = 1000;
  const sim = createSimulator(base);
  const { url } = await sim.start();
  const send = async (path: string, init: Parameters<typeof request>[1]): Promise<Reply> => {
    const r = await request(url + path, init);
    const text = await r.body.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // non-JSON bodies (the http-500 fault) stay text
    }
    return { status: r.statusCode, headers: r.headers, body: body as WireBody };
  };
  const h: Harness = {
    sim,
    clock,
    url,
    post: (path, body, headers = {}) =>
      send(path, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json; charset=utf-8', ...headers } }),
    get: (path, query, headers = {}) => send(`${path}?${new URLSearchParams(query).toString()}`, { method: 'GET', headers }),
    async token() {
      const r = await h.post('/oauth2/tokenP', { grant_type: 'client_credentials', appkey: CRED.appKey, appsecret: CRED.appSecret });
      if (r.status !== 200) throw new Error(`tokenP failed: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body.access_token;
    },
    headers: (trId, token, extra = {}) => ({
      authorization: `Bearer ${token}`, appkey: CRED.appKey, appsecret: CRED.appSecret, tr_id: trId, custtype: 'P', ...extra,
    }),
  };
  return h;
}

export const PATHS = {
  price: '/uapi/domestic-stock/v1/quotations/inquire-price',
  volumeRank: '/uapi/domestic-stock/v1/quotations/volume-rank',
  balance: '/uapi/domestic-stock/v1/trading/inquire-balance',
  orderCash: '/uapi/domestic-stock/v1/trading/order-cash',
  rvsecncl: '/uapi/domestic-stock/v1/trading/order-rvsecncl',
  dailyCcld: '/uapi/domestic-stock/v1/trading/inquire-daily-ccld',
  psblOrder: '/uapi/domestic-stock/v1/trading/inquire-psbl-order',
} as const;

export const priceQuery = (code = '005930') => ({ FID_COND_MRKT_DIV_CODE: 'J', FID_INPUT_ISCD: code });

export const balanceQuery = (extra: Record<string, string> = {}) => ({
  CANO: '50000000', ACNT_PRDT_CD: '01', AFHR_FLPR_YN: 'N', OFL_YN: '', INQR_DVSN: '02', UNPR_DVSN: '01', FUND_STTL_ICLD_YN: 'N',
  FNCG_AMT_AUTO_RDPT_YN: 'N', PRCS_DVSN: '01', CTX_AREA_FK100: '', CTX_AREA_NK100: '', ...extra,
});

export const ccldQuery = (extra: Record<string, string> = {}) => ({
  CANO: '50000000', ACNT_PRDT_CD: '01', INQR_STRT_DT: DAY, INQR_END_DT: DAY, SLL_BUY_DVSN_CD: '00', INQR_DVSN: '00', PDNO: '',
  CCLD_DVSN: '00', ORD_GNO_BRNO: '', ODNO: '', INQR_DVSN_3: '00', INQR_DVSN_1: '', CTX_AREA_FK100: '', CTX_AREA_NK100: '', ...extra,
});

export const orderBody = (extra: Record<string, string> = {}) => ({
  CANO: '50000000', ACNT_PRDT_CD: '01', PDNO: '005930', ORD_DVSN: '01', ORD_QTY: '10', ORD_UNPR: '0', ...extra,
});
