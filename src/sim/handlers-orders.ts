import { checkAccount } from './account-check.js';
import { bodyHash } from './hashkey.js';
import { MSG, badFieldValue, missingField, orderAcceptedMessage, rejectionMessage } from './messages.js';
import type { KisMessage } from './messages.js';
import type { ReviseInput, EntryResult } from '../exchange/index.js';
import { placeOrder, reviseOrder } from '../exchange/index.js';
import { fail, hhmmss } from './wire-format.js';
import type { HandlerDeps, SimRequest, SimResponse } from './wire-format.js';

/**
 * Order POSTs (docs/kis-wire.md §7.2, §7.3) and the hashkey (§3.4). Bodies must use UPPERCASE keys
 * and string values (§2.2): a lowercase key counts as the uppercase field missing.
 */
type Fields = { fields: Record<string, string> } | { error: KisMessage };

function bodyFields(req: SimRequest): Fields {
  const body = req.body;
  if (!body) return { error: MSG.badBody };
  for (const key of Object.keys(body)) {
    if (key !== key.toUpperCase()) return { error: missingField(key.toUpperCase()) };
  }
  const fields: Record<string, string> = {};
  for (const [key, value] of Object.entries(body)) {
    if (typeof value !== 'string') return { error: badFieldValue(key) };
    fields[key] = value;
  }
  for (const key of req.route.required) {
    if (!(key in fields)) return { error: missingField(key) };
  }
  return { fields };
}

/** paper trades KRX only; the simulator routes nothing to NXT/SOR on either environment */
function exchangeOk(f: Record<string, string>): boolean {
  const ex = f.EXCG_ID_DVSN_CD ?? '';
  return ex === '' || ex === 'KRX';
}

function answer(deps: HandlerDeps, res: EntryResult, what: 'buy' | 'sell' | 'modify' | 'cancel'): SimResponse {
  if (!res.ok) return fail(rejectionMessage(deps.env, res.reason));
  const r = res.record;
  const msg = orderAcceptedMessage(deps.env, what);
  // paper acknowledgements have been seen without the zero padding the inquiries use (variants.ts)
  const odno = deps.env === 'paper' && deps.variant.unpaddedPaperAck ? r.odno.replace(/^0+(?=\d)/, '') : r.odno;
  // envelope first, then output, as the order fixtures are laid out
  return {
    status: 200,
    body: { rt_cd: msg.rtCd, msg_cd: msg.msgCd, msg1: msg.msg1, output: { KRX_FWDG_ORD_ORGNO: r.branch, ODNO: odno, ORD_TMD: hhmmss(r.orderedAt) } },
  };
}

export function orderCash(deps: HandlerDeps, req: SimRequest): SimResponse {
  const parsed = bodyFields(req);
  if ('error' in parsed) return fail(parsed.error);
  const f = parsed.fields;
  const acct = checkAccount(req, f.CANO ?? '', f.ACNT_PRDT_CD ?? '');
  if ('error' in acct) return fail(acct.error);
  if (!exchangeOk(f)) return fail(rejectionMessage(deps.env, 'UNSUPPORTED_ORDER_TYPE'));
  const side = req.trId.endsWith('0012U') ? 'buy' : 'sell';
  const input = {
    account: acct.account, symbol: f.PDNO ?? '', side, ordDvsn: f.ORD_DVSN ?? '', qty: f.ORD_QTY ?? '', price: f.ORD_UNPR ?? '', now: req.now,
  } as const;
  const res = placeOrder(deps.exchange, deps.env, input);
  if (res.ok) deps.journal?.append({ kind: 'place', input });
  const out = answer(deps, res, side);
  if (res.ok && req.rejectAfterAccept && deps.exchange.rejectAccepted(res.record.date, res.record.odno, req.now)) {
    deps.journal?.append({ kind: 'reject', date: res.record.date, odno: res.record.odno, at: req.now });
  }
  return out;
}

export function orderRvsecncl(deps: HandlerDeps, req: SimRequest): SimResponse {
  const parsed = bodyFields(req);
  if ('error' in parsed) return fail(parsed.error);
  const f = parsed.fields;
  const acct = checkAccount(req, f.CANO ?? '', f.ACNT_PRDT_CD ?? '');
  if ('error' in acct) return fail(acct.error);
  const kind = f.RVSE_CNCL_DVSN_CD === '01' ? 'modify' : f.RVSE_CNCL_DVSN_CD === '02' ? 'cancel' : null;
  if (!kind) return fail(badFieldValue('RVSE_CNCL_DVSN_CD'));
  const all = f.QTY_ALL_ORD_YN === 'Y' ? true : f.QTY_ALL_ORD_YN === 'N' ? false : null;
  if (all === null) return fail(badFieldValue('QTY_ALL_ORD_YN'));
  if (!exchangeOk(f)) return fail(rejectionMessage(deps.env, 'UNSUPPORTED_ORDER_TYPE'));
  const input: ReviseInput = {
    account: acct.account, branch: f.KRX_FWDG_ORD_ORGNO ?? '', orgnOdno: f.ORGN_ODNO ?? '', kind, ordDvsn: f.ORD_DVSN ?? '',
    qty: f.ORD_QTY ?? '', price: f.ORD_UNPR ?? '', all, now: req.now,
  };
  const res = reviseOrder(deps.exchange, deps.env, input);
  if (res.ok) deps.journal?.append({ kind: 'revise', input });
  return answer(deps, res, kind);
}

/** §3.4: echoes the body with a SHA-256 of it; never required by the order endpoints, but checked when sent (http-server.ts). */
export function hashkey(_deps: HandlerDeps, req: SimRequest): SimResponse {
  if (!req.body) return fail(MSG.badBody);
  return { status: 200, body: { BODY: req.body, HASH: bodyHash(req.rawBody) } };
}
