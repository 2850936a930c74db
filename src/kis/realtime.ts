import WebSocket from 'ws';
import { describeError, silentLogger } from '../domain/index.js';
import type { KisEnv, Logger } from '../domain/index.js';
import { ENDPOINTS } from './endpoints.js';
import { decodeFrame, decryptPayload, FrameError, parseFillNotices, parseTradeTicks } from './realtime-frames.js';
import type { DataFrame, FillNotice, SystemFrame, TradeTick } from './realtime-frames.js';
import type { Transport } from './transport.js';

/**
 * The KIS real-time session (docs/kis-wire.md §10): one WebSocket per app key, trade ticks
 * (H0STCNT0) for the symbols that matter most and the account's order/fill notices (H0STCNI0 live,
 * H0STCNI9 paper). It never throws at its caller: every failure is classified (RealtimeProblem),
 * logged and counted, and the session goes on or reconnects after a back-off. KIS blocks keys that
 * loop connect/subscribe (§4), so reconnects back off exponentially and reset only after a stable
 * session, subscriptions are diffed against what is registered, a symbol that leaves the wanted set
 * keeps its registration for `lingerMs` unless its slot is needed, and a refused subscribe is retried
 * on its own back-off.
 */

export type RealtimeProblem =
  /** POST /oauth2/Approval failed */
  | 'approval'
  /** the socket failed or closed */
  | 'network'
  /** OPSP8996: another session holds this app key */
  | 'appkey-in-use'
  /** OPSP0008: the server counts more than its registration limit */
  | 'registration-limit'
  /** any other refused subscribe or unsubscribe */
  | 'subscribe-refused'
  | 'frame-invalid'
  | 'decrypt'
  /** onTrade / onNotice threw */
  | 'handler';

export const REALTIME_PROBLEMS: readonly RealtimeProblem[] = [
  'approval', 'network', 'appkey-in-use', 'registration-limit', 'subscribe-refused', 'frame-invalid', 'decrypt', 'handler',
];

/** §5.3 */
export const WS_CODES = {
  subscribed: 'OPSP0000', unsubscribed: 'OPSP0001', alreadySubscribed: 'OPSP0002', notSubscribed: 'OPSP0003',
  maxSubscribe: 'OPSP0008', appKeyInUse: 'OPSP8996', invalidAppKey: 'OPSP9994',
} as const;

/** §4: registrations per session, trade ticks and notices together */
export const MAX_REGISTRATIONS = 41;
export const TRADE_TR_ID = 'H0STCNT0';
export function noticeTrId(env: KisEnv): string {
  return env === 'live' ? 'H0STCNI0' : 'H0STCNI9';
}

export interface RealtimeWanted {
  /** symbols held: their exits are evaluated on each tick */
  held: readonly string[];
  /** symbols of open orders */
  orders: readonly string[];
  /** candidates being watched for entries */
  watch: readonly string[];
}

export interface RealtimeOptions {
  env: KisEnv;
  /** ws://host:port (docs/kis-wire.md §1) */
  url: string;
  /** the approval key (§3.3); called again only when the cached one is older than `approvalTtlMs` or refused */
  approvalKey: () => Promise<string>;
  /** the HTS user ID, tr_key of the fill notices; null: no notices */
  htsId: string | null;
  onTrade?: (tick: TradeTick) => void | Promise<void>;
  onNotice?: (notice: FillNotice) => void | Promise<void>;
  /**
   * each time the subscriptions are live after a connect (the first registration confirmed, or the
   * socket open when there is nothing to register): `reconnect` when they were live before, so what
   * was missed meanwhile must be reconciled. A socket refused at once (OPSP8996) is never live.
   */
  onConnected?: (reconnect: boolean) => void | Promise<void>;
  /** the connection closed while the session runs (it reconnects on its own); `why` for the log and alerts */
  onDisconnected?: (why: string) => void | Promise<void>;
  log?: Logger;
  /** default 41 (§4) */
  maxRegistrations?: number;
  /** reconnect back-off: initialMs·2^n up to maxMs, with jitter; default 1 s … 60 s */
  backoff?: { initialMs: number; maxMs: number };
  /** a connection that stayed up this long resets the back-off; default 60 s */
  stableMs?: number;
  /** the least wait after OPSP8996 (another session holds the key); default 60 s */
  inUseBackoffMs?: number;
  /** gap between two subscribe/unsubscribe messages; default 50 ms (the official sample's pacing) */
  sendGapMs?: number;
  /** how long a symbol that left the wanted set stays registered; default 60 s */
  lingerMs?: number;
  /** the approval key is re-issued after this; default 20 h (it is valid 24 h, §3.3) */
  approvalTtlMs?: number;
  /** default 10 s */
  handshakeTimeoutMs?: number;
  /** 0..1, for the back-off jitter; default Math.random */
  random?: () => number;
}

export interface RealtimeStats {
  connected: boolean;
  connects: number;
  /** registrations the server confirmed */
  active: number;
  /** registrations wanted but left out by the limit */
  overLimit: number;
  trades: number;
  notices: number;
  pingpongs: number;
  subscribesSent: number;
  unsubscribesSent: number;
  problems: Record<RealtimeProblem, number>;
  lastProblem: { kind: RealtimeProblem; message: string } | null;
  /** when the next reconnect is due (epoch ms of the system clock), null while connected */
  reconnectAt: number | null;
}

export interface RealtimeSession {
  start(): void;
  stop(): Promise<void>;
  /** the symbols wanted now, by priority; registrations are diffed against it */
  want(wanted: RealtimeWanted): void;
  stats(): RealtimeStats;
}

type SubState = 'sending' | 'active' | 'retry';
interface Sub {
  trId: string;
  trKey: string;
  state: SubState;
  failures: number;
  retryAt: number;
  /** when it left the wanted set (linger), null while wanted */
  unwantedAt: number | null;
}

const key = (trId: string, trKey: string): string => `${trId}|${trKey}`;

/** POST /oauth2/Approval (§3.3): note the secret travels as `secretkey`. */
export async function requestApprovalKey(transport: Transport, appKey: string, appSecret: string): Promise<string> {
  const ep = ENDPOINTS.approval;
  const res = await transport.send({
    endpoint: ep.name, trId: null, method: 'POST', path: ep.path, envelope: false,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify({ grant_type: 'client_credentials', appkey: appKey, secretkey: appSecret }),
  });
  const k = (res.body as { approval_key?: unknown } | null)?.approval_key;
  if (typeof k !== 'string' || k === '') throw new Error(`KIS approval: HTTP ${res.status} without approval_key`);
  return k;
}

export function createRealtimeSession(opts: RealtimeOptions): RealtimeSession {
  const log = (opts.log ?? silentLogger).child({ mod: 'kis-ws', env: opts.env });
  // wall time, not the trading clock: churn limits and back-offs are KIS's, in real seconds
  const clock = { now: () => Date.now() };
  const max = opts.maxRegistrations ?? MAX_REGISTRATIONS;
  const backoff = opts.backoff ?? { initialMs: 1_000, maxMs: 60_000 };
  const stableMs = opts.stableMs ?? 60_000;
  const inUseMs = opts.inUseBackoffMs ?? 60_000;
  const gapMs = opts.sendGapMs ?? 50;
  const lingerMs = opts.lingerMs ?? 60_000;
  const approvalTtlMs = opts.approvalTtlMs ?? 20 * 3_600_000;
  const random = opts.random ?? Math.random;
  const noticeId = noticeTrId(opts.env);

  let running = false;
  let ws: WebSocket | null = null;
  let openedAt: number | null = null;
  let attempt = 0;
  /** the subscriptions were live on an earlier connection: a new one must reconcile what it missed */
  let everLive = false;
  /** an open socket whose first registration is not confirmed yet (OPSP8996 refuses it) */
  let awaitingLive = false;
  const live = (): void => {
    if (!awaitingLive) return;
    awaitingLive = false;
    const reconnect = everLive;
    everLive = true;
    void deliver(opts.onConnected, reconnect);
  };
  let reconnectTimer: NodeJS.Timeout | null = null;
  let reconnectAt: number | null = null;
  let minNextDelay = 0;
  let approval: { key: string; at: number } | null = null;
  let wanted: RealtimeWanted = { held: [], orders: [], watch: [] };
  const subs = new Map<string, Sub>();
  const ciphers = new Map<string, { key: string; iv: string }>();
  const queue: string[] = [];
  let pumping = false;
  let planTimer: NodeJS.Timeout | null = null;
  const stats: RealtimeStats = {
    connected: false, connects: 0, active: 0, overLimit: 0, trades: 0, notices: 0, pingpongs: 0, subscribesSent: 0, unsubscribesSent: 0,
    problems: Object.fromEntries(REALTIME_PROBLEMS.map((p) => [p, 0])) as Record<RealtimeProblem, number>, lastProblem: null, reconnectAt: null,
  };

  const problem = (kind: RealtimeProblem, message: string, extra: Record<string, unknown> = {}): void => {
    stats.problems[kind] += 1;
    stats.lastProblem = { kind, message };
    const level = kind === 'appkey-in-use' || kind === 'approval' || kind === 'decrypt' || kind === 'handler' ? 'error' : 'warn';
    log[level]({ problem: kind, ...extra }, `KIS WebSocket: ${message}`);
  };

  const delayFor = (n: number): number => {
    const base = Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.min(n, 30));
    return Math.round(base / 2 + (base / 2) * random());
  };

  /** The registrations wanted, by priority, capped: notices, held, open orders, watch candidates. */
  const desired = (): { list: { trId: string; trKey: string }[]; over: number } => {
    const out: { trId: string; trKey: string }[] = [];
    const seen = new Set<string>();
    if (opts.htsId !== null) out.push({ trId: noticeId, trKey: opts.htsId });
    for (const s of [...wanted.held, ...wanted.orders, ...wanted.watch]) {
      if (seen.has(s)) continue;
      seen.add(s);
      out.push({ trId: TRADE_TR_ID, trKey: s });
    }
    return { list: out.slice(0, max), over: Math.max(0, out.length - max) };
  };

  const message = (trId: string, trKey: string, register: boolean, approvalKey: string): string => JSON.stringify({
    header: { approval_key: approvalKey, custtype: 'P', tr_type: register ? '1' : '2', 'content-type': 'utf-8' },
    body: { input: { tr_id: trId, tr_key: trKey } },
  });

  const pump = (): void => {
    if (pumping) return;
    const next = queue.shift();
    if (next === undefined) return;
    if (ws === null || ws.readyState !== WebSocket.OPEN) {
      queue.length = 0;
      return;
    }
    ws.send(next);
    pumping = true;
    setTimeout(() => {
      pumping = false;
      pump();
    }, gapMs).unref();
  };

  const schedulePlan = (at: number): void => {
    const wait = Math.max(0, at - clock.now());
    if (planTimer !== null) clearTimeout(planTimer);
    planTimer = setTimeout(() => {
      planTimer = null;
      plan();
    }, Math.min(wait, 2 ** 31 - 1));
    planTimer.unref();
  };

  /** Diffs the wanted registrations against the registered ones and queues what must change. */
  const plan = (): void => {
    if (ws === null || ws.readyState !== WebSocket.OPEN || approval === null) return;
    const now = clock.now();
    const { list, over } = desired();
    stats.overLimit = over;
    const want = new Set(list.map((d) => key(d.trId, d.trKey)));
    let nextAt = Infinity;
    for (const [k, s] of subs) {
      if (want.has(k)) s.unwantedAt = null;
      else if (s.unwantedAt === null) s.unwantedAt = now;
    }
    const missing = list.filter((d) => !subs.has(key(d.trId, d.trKey)));
    // a slot wanted by a symbol of higher priority is freed at once; otherwise the registration lingers
    const stale = [...subs.values()].filter((s) => s.unwantedAt !== null).sort((a, b) => (a.unwantedAt ?? 0) - (b.unwantedAt ?? 0));
    let needed = Math.max(0, subs.size + missing.length - max);
    for (const s of stale) {
      const expired = now - (s.unwantedAt ?? now) >= lingerMs;
      if (!expired && needed <= 0) {
        nextAt = Math.min(nextAt, (s.unwantedAt ?? now) + lingerMs);
        continue;
      }
      if (needed > 0) needed -= 1;
      subs.delete(key(s.trId, s.trKey));
      if (s.state !== 'retry') {
        queue.push(message(s.trId, s.trKey, false, approval.key));
        stats.unsubscribesSent += 1;
      }
    }
    for (const d of list) {
      const k = key(d.trId, d.trKey);
      const s = subs.get(k);
      if (s === undefined) {
        if (subs.size >= max) break;
        subs.set(k, { ...d, state: 'sending', failures: 0, retryAt: 0, unwantedAt: null });
      } else if (s.state === 'retry' && s.retryAt <= now) {
        s.state = 'sending';
      } else {
        if (s.state === 'retry') nextAt = Math.min(nextAt, s.retryAt);
        continue;
      }
      queue.push(message(d.trId, d.trKey, true, approval.key));
      stats.subscribesSent += 1;
    }
    stats.active = [...subs.values()].filter((s) => s.state === 'active').length;
    if (nextAt !== Infinity) schedulePlan(nextAt);
    pump();
  };

  const refuse = (s: Sub, kind: RealtimeProblem, text: string): void => {
    s.failures += 1;
    s.state = 'retry';
    const wait = delayFor(s.failures - 1 + 2);
    s.retryAt = clock.now() + wait;
    problem(kind, `${text}: ${s.trId} ${s.trId === noticeId ? '(HTS ID)' : s.trKey} retried in ${Math.round(wait / 1000)} s`, { trId: s.trId, trKey: s.trId === noticeId ? null : s.trKey });
    schedulePlan(s.retryAt);
  };

  const onSystem = (f: SystemFrame): void => {
    if (f.trId === 'PINGPONG') {
      // §10.3: the official samples answer with the very same text
      stats.pingpongs += 1;
      ws?.send(f.raw);
      return;
    }
    const s = f.trKey === null ? undefined : subs.get(key(f.trId, f.trKey));
    const code = f.msgCd ?? '';
    if (f.key !== null && f.iv !== null) ciphers.set(f.trId, { key: f.key, iv: f.iv });
    if (code === WS_CODES.appKeyInUse) {
      // KIS's text ends in 'appkey': no colon after it, or the log scrubber takes the next word for a key
      problem('appkey-in-use', `${code} (${f.msg ?? ''}): another session holds this app key `
        + `(one per key, docs/kis-wire.md §4); closing and waiting ${Math.round(inUseMs / 1000)} s or more `
        + 'before trying again. Is another kis-trader running on the same keys?');
      minNextDelay = inUseMs;
      ws?.close(1000, 'appkey in use');
      return;
    }
    if (code === WS_CODES.invalidAppKey) {
      // the approval key is refused: a new one is asked for on the next connection, after the back-off
      problem('subscribe-refused', `${code} ${f.msg ?? ''}: the approval key was refused; reconnecting with a new one`);
      approval = null;
      ws?.close(1000, 'approval key refused');
      return;
    }
    if (f.rtCd === '0' || code === WS_CODES.alreadySubscribed) {
      if (s !== undefined && !(f.msg ?? '').startsWith('UNSUB')) {
        s.state = 'active';
        s.failures = 0;
        live();
      }
      stats.active = [...subs.values()].filter((x) => x.state === 'active').length;
      return;
    }
    if (code === WS_CODES.notSubscribed) return;
    if (s === undefined) {
      problem('subscribe-refused', `${code} ${f.msg ?? ''} for ${f.trId} (no pending registration)`);
      return;
    }
    refuse(s, code === WS_CODES.maxSubscribe ? 'registration-limit' : 'subscribe-refused', `${code} ${f.msg ?? ''}`.trim());
  };

  const deliver = async <T>(fn: ((x: T) => void | Promise<void>) | undefined, x: T): Promise<void> => {
    if (fn === undefined) return;
    try {
      await fn(x);
    } catch (err) {
      problem('handler', `a handler failed: ${describeError(err)}`);
    }
  };

  const onData = (f: DataFrame): void => {
    let payload = f.payload;
    if (f.encrypted) {
      const c = ciphers.get(f.trId);
      if (c === undefined) throw new FrameError('decrypt', `encrypted ${f.trId} frame before its subscribe answer gave a key`);
      payload = decryptPayload(payload, c.key, c.iv);
    }
    if (f.trId === TRADE_TR_ID) {
      for (const t of parseTradeTicks(payload, f.count)) {
        stats.trades += 1;
        void deliver(opts.onTrade, t);
      }
    } else if (f.trId === noticeId) {
      for (const n of parseFillNotices(payload, f.count)) {
        stats.notices += 1;
        void deliver(opts.onNotice, n);
      }
    }
  };

  const onMessage = (data: WebSocket.RawData): void => {
    const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8');
    try {
      const f = decodeFrame(text);
      if (f.kind === 'system') onSystem(f);
      else onData(f);
    } catch (err) {
      if (err instanceof FrameError) problem(err.problem, err.message);
      else problem('frame-invalid', describeError(err));
    }
  };

  const scheduleReconnect = (): void => {
    if (!running || reconnectTimer !== null) return;
    const wait = Math.max(minNextDelay, delayFor(attempt));
    minNextDelay = 0;
    attempt += 1;
    reconnectAt = Date.now() + wait;
    stats.reconnectAt = reconnectAt;
    log.info({ waitMs: wait, attempt }, 'KIS WebSocket: reconnecting after a back-off');
    reconnectTimer = setTimeout(() => {
      reconnectTimer = null;
      reconnectAt = null;
      stats.reconnectAt = null;
      void connect();
    }, wait);
  };

  const connect = async (): Promise<void> => {
    if (!running) return;
    const now = clock.now();
    if (approval === null || now - approval.at >= approvalTtlMs) {
      try {
        approval = { key: await opts.approvalKey(), at: now };
      } catch (err) {
        problem('approval', `approval key not issued: ${describeError(err)}`);
        scheduleReconnect();
        return;
      }
    }
    if (!running) return;
    const socket = new WebSocket(opts.url, { handshakeTimeout: opts.handshakeTimeoutMs ?? 10_000, perMessageDeflate: false });
    ws = socket;
    socket.on('open', () => {
      openedAt = Date.now();
      stats.connected = true;
      stats.connects += 1;
      subs.clear();
      ciphers.clear();
      log.info({ url: opts.url, reconnect: everLive }, 'KIS WebSocket connected');
      awaitingLive = true;
      plan();
      // live with the first confirmed registration, or now when there is nothing to register
      if (subs.size === 0) live();
    });
    socket.on('message', onMessage);
    socket.on('error', (err) => {
      problem('network', describeError(err), { url: opts.url });
    });
    socket.on('close', (code, reason) => {
      if (ws === socket) ws = null;
      stats.connected = false;
      stats.active = 0;
      awaitingLive = false;
      queue.length = 0;
      subs.clear();
      const lasted = openedAt === null ? 0 : Date.now() - openedAt;
      openedAt = null;
      if (lasted >= stableMs) attempt = 0;
      if (running) {
        const why = `closed (code ${code}${reason.length > 0 ? `, ${reason.toString('utf8')}` : ''}) after ${Math.round(lasted / 1000)} s`;
        if (stats.lastProblem?.kind !== 'appkey-in-use' || minNextDelay === 0) problem('network', why);
        void deliver(opts.onDisconnected, why);
        scheduleReconnect();
      }
    });
  };

  return {
    start() {
      if (running) return;
      running = true;
      void connect();
    },
    async stop() {
      running = false;
      if (reconnectTimer !== null) clearTimeout(reconnectTimer);
      if (planTimer !== null) clearTimeout(planTimer);
      reconnectTimer = null;
      planTimer = null;
      const socket = ws;
      ws = null;
      if (socket === null || socket.readyState === WebSocket.CLOSED) return;
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          socket.terminate();
          resolve();
        }, 2_000);
        socket.once('close', () => {
          clearTimeout(t);
          resolve();
        });
        if (socket.readyState === WebSocket.CONNECTING) socket.terminate();
        else socket.close(1000, 'stopping');
      });
    },
    want(w) {
      wanted = { held: [...w.held], orders: [...w.orders], watch: [...w.watch] };
      plan();
    },
    stats: () => ({ ...stats, problems: { ...stats.problems } }),
  };
}
