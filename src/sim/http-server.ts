import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Clock, Logger } from '../domain/index.js';
import { TOKEN_THROTTLED } from './auth.js';
import type { RateWindow, TokenAuthority } from './auth.js';
import type { ActiveFault, FaultMatcher } from './faults.js';
import * as account from './handlers-account.js';
import * as oauth from './handlers-oauth.js';
import * as orders from './handlers-orders.js';
import * as quotes from './handlers-quotes.js';
import * as rankings from './handlers-rankings.js';
import { bodyHash } from './hashkey.js';
import { MSG, missingField, rejectionMessage } from './messages.js';
import type { KisMessage } from './messages.js';
import { checkTrId, findRoute } from './routes.js';
import type { HandlerName, Route } from './routes.js';
import { fail } from './wire-format.js';
import type { HandlerDeps, SimRequest, SimResponse } from './wire-format.js';

/**
 * The KIS wire over node:http: gateway checks (headers, token, TR_ID, rate limit) as docs/kis-wire.md
 * §2, §3, §4, §12 describe them, then the handler table, then faults. Gateway errors answer
 * HTTP 500 with the envelope (§2.5); everything the service itself answers is HTTP 200.
 */
export interface ServerDeps {
  seed: number;
  handler: HandlerDeps;
  tokens: TokenAuthority;
  rate: RateWindow;
  faults: FaultMatcher;
  clock: Clock;
  log: Logger;
  /** byPath: requests per URL path, so a test can count the calls of one kind (rankings, quotes, tokenP) */
  stats: { requests: number; rateLimited: number; byPath: Map<string, number> };
  /** the WebSocket (realtime-server.ts), served on the same port */
  upgrade?: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
}

type ApiHandler = (deps: HandlerDeps, req: SimRequest) => SimResponse;

const API: Partial<Record<HandlerName, ApiHandler>> = {
  inquirePrice: quotes.inquirePrice,
  askingPrice: quotes.askingPrice,
  dailyChart: quotes.dailyChart,
  chkHoliday: quotes.chkHoliday,
  volumeRank: rankings.volumeRank,
  fluctuation: rankings.fluctuation,
  balance: account.balance,
  dailyCcld: account.dailyCcld,
  psblOrder: account.psblOrder,
  psblRvsecncl: account.psblRvsecncl,
  psblSell: account.psblSell,
  orderCash: orders.orderCash,
  orderRvsecncl: orders.orderRvsecncl,
  hashkey: orders.hashkey,
};

const MAX_BODY = 1 << 20;

function header(req: IncomingMessage, name: string): string {
  const v = req.headers[name];
  return (Array.isArray(v) ? v[0] : v) ?? '';
}

function gateway(msg: KisMessage): SimResponse {
  return fail(msg, 500);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const b = chunk as Buffer;
    size += b.length;
    if (size > MAX_BODY) throw new Error('request body too large');
    chunks.push(b);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export interface SimServer {
  start(port: number, host: string): Promise<{ url: string; port: number }>;
  stop(): Promise<void>;
}

export function createSimServer(deps: ServerDeps): SimServer {
  const held = new Set<ServerResponse>();
  /** pending latency delays: stop() ends them early so no request outlives the server */
  const timers = new Map<NodeJS.Timeout, () => void>();
  let stopping = false;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.set(t, resolve);
    });

  /** header and token checks of §2.1 / §3.1 for endpoints that take them */
  const authenticate = (route: Route, req: IncomingMessage, sreq: SimRequest): SimResponse | null => {
    const appKey = header(req, 'appkey');
    const cred = deps.tokens.credentialsFor(appKey);
    if (!cred) return gateway(MSG.badAppKey);
    sreq.cred = cred;
    if (header(req, 'appsecret') !== cred.appSecret) return gateway(MSG.badAppSecret);
    if (!deps.rate.admit(appKey, sreq.now)) {
      deps.stats.rateLimited += 1;
      return gateway(MSG.rateLimited);
    }
    if (route.auth === 'keys') return null;
    const auth = header(req, 'authorization');
    const m = /^Bearer (\S+)$/.exec(auth);
    if (!m?.[1]) return gateway(MSG.bearerFormat);
    sreq.token = m[1];
    const tokenError = deps.tokens.check(m[1], appKey, sreq.now);
    if (tokenError) return gateway(tokenError);
    // §2.1: a missing custtype is served (The Ouroboros never sends it); a wrong one is not
    const custtype = header(req, 'custtype');
    if (custtype !== '' && custtype !== 'P' && custtype !== 'B') return gateway(MSG.badCustType);
    if (sreq.trId === '') return gateway(MSG.noTrId);
    const trError = checkTrId(route, deps.handler.env, sreq.trId);
    if (trError) return gateway(trError);
    return null;
  };

  const dispatch = (route: Route, req: IncomingMessage, sreq: SimRequest): SimResponse => {
    if (route.method === 'POST' && sreq.rawBody !== '' && !header(req, 'content-type').toLowerCase().includes('application/json')) {
      return gateway(MSG.contentType);
    }
    if (route.method === 'POST') {
      try {
        const parsed: unknown = JSON.parse(sreq.rawBody === '' ? 'null' : sreq.rawBody);
        sreq.body = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null;
      } catch {
        return gateway(MSG.badBody);
      }
    }
    switch (route.handler) {
      case 'tokenP':
        return oauth.tokenP(deps.tokens, sreq, deps.handler.journal);
      case 'revokeP':
        return oauth.revokeP(deps.tokens, sreq);
      case 'approval':
        return oauth.approval(deps.tokens, sreq, deps.seed);
      default:
        break;
    }
    const denied = authenticate(route, req, sreq);
    if (denied) return denied;
    // §3.4: the hashkey is optional, but one that is sent must be the hash of this very body
    const hashkey = header(req, 'hashkey');
    if (route.method === 'POST' && route.auth === 'token' && hashkey !== '' && hashkey.toLowerCase() !== bodyHash(sreq.rawBody)) {
      return gateway(MSG.badHashkey);
    }
    if (route.method === 'GET') {
      for (const name of route.required) if (!sreq.query.has(name.toLowerCase())) return fail(missingField(name));
    }
    deps.handler.exchange.advanceTo(sreq.now);
    const h = API[route.handler];
    return h ? h(deps.handler, sreq) : gateway(MSG.unknownService);
  };

  const send = (res: ServerResponse, out: SimResponse, trId: string) => {
    const text = JSON.stringify(out.body);
    res.writeHead(out.status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(text),
      tr_id: trId,
      tr_cont: out.trCont ?? '',
    });
    res.end(text);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    deps.stats.requests += 1;
    const url = new URL(req.url ?? '/', 'http://sim');
    const path = url.pathname;
    deps.stats.byPath.set(path, (deps.stats.byPath.get(path) ?? 0) + 1);
    const trId = header(req, 'tr_id');
    const rawBody = await readBody(req);
    const hits: ActiveFault[] = deps.faults.take(path, trId);
    const has = (k: ActiveFault['kind']) => hits.some((f) => f.kind === k);
    const delay = hits.filter((f) => f.kind === 'latency').reduce((s, f) => s + (f.ms ?? 0), 0);
    if (delay > 0) await sleep(delay);
    if (stopping) {
      res.socket?.destroy();
      return;
    }
    if (has('reset-before-accept')) {
      res.socket?.destroy();
      return;
    }
    if (has('timeout')) {
      held.add(res);
      res.on('close', () => held.delete(res));
      return;
    }
    if (has('http-500')) {
      res.writeHead(500, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<html><body><h1>500 Internal Server Error</h1></body></html>');
      return;
    }
    const query = new Map<string, string>();
    for (const [k, v] of url.searchParams) query.set(k.toLowerCase(), v);
    const now = deps.clock.now();
    const sreq: SimRequest = {
      route: { path, method: 'GET', auth: 'none', trIds: null, handler: 'tokenP', required: [] },
      path, query, body: null, rawBody, headers: req.headers, trId, trCont: header(req, 'tr_cont'), cred: null, token: '', now,
    };
    let out: SimResponse;
    const route = findRoute(path);
    if (!route) {
      out = { status: 404, body: { rt_cd: MSG.unknownPath.rtCd, msg_cd: MSG.unknownPath.msgCd, msg1: MSG.unknownPath.msg1 } };
    } else if (route.method !== req.method) {
      out = { status: 405, body: { rt_cd: MSG.unknownPath.rtCd, msg_cd: MSG.unknownPath.msgCd, msg1: MSG.unknownPath.msg1 } };
    } else if (has('rate-limit')) {
      deps.stats.rateLimited += 1;
      out = gateway(MSG.rateLimited);
    } else if (has('token-throttle') && route.handler === 'tokenP') {
      out = { status: 403, body: { error_description: TOKEN_THROTTLED.text, error_code: TOKEN_THROTTLED.code } };
    } else if (has('market-closed') && route.handler === 'orderCash') {
      out = fail(rejectionMessage(deps.handler.env, 'AFTER_CLOSE'));
    } else if (has('token-expired')) {
      const token = /^Bearer (\S+)$/.exec(header(req, 'authorization'))?.[1];
      if (token) deps.tokens.expire(token, now);
      out = gateway(MSG.tokenExpired);
    } else {
      sreq.route = route;
      if (has('reject-after-accept')) sreq.rejectAfterAccept = true;
      out = dispatch(route, req, sreq);
    }
    deps.log.debug({ path, trId, status: out.status, faults: hits.map((f) => f.kind) }, 'sim request');
    if (has('accept-then-drop')) {
      // processed and booked, but the answer never reaches the client
      res.socket?.destroy();
      return;
    }
    send(res, out, trId);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      deps.log.error({ err, url: req.url }, 'sim request failed');
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify({ rt_cd: '1', msg_cd: 'EGW00002', msg1: '서버 에러가 발생했습니다.' }));
      } else {
        res.socket?.destroy();
      }
    });
  });
  server.keepAliveTimeout = 5_000;
  if (deps.upgrade) server.on('upgrade', deps.upgrade);
  else server.on('upgrade', (_req: IncomingMessage, socket: Duplex) => socket.destroy());

  return {
    start: (port, host) =>
      new Promise((resolve, reject) => {
        // a stopped server may start again (the chaos suite's "host down" takes it off its port and back)
        stopping = false;
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const addr = server.address() as AddressInfo;
          const shown = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
          resolve({ url: `http://${shown}:${addr.port}`, port: addr.port });
        });
      }),
    stop: () =>
      new Promise<void>((resolve) => {
        stopping = true;
        for (const [t, wake] of timers) {
          clearTimeout(t);
          wake();
        }
        timers.clear();
        for (const res of held) res.socket?.destroy();
        held.clear();
        if (!server.listening) {
          resolve();
          return;
        }
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
