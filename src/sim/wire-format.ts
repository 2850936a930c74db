import { kstParts } from '../domain/index.js';
import type { SimJournal } from './journal.js';
import type { EpochMs, KisEnv, Krw } from '../domain/index.js';
import type { FeeRates } from '../market/index.js';
import type { SimCredentials } from './credentials.js';
import type { SimExchange } from '../exchange/index.js';
import type { KisMessage } from './messages.js';
import type { Route } from './routes.js';
import type { SimCalendar, SyntheticMarket } from '../synthetic/index.js';
import type { WireVariant } from './variants.js';

/**
 * What handlers see and return. Every value on the wire is a string (docs/kis-wire.md §2.4), so the
 * helpers here turn integers and rates into KIS-shaped strings in one place.
 */
export interface SimRequest {
  route: Route;
  path: string;
  /** query parameters by lower-cased name: KIS matches names case-insensitively (§2.2) */
  query: ReadonlyMap<string, string>;
  body: Record<string, unknown> | null;
  rawBody: string;
  headers: Readonly<Record<string, string | string[] | undefined>>;
  trId: string;
  /** request header tr_cont: 'N' asks for the next page (§2.6) */
  trCont: string;
  cred: SimCredentials | null;
  token: string;
  now: EpochMs;
  /** fault 'reject-after-accept' hit this request: an accepted order is then refused by the exchange */
  rejectAfterAccept?: boolean;
}

export interface SimResponse {
  status: number;
  body: unknown;
  /** response header tr_cont for paginated endpoints */
  trCont?: string;
}

export interface HandlerDeps {
  /** where accepted orders are recorded for a restart (null: not kept) */
  journal: SimJournal | null;
  env: KisEnv;
  market: SyntheticMarket;
  exchange: SimExchange;
  calendar: SimCalendar;
  fees: FeeRates;
  branch: string;
  /** which of KIS's known answer shapes to use (variants.ts) */
  variant: WireVariant;
}

export function param(req: SimRequest, name: string): string {
  return req.query.get(name.toLowerCase()) ?? '';
}

export function ok(msg: KisMessage, outputs: Record<string, unknown>, trCont?: string): SimResponse {
  const res: SimResponse = { status: 200, body: { ...outputs, rt_cd: msg.rtCd, msg_cd: msg.msgCd, msg1: msg.msg1 } };
  if (trCont !== undefined) res.trCont = trCont;
  return res;
}

export function fail(msg: KisMessage, status = 200): SimResponse {
  return { status, body: { rt_cd: msg.rtCd, msg_cd: msg.msgCd, msg1: msg.msg1 } };
}

/** ctx_area_fk100 / nk100 are space-padded to 100 characters (§2.6, §13.13). */
export function pad100(s: string): string {
  return s.padEnd(100).slice(0, 100);
}

export function n(v: number): string {
  return String(Math.round(v));
}

export function fixed(v: number, digits: number): string {
  const s = (Number.isFinite(v) ? v : 0).toFixed(digits);
  return /^-0\.0*$/.test(s) ? s.slice(1) : s;
}

/** change vs base in %, two decimals, e.g. "-0.46" */
export function changeRate(price: number, base: number): string {
  return base > 0 ? fixed(((price - base) / base) * 100, 2) : '0.00';
}

/** prdy_vrss_sign (§8.2): 1 upper limit, 2 up, 3 flat, 4 lower limit, 5 down */
export function changeSign(price: Krw, base: Krw, upper: Krw, lower: Krw): string {
  if (price === upper && price > base) return '1';
  if (price === lower && price < base) return '4';
  return price > base ? '2' : price < base ? '5' : '3';
}

export function hhmmss(t: EpochMs): string {
  const p = kstParts(t);
  return [p.hour, p.minute, p.second].map((x) => String(x).padStart(2, '0')).join('');
}
