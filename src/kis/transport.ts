import { checkServerIdentity } from 'node:tls';
import type { PeerCertificate } from 'node:tls';
import { Pool } from 'undici';
import type { Dispatcher } from 'undici';
import { AppError, stripControlChars } from '../domain/index.js';
import type { Lane } from '../domain/index.js';
import { apiError, httpError, invalidResponse, networkError } from './errors.js';
import { lowerKeys } from './schemas/wire.js';

/**
 * One HTTP exchange with KIS over an undici Pool (docs/stack.md §3): keep-alive, a few connections,
 * per-request headers/body timeouts plus an overall deadline, and the body always consumed.
 * Turns every outcome into either a response or one of the KIS error kinds (errors.ts); it
 * retries nothing — the caller decides from classify().
 */
/**
 * The largest answer read. KIS's biggest (a 100-row daily-orders page, docs/kis-wire.md) is a few
 * hundred KB; anything past this is not a KIS answer, and reading it all would cost memory.
 */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;

export interface KisTimeouts {
  connectMs: number;
  headersMs: number;
  bodyMs: number;
  totalMs: number;
}

/**
 * The paper host's certificate quirk (docs/kis-wire.md §1 ⚠) as an explicit choice, verify by
 * default. 'pin-name' keeps chain verification and checks the certificate against `serverName`
 * instead of the host; 'pin-fingerprint' keeps chain verification and also requires the leaf's
 * SHA-256 fingerprint. `ca` adds a trust anchor for a self-signed chain. Never rejectUnauthorized:false.
 */
export interface KisTlsOptions {
  mode: 'verify' | 'pin-name' | 'pin-fingerprint';
  serverName?: string;
  fingerprint256?: string;
  ca?: string;
}

export interface WireRequest {
  endpoint: string;
  trId: string | null;
  method: 'GET' | 'POST';
  path: string;
  /** sent in this order, values verbatim (continuation cursors keep their padding, §2.6) */
  query?: ReadonlyArray<readonly [string, string]>;
  headers: Record<string, string>;
  body?: string;
  /** the endpoint answers with the rt_cd envelope on success */
  envelope: boolean;
  signal?: AbortSignal;
  /** the rate-budget lane it was paid from, for the metrics (client.ts telemetry) */
  lane?: Lane;
}

export interface WireResponse {
  status: number;
  /** response header tr_cont: F/M more pages, D/E last (§2.3); '' when absent */
  trCont: string;
  /** parsed JSON with every key lower-cased (§13.2); values untouched */
  body: unknown;
  /** the parsed JSON exactly as received, for audit trails */
  raw: unknown;
}

export interface Transport {
  send(req: WireRequest): Promise<WireResponse>;
  close(): Promise<void>;
}

export interface TransportOptions {
  baseUrl: string;
  timeouts: KisTimeouts;
  tls?: KisTlsOptions;
  /** injected in tests (MockAgent); not closed by close() */
  dispatcher?: Dispatcher;
  connections?: number;
}

function normalizeFingerprint(fp: string): string {
  return fp.replaceAll(':', '').toUpperCase();
}

export function tlsConnectOptions(tls: KisTlsOptions | undefined): Record<string, unknown> {
  if (tls === undefined) return {};
  const ca = tls.ca === undefined ? {} : { ca: tls.ca };
  switch (tls.mode) {
    case 'verify':
      return ca;
    case 'pin-name': {
      const name = tls.serverName;
      if (name === undefined || name === '') throw new AppError('CONFIG_INVALID', 'KIS tls mode pin-name needs tls.serverName');
      return { ...ca, checkServerIdentity: (_host: string, cert: PeerCertificate) => checkServerIdentity(name, cert) };
    }
    case 'pin-fingerprint': {
      const want = tls.fingerprint256;
      if (want === undefined || want === '') throw new AppError('CONFIG_INVALID', 'KIS tls mode pin-fingerprint needs tls.fingerprint256');
      return {
        ...ca,
        checkServerIdentity: (_host: string, cert: PeerCertificate) => {
          if (normalizeFingerprint(cert.fingerprint256) === normalizeFingerprint(want)) return undefined;
          return Object.assign(new Error('KIS server certificate does not match the pinned SHA-256 fingerprint'), { code: 'KIS_TLS_PIN_MISMATCH' });
        },
      };
    }
  }
}

function buildPath(prefix: string, path: string, query: WireRequest['query']): string {
  const q = (query ?? []).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
  return `${prefix}${path}${q === '' ? '' : `?${q}`}`;
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string {
  const v = headers[name];
  return (Array.isArray(v) ? v[0] : v)?.trim() ?? '';
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reads the envelope / OAuth error shape (§2.4, §2.5, §13.5); never branches on status alone. */
function interpret(req: WireRequest, status: number, trCont: string, text: string): WireResponse {
  let json: unknown;
  let parsed = true;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = false;
  }
  const ok = status >= 200 && status < 300;
  if (!parsed || json === undefined) {
    if (!ok) throw httpError(req.endpoint, req.trId, status);
    throw invalidResponse(req.endpoint, req.trId, status, '', parsed ? 'empty body' : 'body is not JSON');
  }
  const body = lowerKeys(json);
  if (isObject(body)) {
    const rtCd = typeof body.rt_cd === 'string' || typeof body.rt_cd === 'number' ? String(body.rt_cd).trim() : null;
    // the server's words end up in logs and on terminals: no escape sequences (domain/text.ts)
    const str = (v: unknown) => (typeof v === 'string' ? stripControlChars(v).trim() : '');
    if (rtCd !== null && rtCd !== '0') throw apiError(req.endpoint, req.trId, status, str(body.msg_cd), str(body.msg1), rtCd);
    if (typeof body.error_code === 'string') throw apiError(req.endpoint, req.trId, status, str(body.error_code), str(body.error_description), null);
    if (!ok) throw httpError(req.endpoint, req.trId, status);
    if (req.envelope && rtCd === null) throw invalidResponse(req.endpoint, req.trId, status, 'rt_cd', 'missing rt_cd envelope');
  } else if (!ok) {
    throw httpError(req.endpoint, req.trId, status);
  } else if (req.envelope) {
    throw invalidResponse(req.endpoint, req.trId, status, '', 'expected a JSON object');
  }
  return { status, trCont, body, raw: json };
}

export function createTransport(opts: TransportOptions): Transport {
  const url = new URL(opts.baseUrl);
  const origin = url.origin;
  const prefix = url.pathname.replace(/\/+$/, '');
  const owned = opts.dispatcher === undefined;
  const dispatcher: Dispatcher = opts.dispatcher ?? new Pool(origin, {
    connections: opts.connections ?? 6,
    connect: { timeout: opts.timeouts.connectMs, ...tlsConnectOptions(opts.tls) },
  });

  async function send(req: WireRequest): Promise<WireResponse> {
    const deadline = AbortSignal.timeout(opts.timeouts.totalMs);
    const signal = req.signal === undefined ? deadline : AbortSignal.any([deadline, req.signal]);
    let res: Dispatcher.ResponseData;
    try {
      res = await dispatcher.request({
        origin,
        path: buildPath(prefix, req.path, req.query),
        method: req.method,
        headers: req.headers,
        body: req.body ?? null,
        headersTimeout: opts.timeouts.headersMs,
        bodyTimeout: opts.timeouts.bodyMs,
        signal,
      });
    } catch (err) {
      throw networkError(req.endpoint, req.trId, err, 'request');
    }
    const declared = Number(header(res.headers, 'content-length'));
    if (declared > MAX_BODY_BYTES) {
      res.body.destroy();
      throw invalidResponse(req.endpoint, req.trId, res.statusCode, '', `body larger than ${MAX_BODY_BYTES} bytes (content-length ${declared})`);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of res.body) {
        size += (chunk as Buffer).length;
        if (size > MAX_BODY_BYTES) break;
        chunks.push(chunk as Buffer);
      }
    } catch (err) {
      throw networkError(req.endpoint, req.trId, err, 'body');
    }
    if (size > MAX_BODY_BYTES) {
      res.body.destroy();
      throw invalidResponse(req.endpoint, req.trId, res.statusCode, '', `body larger than ${MAX_BODY_BYTES} bytes`);
    }
    return interpret(req, res.statusCode, header(res.headers, 'tr_cont'), Buffer.concat(chunks).toString('utf8'));
  }

  return {
    send,
    close: async () => {
      if (owned) await dispatcher.close();
    },
  };
}
