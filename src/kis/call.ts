import { AppError, isAppError } from '../domain/index.js';
import type { KisEnv, Lane, Logger, RateBudget } from '../domain/index.js';
import { ENDPOINTS, trIdFor } from './endpoints.js';
import type { EndpointDef } from './endpoints.js';
import { RATE_LIMIT_CODE, classify, isMarketClosed, isNothingToCancel, isRetryableRejection, kisFailureOf } from './errors.js';
import { backoffMs, sleep } from './retry.js';
import type { RetryPolicy } from './retry.js';
import { parseHashkey } from './schemas/auth.js';
import type { ParseContext } from './schemas/wire.js';
import type { TokenManager } from './token.js';
import type { Transport, WireResponse } from './transport.js';

/**
 * The call pipeline shared by market data and broker: rate budget → token → one HTTP exchange →
 * classify. Reads retry with backoff and re-authenticate once; an order POST goes out exactly
 * once and ends as an ack, ORDER_REJECTED or ORDER_UNKNOWN.
 */
export interface CallContext {
  env: KisEnv;
  appKey: string;
  appSecret: string;
  transport: Transport;
  tokens: TokenManager;
  rateBudget: RateBudget;
  log: Logger;
  retry: RetryPolicy;
  /** hashkey header on order bodies (§3.4): optional at KIS, on by default */
  useHashkey: boolean;
}

export interface ReadSpec {
  endpoint: EndpointDef;
  query: ReadonlyArray<readonly [string, string]>;
  lane?: Lane | undefined;
  /** continuation (§2.6): '' first page, 'N' next; undefined = not a paginated call */
  trCont?: '' | 'N';
  signal?: AbortSignal | undefined;
}

const JSON_TYPE = 'application/json; charset=utf-8';

/** Headers of docs/kis-wire.md §2.1 — custtype P always, tr_cont only on paginated calls. */
function headers(ctx: CallContext, token: string, trId: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    'content-type': JSON_TYPE,
    authorization: `Bearer ${token}`,
    appkey: ctx.appKey,
    appsecret: ctx.appSecret,
    tr_id: trId,
    custtype: 'P',
    ...extra,
  };
}

function isRateLimited(err: unknown): boolean {
  const f = kisFailureOf(err);
  return f?.kind === 'api' && f.msgCode === RATE_LIMIT_CODE;
}

async function onFailure(ctx: CallContext, err: unknown): Promise<void> {
  if (isRateLimited(err)) await ctx.rateBudget.penalize();
}

/** Retries `attempt` per classify() for an idempotent call; reauth re-issues the token once. */
async function withReadRetries<T>(ctx: CallContext, name: string, signal: AbortSignal | undefined, attempt: (token: string) => Promise<T>, lane: Lane): Promise<T> {
  let reauthed = false;
  for (let n = 1; ; n++) {
    const token = await ctx.tokens.get(lane);
    try {
      return await attempt(token);
    } catch (err) {
      await onFailure(ctx, err);
      const c = classify(err, { isOrder: false });
      if (c === 'reauth' && !reauthed) {
        reauthed = true;
        ctx.tokens.invalidate(token);
        ctx.log.warn({ endpoint: name, msgCode: kisFailureOf(err)?.kind === 'api' ? (err as AppError).details.msgCode : undefined }, 'KIS token rejected: re-issuing once');
        n--;
        continue;
      }
      if (c === 'retry' && n < (isRateLimited(err) ? ctx.retry.rateLimitedAttempts : ctx.retry.attempts)) {
        const ms = backoffMs(ctx.retry, n);
        ctx.log.debug({ endpoint: name, attempt: n, waitMs: ms, code: isAppError(err) ? err.code : 'UNKNOWN' }, 'KIS read failed: retrying');
        await sleep(ms, signal);
        continue;
      }
      throw err;
    }
  }
}

/** One GET with retries. Throws KIS_NOT_AVAILABLE_ON_PAPER before anything is sent. */
export async function callRead(ctx: CallContext, spec: ReadSpec): Promise<{ res: WireResponse; trId: string; parse: ParseContext }> {
  const ep = spec.endpoint;
  const trId = trIdFor(ep, ctx.env) ?? '';
  const lane = spec.lane ?? ep.lane;
  const extra: Record<string, string> = spec.trCont === undefined ? {} : { tr_cont: spec.trCont };
  const res = await withReadRetries(ctx, ep.name, spec.signal, async (token) => {
    await ctx.rateBudget.acquire(lane, spec.signal);
    return ctx.transport.send({
      endpoint: ep.name, trId, method: 'GET', path: ep.path, query: spec.query, envelope: ep.envelope, lane,
      headers: headers(ctx, token, trId, extra), ...(spec.signal === undefined ? {} : { signal: spec.signal }),
    });
  }, lane);
  return { res, trId, parse: { endpoint: ep.name, trId, status: res.status } };
}

/** POST /uapi/hashkey (§3.4): no token needed, but it counts against the rate budget. */
async function callHashkey(ctx: CallContext, body: string, lane: Lane): Promise<string> {
  const ep = ENDPOINTS.hashkey;
  return withReadRetries(ctx, ep.name, undefined, async () => {
    await ctx.rateBudget.acquire(lane);
    const res = await ctx.transport.send({
      endpoint: ep.name, trId: null, method: 'POST', path: ep.path, envelope: false, body, lane,
      headers: { 'content-type': JSON_TYPE, appkey: ctx.appKey, appsecret: ctx.appSecret },
    });
    return parseHashkey(res.body, { endpoint: ep.name, trId: null, status: res.status });
  }, lane);
}

export type OrderOutcome = 'rejected' | 'unknown';

function orderError(outcome: OrderOutcome, ep: EndpointDef, trId: string, err: unknown, extra: Record<string, unknown>): AppError {
  const f = kisFailureOf(err);
  const msgCode = f?.kind === 'api' ? f.msgCode : undefined;
  const msg = f?.kind === 'api' ? f.msg : undefined;
  const details: Record<string, unknown> = {
    outcome, trId, endpoint: ep.name, retryable: outcome === 'rejected' && (extra.notSent === true || isRetryableRejection(err)),
    ...(outcome === 'rejected' && isNothingToCancel(err) ? { nothingToCancel: true } : {}),
    ...(outcome === 'rejected' && isMarketClosed(err) ? { marketClosed: true } : {}),
    ...(msgCode === undefined ? {} : { msgCode }), ...(msg === undefined ? {} : { msg }),
    ...(f === null ? { cause: isAppError(err) ? err.code : 'UNKNOWN' } : { kind: f.kind }),
    ...(f?.kind === 'network' ? { errorCode: f.errorCode } : {}), ...(f?.kind === 'http' || f?.kind === 'invalid' ? { status: f.status } : {}),
    ...extra,
  };
  const what = msgCode === undefined ? (isAppError(err) ? err.code : 'error') : `${msgCode} ${msg ?? ''}`.trim();
  return outcome === 'unknown'
    ? new AppError('ORDER_UNKNOWN', `KIS ${ep.name} (${trId}) outcome unknown: ${what} — reconcile before re-sending`, { cause: err, details })
    : new AppError('ORDER_REJECTED', `KIS ${ep.name} (${trId}) rejected: ${what}`, { cause: err, details });
}

/**
 * Sends one order POST (order-cash, order-rvsecncl) exactly once. Everything before the request
 * leaves — token, hashkey, rate budget — failing means "rejected, not sent". After that,
 * classify() decides: 'unknown' → ORDER_UNKNOWN, anything else → ORDER_REJECTED; EGW00123 also
 * drops the token so the next order gets a fresh one, but this order is not re-sent. A 2xx
 * whose ack cannot be read is ORDER_UNKNOWN: the order may well be live.
 */
export async function callOrder<T>(ctx: CallContext, ep: EndpointDef, body: Record<string, string>, parseAck: (res: WireResponse, parse: ParseContext) => T): Promise<T> {
  const trId = trIdFor(ep, ctx.env) ?? '';
  const text = JSON.stringify(body);
  let token: string;
  let extra: Record<string, string>;
  try {
    token = await ctx.tokens.get('order');
    extra = ctx.useHashkey ? { hashkey: await callHashkey(ctx, text, 'order') } : {};
    await ctx.rateBudget.acquire('order');
  } catch (err) {
    throw orderError('rejected', ep, trId, err, { notSent: true, stage: 'prepare' });
  }
  let res: WireResponse;
  try {
    res = await ctx.transport.send({ endpoint: ep.name, trId, method: 'POST', path: ep.path, envelope: true, body: text, headers: headers(ctx, token, trId, extra), lane: 'order' });
  } catch (err) {
    await onFailure(ctx, err);
    const c = classify(err, { isOrder: true });
    if (c === 'reauth') ctx.tokens.invalidate(token);
    const outcome: OrderOutcome = c === 'unknown' ? 'unknown' : 'rejected';
    ctx.log.warn({ endpoint: ep.name, trId, outcome, code: isAppError(err) ? err.code : 'UNKNOWN' }, 'KIS order not accepted');
    throw orderError(outcome, ep, trId, err, {});
  }
  try {
    return parseAck(res, { endpoint: ep.name, trId, status: res.status });
  } catch (err) {
    throw orderError('unknown', ep, trId, err, { stage: 'ack' });
  }
}
