import { AppError, isAppError } from '../domain/index.js';

/**
 * KIS failures come in three kinds (docs/architecture.md §5) plus "the body did not parse":
 *  network  no HTTP response at all: the undici/Node code, and whether the request may have left
 *  http     a non-2xx status without a KIS envelope
 *  api      an envelope with rt_cd ≠ "0" (msg_cd, msg1), or the OAuth {error_code,error_description} shape
 *  invalid  a 2xx whose body breaks the schema (KIS_RESPONSE_INVALID)
 * Each is an AppError whose details carry the fields below; classify() reads only those.
 */
export type KisFailure =
  | { kind: 'network'; endpoint: string; trId: string | null; errorCode: string; mayHaveBeenSent: boolean; detail?: string }
  | { kind: 'http'; endpoint: string; trId: string | null; status: number }
  | { kind: 'api'; endpoint: string; trId: string | null; status: number; msgCode: string; msg: string; rtCd: string | null }
  | { kind: 'invalid'; endpoint: string; trId: string | null; status: number; path: string; problem: string };

export type Classification = 'retry' | 'reauth' | 'reject' | 'unknown';

/** docs/kis-wire.md §5.1: the token is expired or invalid → drop it, re-issue once, retry once. */
export const REAUTH_CODES: ReadonlySet<string> = new Set(['EGW00123', 'EGW00121']);
/** §4: per-second limit; nothing was executed. */
export const RATE_LIMIT_CODE = 'EGW00201';
/** §3.1: tokenP called twice within a minute (HTTP 403, OAuth error shape). */
export const TOKEN_THROTTLE_CODE = 'EGW00133';
/** §5.1: gateway server/routing errors ("retry later"). */
export const TRANSIENT_GATEWAY_CODES: ReadonlySet<string> = new Set(['EGW00001', 'EGW00002', 'EGW00203', 'EGW00300']);
/**
 * §5.2 (paper): "모의투자 장시작전 입니다" — the paper order system is not open yet. A business
 * refusal, so no order exists; a moment later the same order is accepted.
 */
export const PAPER_BEFORE_OPEN_CODE = '40570000';
/**
 * Refusals of a cancel that mean there is nothing left to cancel: the order already filled,
 * expired or was cancelled. Paper answers 40650000 "주문가능수량을 초과하였습니다" (§5.2, quantity
 * exceeds the cancellable quantity); live has no documented code, APBK1192/APBK1193 are what the
 * simulator sends (sim/messages.ts). Any other refusal is definitive too, just not known to mean this.
 */
export const NOTHING_TO_CANCEL_CODES: ReadonlySet<string> = new Set(['40650000', 'APBK1192', 'APBK1193']);

/**
 * Refusals of an order because the market takes none now (docs/kis-wire.md §5.2): live APBK0919
 * (the order date is not the market's operating day), paper 40570000 (before the open), 40580000
 * (after the close), 40100000 (not a business day). Seen while the calendar says the session is
 * open, the calendar or the clock is wrong: no entry should be tried until a person looks.
 */
export const MARKET_CLOSED_CODES: ReadonlySet<string> = new Set(['APBK0919', '40570000', '40580000', '40100000']);

/**
 * Codes that prove the connection never carried the request: DNS, refused, unreachable, connect
 * timeout, TLS handshake/verification failures (the HTTP request is written only after the
 * handshake). Anything else after dispatch (reset, UND_ERR_SOCKET, headers/body timeout, abort)
 * may have reached KIS (docs/stack.md §3).
 */
const NOT_SENT_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID', 'KIS_TLS_PIN_MISMATCH',
]);

function codeOf(err: unknown): string {
  if (typeof err !== 'object' || err === null) return 'UNKNOWN';
  const e = err as { code?: unknown; name?: unknown; errors?: unknown; cause?: unknown };
  if (typeof e.code === 'string' && e.code !== '') return e.code;
  // Node's happy-eyeballs connect reports an AggregateError whose members carry the code.
  if (Array.isArray(e.errors) && e.errors.length > 0) return codeOf(e.errors[0]);
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return e.name;
  if (e.cause !== undefined && e.cause !== err) return codeOf(e.cause);
  return 'UNKNOWN';
}

/** The message of the error that carries the code (Node names the host there: "connect ECONNREFUSED 127.0.0.1:9"). */
function messageOf(err: unknown): string {
  if (typeof err !== 'object' || err === null) return String(err);
  const e = err as { code?: unknown; message?: unknown; errors?: unknown; cause?: unknown };
  const own = typeof e.message === 'string' ? e.message : '';
  if (typeof e.code === 'string' && e.code !== '' && own !== '') return own;
  if (Array.isArray(e.errors) && e.errors.length > 0) return messageOf(e.errors[0]);
  if (own === '' && e.cause !== undefined && e.cause !== err) return messageOf(e.cause);
  return own;
}

const TIMEOUT_WORDS: Readonly<Record<string, string>> = {
  UND_ERR_CONNECT_TIMEOUT: 'timed out connecting',
  UND_ERR_HEADERS_TIMEOUT: 'timed out waiting for the answer',
  UND_ERR_BODY_TIMEOUT: 'timed out reading the answer',
  TimeoutError: 'timed out (no complete answer before the deadline)',
};

/**
 * Plain words for a network failure, so an operator sees "DNS lookup failed" or "timed out"
 * instead of an undici code alone. `detail` is Node's own message, which names the host.
 */
export function explainNetworkCode(code: string, detail: string): string {
  const d = detail === '' ? '' : ` (${detail})`;
  if (code === 'ENOTFOUND' || code.startsWith('EAI_')) return `DNS lookup failed${d}: check the host name and the network`;
  if (code === 'ECONNREFUSED') return `connection refused${d}: nothing listens there`;
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'EADDRNOTAVAIL') return `network unreachable${d}`;
  const timeout = TIMEOUT_WORDS[code];
  if (timeout !== undefined) return `${timeout}${d}`;
  if (code.startsWith('ERR_TLS_') || code.startsWith('ERR_SSL_') || code.includes('CERT') || code === 'KIS_TLS_PIN_MISMATCH') {
    return `TLS handshake failed${d}: check the KIS host and its certificate (kis.paperTls for paper)`;
  }
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE') return `connection closed by the other side${d}`;
  return detail === '' ? 'no HTTP answer' : detail;
}

export function isNotSentCode(code: string): boolean {
  return NOT_SENT_CODES.has(code) || code.startsWith('ERR_TLS_') || code.startsWith('ERR_SSL_');
}

export function networkError(endpoint: string, trId: string | null, cause: unknown, stage: 'request' | 'body'): AppError {
  const errorCode = codeOf(cause);
  // Once headers arrived (stage 'body') the request certainly reached KIS.
  const mayHaveBeenSent = stage === 'body' || !isNotSentCode(errorCode);
  const detail = messageOf(cause);
  const failure: KisFailure = { kind: 'network', endpoint, trId, errorCode, mayHaveBeenSent, detail };
  const words = explainNetworkCode(errorCode, detail);
  return new AppError('KIS_NETWORK', `KIS ${endpoint}: network error ${errorCode}${mayHaveBeenSent ? '' : ' (not sent)'}: ${words}`, {
    cause, details: { ...failure },
  });
}

export function httpError(endpoint: string, trId: string | null, status: number): AppError {
  const failure: KisFailure = { kind: 'http', endpoint, trId, status };
  return new AppError('KIS_HTTP', `KIS ${endpoint}: HTTP ${status} without a KIS envelope`, { details: { ...failure } });
}

export function apiError(endpoint: string, trId: string | null, status: number, msgCode: string, msg: string, rtCd: string | null): AppError {
  const failure: KisFailure = { kind: 'api', endpoint, trId, status, msgCode, msg, rtCd };
  const code = msgCode === RATE_LIMIT_CODE ? 'KIS_RATE_LIMITED' : msgCode === TOKEN_THROTTLE_CODE ? 'KIS_TOKEN_THROTTLED' : 'KIS_API';
  return new AppError(code, `KIS ${endpoint}: ${msgCode} ${msg}`.trimEnd(), { details: { ...failure } });
}

export function invalidResponse(endpoint: string, trId: string | null, status: number, path: string, problem: string): AppError {
  const failure: KisFailure = { kind: 'invalid', endpoint, trId, status, path, problem };
  return new AppError('KIS_RESPONSE_INVALID', `KIS ${endpoint}: response invalid at ${path || '(root)'}: ${problem}`, {
    details: { ...failure },
  });
}

/** The KIS failure carried by an error thrown from kis/, or null for anything else. */
export function kisFailureOf(err: unknown): KisFailure | null {
  if (!isAppError(err)) return null;
  const kind = err.details.kind;
  if (kind === 'network' || kind === 'http' || kind === 'api' || kind === 'invalid') return err.details as unknown as KisFailure;
  return null;
}

/**
 * What to do with a failure (docs/architecture.md §5, docs/kis-wire.md §4–§5):
 *  retry    reads only: network errors, 5xx/408/429 without an envelope, EGW00201, EGW00001/2/203/300
 *  reauth   EGW00123 / EGW00121: drop the token, re-issue once, retry once (reads); orders are not re-sent
 *  reject   definitive: business codes, any other envelope error, 4xx, and for orders a failure proven
 *           to precede sending (refused, connect timeout, TLS) — "not sent"
 *  unknown  an order POST with no proof of non-acceptance: timeout/reset/abort after sending,
 *           5xx without an envelope, a 2xx we could not read, gateway "server error" envelopes
 *
 * EGW00201 on an order POST is 'reject': §4 says the gateway refuses it before the order system
 * (believed, not documented), so the caller gets ORDER_REJECTED with details.retryable = true — the
 * daemon never sends that intent again; it ends the attempt 'failed' (not placed) and a later
 * evaluation may decide a new attempt (orders/submit.ts, signals/entry-attempt.ts).
 * EGW00001/2/203/300 on an order are 'unknown': a generic gateway server error is no proof that
 * the order system did not see the order (§5.1 marks them ⚠), so only reconciliation decides.
 */
export function classify(err: unknown, opts: { isOrder: boolean }): Classification {
  const f = kisFailureOf(err);
  if (f === null) return 'reject';
  const { isOrder } = opts;
  switch (f.kind) {
    case 'network':
      if (isOrder) return f.mayHaveBeenSent ? 'unknown' : 'reject';
      return 'retry';
    case 'http':
      if (f.status >= 500 || f.status === 408) return isOrder ? 'unknown' : 'retry';
      if (f.status === 429) return isOrder ? 'reject' : 'retry';
      return 'reject';
    case 'api':
      if (REAUTH_CODES.has(f.msgCode)) return 'reauth';
      if (f.msgCode === RATE_LIMIT_CODE) return isOrder ? 'reject' : 'retry';
      if (f.msgCode === TOKEN_THROTTLE_CODE) return isOrder ? 'reject' : 'retry';
      if (TRANSIENT_GATEWAY_CODES.has(f.msgCode)) return isOrder ? 'unknown' : 'retry';
      return 'reject';
    case 'invalid':
      return isOrder ? 'unknown' : 'reject';
  }
}

/**
 * For ORDER_REJECTED: is the refusal transient — proven not to have placed anything, and likely
 * to pass if the same order is tried a little later? A gateway refusal (EGW00201 rate limit,
 * token codes, 429), a connection that never carried the request, and the paper "market not open
 * yet" answer. The caller still tries again only under a new attempt, after proving no order
 * exists for this one (docs/architecture.md §2: an order is never sent twice). A business refusal (funds,
 * price, quantity, symbol) is definitive: false.
 */
export function isRetryableRejection(err: unknown): boolean {
  const f = kisFailureOf(err);
  if (f === null) return false;
  if (f.kind === 'network') return !f.mayHaveBeenSent;
  if (f.kind === 'http') return f.status === 429;
  if (f.kind === 'api') {
    return f.msgCode === RATE_LIMIT_CODE || REAUTH_CODES.has(f.msgCode) || f.msgCode === TOKEN_THROTTLE_CODE
      || f.msgCode === PAPER_BEFORE_OPEN_CODE;
  }
  return false;
}

/** For a refused order: does the refusal say the market takes no orders now? */
export function isMarketClosed(err: unknown): boolean {
  const f = kisFailureOf(err);
  return f?.kind === 'api' && MARKET_CLOSED_CODES.has(f.msgCode);
}

/** For a refused cancel: does the refusal say the order has nothing left to cancel? */
export function isNothingToCancel(err: unknown): boolean {
  const f = kisFailureOf(err);
  return f?.kind === 'api' && NOTHING_TO_CANCEL_CODES.has(f.msgCode);
}
