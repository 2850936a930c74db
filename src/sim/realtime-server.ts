import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import { kstDateOf } from '../domain/index.js';
import type { Clock, EpochMs, KisEnv, Logger } from '../domain/index.js';
import type { SimExchange } from '../exchange/index.js';
import type { SyntheticMarket } from '../synthetic/index.js';
import { approvalKeyValid } from './handlers-oauth.js';
import type { TokenAuthority } from './auth.js';
import type { FaultMatcher } from './faults.js';
import { splitAccount } from './credentials.js';
import { answer, cipherFor, dataFrame, noticeRecord, pingpong, tradeRecord } from './realtime-wire.js';
import { hhmmss } from './wire-format.js';

/**
 * The KIS WebSocket (docs/kis-wire.md §10) on the simulator's HTTP port: registrations answered
 * with a key and IV, one session per app key (a second gets OPSP8996), at most 41 registrations,
 * encrypted fill notices when the matching engine fills an order of the session's account, trade
 * ticks of registered symbols from the synthetic market, PINGPONG, and the ws-* faults (drop,
 * delay, disconnect) applied to outgoing data frames. Notices are not replayed: a fill while no
 * session listens is only in inquire-daily-ccld, as at KIS.
 */
export interface RealtimeServerOptions {
  env: KisEnv;
  seed: number;
  clock: Clock;
  market: SyntheticMarket;
  exchange: SimExchange;
  tokens: TokenAuthority;
  faults: FaultMatcher;
  log: Logger;
  /** how often (real ms) the server advances the exchange and looks for fills and trades; default 100 */
  pumpMs?: number;
  /** PINGPONG period (real ms); default 30 s; a session that answers none of two in a row is closed */
  pingMs?: number;
  /** default 41 (§4) */
  maxRegistrations?: number;
}

export interface RealtimeStats {
  sessions: number;
  connections: number;
  trades: number;
  notices: number;
  dropped: number;
  delayed: number;
  disconnected: number;
  inUseRefusals: number;
  pings: number;
  pongs: number;
}

export interface SimRealtime {
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** sessions holding an app key */
  sessions(): number;
  stats(): RealtimeStats;
  /** closes every session now (as a network cut would) */
  disconnectAll(): void;
  close(): Promise<void>;
}

interface Session {
  no: number;
  ws: WebSocket;
  appKey: string | null;
  /** '50000000-01', as the exchange spells accounts */
  account: string | null;
  custId: string;
  subs: Map<string, { trId: string; trKey: string }>;
  cipher: { key: string; iv: string };
  last: Map<string, { price: number; volume: number }>;
  unanswered: number;
}

const TRADE = 'H0STCNT0';
const datetime = (t: EpochMs): string => `${kstDateOf(t)}${hhmmss(t)}`;

export function createSimRealtime(opts: RealtimeServerOptions): SimRealtime {
  const noticeId = opts.env === 'live' ? 'H0STCNI0' : 'H0STCNI9';
  const max = opts.maxRegistrations ?? 41;
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  const sessions = new Set<Session>();
  const stats: RealtimeStats = { sessions: 0, connections: 0, trades: 0, notices: 0, dropped: 0, delayed: 0, disconnected: 0, inUseRefusals: 0, pings: 0, pongs: 0 };
  /** per account: how many ledger trades have been announced */
  const announced = new Map<string, number>();
  const timers = new Set<NodeJS.Timeout>();
  let no = 0;

  const holder = (appKey: string): Session | undefined => [...sessions].find((s) => s.appKey === appKey && s.ws.readyState === s.ws.OPEN);

  /** Sends a data frame through the ws-* faults. */
  const sendData = (s: Session, trId: string, frame: string): void => {
    const hits = opts.faults.take('/ws', trId, 'ws');
    if (hits.some((f) => f.kind === 'ws-disconnect')) {
      stats.disconnected += 1;
      s.ws.terminate();
      return;
    }
    if (hits.some((f) => f.kind === 'ws-drop')) {
      stats.dropped += 1;
      return;
    }
    const delay = hits.filter((f) => f.kind === 'ws-delay').reduce((sum, f) => sum + (f.ms ?? 0), 0);
    if (delay > 0) {
      stats.delayed += 1;
      const t = setTimeout(() => {
        timers.delete(t);
        if (s.ws.readyState === s.ws.OPEN) s.ws.send(frame);
      }, delay);
      timers.add(t);
      return;
    }
    s.ws.send(frame);
  };

  const onText = (s: Session, text: string): void => {
    let msg: { header?: Record<string, unknown>; body?: { input?: Record<string, unknown> } };
    try {
      msg = JSON.parse(text) as typeof msg;
    } catch {
      s.ws.send(answer('', '', '1', 'OPSP0007', 'JSON PARSING ERROR', null));
      return;
    }
    const h = msg.header ?? {};
    if (h.tr_id === 'PINGPONG') {
      s.unanswered = 0;
      stats.pongs += 1;
      return;
    }
    const input = msg.body?.input ?? {};
    const trId = typeof input.tr_id === 'string' ? input.tr_id : '';
    const trKey = typeof input.tr_key === 'string' ? input.tr_key : '';
    const approvalKey = typeof h.approval_key === 'string' ? h.approval_key : '';
    const trType = h.tr_type;
    const cred = approvalKeyValid(opts.tokens, opts.seed, approvalKey, opts.clock.now());
    if (cred === null) {
      s.ws.send(answer(trId, trKey, '1', 'OPSP9994', 'INVALID APPROVAL KEY', null));
      return;
    }
    if (s.appKey === null) {
      const other = holder(cred.appKey);
      if (other !== undefined && other !== s) {
        stats.inUseRefusals += 1;
        opts.log.info({ session: s.no, holder: other.no }, 'sim WebSocket: app key already in use (OPSP8996)');
        s.ws.send(answer(trId, trKey, '1', 'OPSP8996', 'ALREADY IN USE appkey', null));
        return;
      }
      s.appKey = cred.appKey;
      const acct = splitAccount(cred.account);
      s.account = acct === null ? null : `${acct.cano}-${acct.prdt}`;
      if (s.account !== null) {
        // a new session hears of fills from now on: what filled while nobody listened is never sent
        opts.exchange.advanceTo(opts.clock.now());
        announced.set(s.account, opts.exchange.trades(s.account).length);
      }
      stats.sessions = [...sessions].filter((x) => x.appKey !== null).length;
    } else if (s.appKey !== cred.appKey) {
      s.ws.send(answer(trId, trKey, '1', 'OPSP8996', 'ALREADY IN USE appkey', null));
      return;
    }
    const k = `${trId}|${trKey}`;
    if (trType === '2') {
      if (s.subs.delete(k)) s.ws.send(answer(trId, trKey, '0', 'OPSP0001', 'UNSUBSCRIBE SUCCESS', null));
      else s.ws.send(answer(trId, trKey, '1', 'OPSP0003', 'UNSUBSCRIBE ERROR(not found!)', null));
      return;
    }
    if (trType !== '1') {
      s.ws.send(answer(trId, trKey, '1', 'OPSP0007', `tr_type must be 1 or 2, got ${String(trType)}`, null));
      return;
    }
    if (trId !== TRADE && trId !== noticeId) {
      // SIM: KIS's code for a TR this server does not serve (or the other environment's notice TR) is not known
      s.ws.send(answer(trId, trKey, '1', 'OPSP8993', 'INVALID TR_ID', null));
      return;
    }
    if (trId === TRADE && opts.market.symbol(trKey) === undefined) {
      s.ws.send(answer(trId, trKey, '1', 'OPSP8992', 'INVALID TR_KEY', null));
      return;
    }
    if (s.subs.has(k)) {
      s.ws.send(answer(trId, trKey, '1', 'OPSP0002', 'ALREADY IN SUBSCRIBE', null));
      return;
    }
    if (s.subs.size >= max) {
      s.ws.send(answer(trId, trKey, '1', 'OPSP0008', 'MAX SUBSCRIBE OVER', null));
      return;
    }
    s.subs.set(k, { trId, trKey });
    if (trId === noticeId) s.custId = trKey;
    s.ws.send(answer(trId, trKey, '0', 'OPSP0000', 'SUBSCRIBE SUCCESS', s.cipher));
  };

  const notices = (): void => {
    const accounts = new Set([...sessions].flatMap((s) => (s.account === null ? [] : [s.account])));
    for (const account of accounts) {
      const trades = opts.exchange.trades(account);
      const from = announced.get(account) ?? trades.length;
      announced.set(account, trades.length);
      if (from >= trades.length) continue;
      const listeners = [...sessions].filter((s) => s.account === account && [...s.subs.values()].some((x) => x.trId === noticeId));
      if (listeners.length === 0) continue;
      const views = opts.exchange.orders(account);
      for (const t of trades.slice(from)) {
        const o = views.find((v) => v.engineId === t.orderId);
        if (o === undefined) continue;
        const acct = splitAccount(account);
        for (const s of listeners) {
          const plain = noticeRecord({
            custId: s.custId, account: acct === null ? account : `${acct.cano}${acct.prdt}`, orderNo: o.odno, originalOrderNo: '',
            side: t.side, kind: 'new', orderKind: o.type === 'market' ? '01' : '00', symbol: t.symbol, name: o.name, qty: t.qty, price: t.price,
            time: hhmmss(t.at), refused: false, fill: true, branch: o.branch, orderQty: o.qty, orderPrice: o.price,
          });
          stats.notices += 1;
          sendData(s, noticeId, dataFrame(noticeId, [plain], s.cipher));
        }
      }
    }
  };

  const trades = (now: EpochMs): void => {
    for (const s of sessions) {
      for (const { trId, trKey } of s.subs.values()) {
        if (trId !== TRADE) continue;
        const q = opts.market.quote(trKey, now);
        if (q.state !== 'continuous' || opts.market.halted(trKey, q.at)) continue;
        const prev = s.last.get(trKey);
        if (prev !== undefined && prev.price === q.price && prev.volume === q.volume) continue;
        s.last.set(trKey, { price: q.price, volume: q.volume });
        const book = opts.market.book(trKey, q.at);
        stats.trades += 1;
        sendData(s, TRADE, dataFrame(TRADE, [tradeRecord({
          symbol: trKey, time: hhmmss(q.at), date: q.date, price: q.price, base: q.base, open: q.open, high: q.high, low: q.low,
          ask1: book.asks[0]?.price ?? q.price, bid1: book.bids[0]?.price ?? q.price,
          volume: Math.max(1, q.volume - (prev?.volume ?? q.volume)), dayVolume: q.volume, dayValue: q.value, hourClass: '0',
        })], null));
      }
    }
  };

  const pump = (): void => {
    if (sessions.size === 0) return;
    const now = opts.clock.now();
    try {
      opts.exchange.advanceTo(now);
      notices();
      trades(now);
    } catch (err) {
      opts.log.error({ err }, 'sim WebSocket pump failed');
    }
  };
  const pumpTimer = setInterval(pump, opts.pumpMs ?? 100);
  pumpTimer.unref();
  const pingTimer = setInterval(() => {
    const text = pingpong(datetime(opts.clock.now()));
    for (const s of sessions) {
      if (s.unanswered >= 2) {
        opts.log.info({ session: s.no }, 'sim WebSocket: two PINGPONGs unanswered, closing');
        s.ws.close(1000, 'PINGPONG unanswered');
        continue;
      }
      s.unanswered += 1;
      stats.pings += 1;
      s.ws.send(text);
    }
  }, opts.pingMs ?? 30_000);
  pingTimer.unref();

  wss.on('connection', (ws) => {
    stats.connections += 1;
    const s: Session = {
      no: ++no, ws, appKey: null, account: null, custId: '', subs: new Map(), cipher: cipherFor(opts.seed, no), last: new Map(), unanswered: 0,
    };
    sessions.add(s);
    ws.on('message', (data) => onText(s, Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8')));
    // the newer official sample answers PINGPONG as a pong frame's payload (§10.3)
    ws.on('pong', () => {
      s.unanswered = 0;
      stats.pongs += 1;
    });
    ws.on('error', () => undefined);
    ws.on('close', () => {
      sessions.delete(s);
      stats.sessions = [...sessions].filter((x) => x.appKey !== null).length;
    });
  });

  return {
    handleUpgrade(req, socket, head) {
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
    },
    sessions: () => [...sessions].filter((s) => s.appKey !== null).length,
    stats: () => ({ ...stats }),
    disconnectAll() {
      for (const s of sessions) s.ws.terminate();
    },
    close: () => new Promise<void>((resolve) => {
      clearInterval(pumpTimer);
      clearInterval(pingTimer);
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const s of sessions) s.ws.terminate();
      wss.close(() => resolve());
    }),
  };
}
