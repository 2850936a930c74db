import { epochMs, formatKst, OPEN_STATUSES } from '../domain/index.js';
import type { KisEnv, Logger, Notifier } from '../domain/index.js';
import type { Config } from '../config/index.js';
import { createRealtimeSession } from '../kis/index.js';
import type { KisClient, RealtimeSession } from '../kis/index.js';
import type { Store, WebSocketBeat } from '../store/index.js';
import type { Jobs } from './jobs.js';

/**
 * The daemon's KIS WebSocket (docs/kis-wire.md §10.5), owned by the process that holds the account
 * and runs the order worker: one session per app key. Fill notices and reconnects reconcile at once
 * (the fill is recorded by the poll's code); trades of held symbols run the exits. The wanted set is
 * read from the trade log every `refreshMs` and the session diffs it (held > open orders > watch list).
 */
export interface RealtimeWiring {
  readonly session: RealtimeSession;
  stop(): Promise<void>;
}

/** What the heartbeat says of the session (`kis-trader status`): null when the WebSocket is off. */
export function websocketBeat(enabled: boolean, wiring: RealtimeWiring | null): WebSocketBeat | null {
  if (!enabled) return null;
  const s = wiring?.session.stats();
  if (!s) {
    return { connected: false, active: 0, overLimit: 0, trades: 0, notices: 0, reconnectAt: null, lastProblem: null };
  }
  return {
    connected: s.connected, active: s.active, overLimit: s.overLimit, trades: s.trades, notices: s.notices,
    reconnectAt: s.reconnectAt,
    lastProblem: s.lastProblem === null ? null : `${s.lastProblem.kind}: ${s.lastProblem.message}`,
  };
}

const plural = (n: number, one: string): string => `${n} ${one}${n === 1 ? '' : 's'}`;

/** The session in one line, for `kis-trader status` and Telegram /status. */
export function describeWebSocket(w: WebSocketBeat | null): string {
  if (w === null) return 'off (kis.websocket.enabled is false): fills by polling, exits by the minute check';
  if (w.connected) {
    const over = w.overLimit > 0 ? `; ${w.overLimit} symbol(s) over the limit of registrations` : '';
    const counts = [plural(w.active, 'registration'), plural(w.trades, 'trade'), plural(w.notices, 'fill notice')];
    return `connected, ${counts.join(', ')}${over}`;
  }
  // the system clock's time, also in sim mode, where the trade log's times are simulated
  const next = w.reconnectAt === null
    ? 'connecting'
    : `next reconnect ${formatKst(epochMs(w.reconnectAt)).slice(11, 19)} KST by the system clock`;
  const problem = w.lastProblem === null ? '' : `; last problem ${w.lastProblem}`;
  return `DOWN (${next}${problem}): fills by polling, exits by the minute check`;
}

/** Where the session connects: the override, the simulator's own port, or KIS's per environment. */
export function realtimeUrl(config: Config, env: KisEnv, restBaseUrl: string): string {
  if (config.kis.websocket.url !== null) return config.kis.websocket.url;
  if (config.mode === 'sim') return restBaseUrl.replace(/^http/, 'ws');
  return env === 'live' ? config.kis.websocket.liveUrl : config.kis.websocket.paperUrl;
}

export function startRealtime(opts: {
  config: Config;
  env: KisEnv;
  url: string;
  /** tr_key of the fill notices; null: trades only */
  htsId: string | null;
  kis: KisClient;
  store: Store;
  jobs: Jobs;
  ownsAccount: () => boolean;
  log: Logger;
  /** ws-lost once per outage, ws-back when the subscriptions are live again */
  notifier: Notifier;
  /** the metrics gauge (runtime/metrics.ts), when metrics are on */
  onState?: (state: 'down' | 'connecting' | 'connected') => void;
  refreshMs?: number;
}): RealtimeWiring {
  const { store, jobs, log } = opts;
  let lost: string | null = null;
  opts.onState?.('connecting');
  const session = createRealtimeSession({
    env: opts.env, url: opts.url, htsId: opts.htsId, approvalKey: () => opts.kis.approvalKey(), log,
    maxRegistrations: opts.config.kis.websocket.maxRegistrations,
    onNotice: async (n) => {
      log.info({ orderNo: n.orderNo, symbol: n.symbol, side: n.side, qty: n.qty, price: n.price, fill: n.fill, refused: n.refused }, 'KIS fill notice');
      if (!opts.ownsAccount() || !(n.fill || n.refused || n.kind === 'cancel')) return;
      await jobs.reconcileSoon(n.fill ? 'fill notice' : 'order notice');
    },
    // a notice sent while the socket was down is never sent again: the reconcile finds its fill
    onConnected: async (reconnect) => {
      opts.onState?.('connected');
      if (lost !== null) {
        opts.notifier.notify({ kind: 'ws-back', message: 'KIS WebSocket back: fills and trades in real time again', details: { down: lost } });
        lost = null;
      }
      if (reconnect && opts.ownsAccount()) await jobs.reconcileSoon('websocket reconnected');
    },
    onDisconnected: (why) => {
      opts.onState?.('down');
      if (lost !== null) return;
      lost = why;
      opts.notifier.notify({ kind: 'ws-lost', message: 'KIS WebSocket lost: fills come from polling and exits from the minute check until it is back', details: { why } });
    },
    onTrade: async (t) => {
      if (t.hourClass !== '0' || !opts.ownsAccount()) return;
      await jobs.trade(t.symbol, t.price);
    },
  });
  const refresh = (): void => {
    try {
      session.want({
        held: store.positions.list().map((p) => p.symbol),
        orders: store.orders.withStatus(OPEN_STATUSES).map((o) => o.symbol),
        watch: opts.config.kis.watchlist,
      });
    } catch (err) {
      log.warn({ err }, 'realtime: the wanted symbols could not be read; keeping the registrations');
    }
  };
  refresh();
  session.start();
  const timer = setInterval(refresh, opts.refreshMs ?? 2_000);
  timer.unref();
  log.info({ url: opts.url, notices: opts.htsId !== null }, opts.htsId !== null
    ? 'KIS WebSocket on: fill notices reconcile at once, trades of held symbols run the exits; polling stays as reconciliation'
    : 'KIS WebSocket on for trades only: no KIS_HTS_ID, so fills are found by polling');
  return {
    session,
    async stop() {
      clearInterval(timer);
      await session.stop();
    },
  };
}
