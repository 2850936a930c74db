import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { describeError } from '../domain/index.js';
import type { KisTelemetry, Lane, Logger, RateBudget, TradingDate } from '../domain/index.js';
import type { Store } from '../store/index.js';
import type { ChannelStats } from './alerts.js';

/**
 * Prometheus metrics and the health check (docs/operations.md "Metrics and health"). Counters of
 * what happens on the wire (KIS calls, EGW00201, token issuances, rate-budget waits) are counted as
 * it happens; the trade facts (orders, fills, decisions, guard blocks of the trading day) are read
 * from the trade log at each scrape, so they survive restarts and never disagree with it.
 */
export type WebSocketState = 'down' | 'connecting' | 'connected';
const WS_VALUE: Record<WebSocketState, number> = { down: 0, connecting: 1, connected: 2 };

export interface HealthReport {
  healthy: boolean;
  /** why not, one entry per failed check (empty when healthy) */
  reasons: string[];
  checks: Record<string, boolean>;
}

/** What a scrape reads from the running daemon; set once the daemon has started its parts. */
export interface MetricsSources {
  store: Store;
  today: () => TradingDate;
  /** BullMQ job counts per queue and state; null when Redis does not answer */
  queues: () => Promise<Record<string, Record<string, number>> | null>;
  health: () => HealthReport;
  alerts?: () => readonly { name: string; stats: () => ChannelStats }[];
}

export interface Metrics {
  readonly registry: Registry;
  /** plug into the KIS client options (kis/client.ts `telemetry`) */
  readonly kis: KisTelemetry;
  /** the rate budget, with each wait observed per lane and each EGW00201 slow-down counted */
  observeRateBudget(budget: RateBudget): RateBudget;
  /** for the WebSocket feed: its connection state */
  setWebSocketState(state: WebSocketState): void;
  attach(sources: MetricsSources): void;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 20 });
  let sources: MetricsSources | null = null;

  const kisCalls = new Counter({
    name: 'kis_trader_kis_calls_total', help: 'KIS HTTP exchanges by endpoint, rate-budget lane and result (ok, KIS msg_cd or error code)',
    labelNames: ['endpoint', 'lane', 'result'], registers: [registry],
  });
  const rateLimited = new Counter({
    name: 'kis_trader_kis_rate_limited_total', help: 'KIS answers EGW00201 (over the rate limit) by endpoint',
    labelNames: ['endpoint'], registers: [registry],
  });
  const tokens = new Counter({ name: 'kis_trader_token_issuances_total', help: 'KIS access tokens issued (tokenP)', registers: [registry] });
  const tokenFailures = new Counter({ name: 'kis_trader_token_failures_total', help: 'times no KIS access token could be had', registers: [registry] });
  const waits = new Histogram({
    name: 'kis_trader_rate_budget_wait_seconds', help: 'time a KIS call waited for the shared rate budget, by lane',
    labelNames: ['lane'], buckets: [0, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10], registers: [registry],
  });
  const penalties = new Counter({ name: 'kis_trader_rate_budget_penalties_total', help: 'slow-downs of the rate budget after EGW00201', registers: [registry] });
  const ws = new Gauge({ name: 'kis_trader_websocket_state', help: 'KIS WebSocket: 0 down, 1 connecting, 2 connected', registers: [registry] });
  ws.set(0);

  const today = <T>(read: (s: MetricsSources, date: TradingDate) => T): T | null => (sources ? read(sources, sources.today()) : null);
  const rows = <R>(sql: string, date: TradingDate): R[] => sources!.store.db.prepare<[string], R>(sql).all(date);

  new Gauge({
    name: 'kis_trader_orders', help: 'orders of the trading day by status and reject code (from the trade log)',
    labelNames: ['status', 'reject_code'], registers: [registry],
    collect() {
      this.reset();
      const r = today((_s, d) => rows<{ status: string; code: string; n: number }>(
        "SELECT status, COALESCE(reject_code, '') AS code, COUNT(*) AS n FROM orders WHERE trading_date = ? GROUP BY 1, 2", d));
      for (const x of r ?? []) this.set({ status: x.status, reject_code: x.code }, x.n);
    },
  });
  new Gauge({
    name: 'kis_trader_fills', help: 'fills of the trading day (from the trade log)', registers: [registry],
    collect() {
      const r = today((_s, d) => rows<{ n: number }>('SELECT COUNT(*) AS n FROM fills WHERE trading_date = ?', d));
      this.set(r?.[0]?.n ?? 0);
    },
  });
  new Gauge({
    name: 'kis_trader_decisions', help: 'decisions of the trading day by kind and outcome (order, no-trade, blocked)',
    labelNames: ['kind', 'outcome'], registers: [registry],
    collect() {
      this.reset();
      const r = today((_s, d) => rows<{ kind: string; outcome: string; n: number }>(
        'SELECT kind, outcome, COUNT(*) AS n FROM decisions WHERE trading_date = ? GROUP BY 1, 2', d));
      for (const x of r ?? []) this.set({ kind: x.kind, outcome: x.outcome }, x.n);
    },
  });
  new Gauge({
    name: 'kis_trader_guard_blocks', help: 'risk guards that failed in the trading day\'s decisions, by guard',
    labelNames: ['guard'], registers: [registry],
    collect() {
      this.reset();
      const r = today((_s, d) => rows<{ guard: string; n: number }>(
        `SELECT json_extract(g.value, '$.guard') AS guard, COUNT(*) AS n FROM decisions, json_each(decisions.guards) AS g
          WHERE decisions.trading_date = ? AND json_extract(g.value, '$.ok') = 0 GROUP BY 1`, d));
      for (const x of r ?? []) if (x.guard !== null) this.set({ guard: x.guard }, x.n);
    },
  });
  new Gauge({
    name: 'kis_trader_positions', help: 'open positions', registers: [registry],
    collect() { this.set(sources ? sources.store.positions.list().length : 0); },
  });
  new Gauge({
    name: 'kis_trader_entries_halted', help: '1 while new entries are halted', registers: [registry],
    collect() { this.set(sources?.store.risk.get('entries-halted') ? 1 : 0); },
  });
  new Gauge({
    name: 'kis_trader_queue_jobs', help: 'BullMQ jobs by queue and state', labelNames: ['queue', 'state'], registers: [registry],
    async collect() {
      this.reset();
      const q = sources ? await sources.queues().catch(() => null) : null;
      for (const [queue, counts] of Object.entries(q ?? {})) {
        for (const [state, n] of Object.entries(counts)) this.set({ queue, state }, n);
      }
    },
  });
  new Gauge({
    name: 'kis_trader_healthy', help: '1 when /healthz answers 200', registers: [registry],
    collect() { this.set(sources?.health().healthy ? 1 : 0); },
  });
  new Gauge({
    name: 'kis_trader_alerts', help: 'alert messages per channel: sent, failed (after retries), dropped (queue full), queued',
    labelNames: ['channel', 'result'], registers: [registry],
    collect() {
      this.reset();
      for (const c of sources?.alerts?.() ?? []) {
        const s = c.stats();
        for (const result of ['sent', 'failed', 'dropped', 'queued'] as const) this.set({ channel: c.name, result }, s[result]);
      }
    },
  });

  return {
    registry,
    kis: {
      call(endpoint, lane, result) {
        kisCalls.inc({ endpoint, lane, result });
        if (result === 'EGW00201') rateLimited.inc({ endpoint });
      },
      tokenIssued: () => tokens.inc(),
      tokenFailed: () => tokenFailures.inc(),
    },
    observeRateBudget(budget) {
      return {
        async acquire(lane: Lane, signal?: AbortSignal) {
          const ms = await budget.acquire(lane, signal);
          waits.observe({ lane }, ms / 1000);
          return ms;
        },
        async penalize() {
          penalties.inc();
          await budget.penalize();
        },
        currentRate: () => budget.currentRate(),
      };
    },
    setWebSocketState: (state) => ws.set(WS_VALUE[state]),
    attach(s) { sources = s; },
  };
}

export interface MetricsServer {
  /** http://host:port */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * GET /metrics (Prometheus text) and GET /healthz (200 or 503, the checks as JSON), on node:http.
 * Nothing else is served; a scrape that fails answers 500 and is logged, never more.
 */
export async function serveMetrics(metrics: Metrics, opts: { host: string; port: number; health: () => HealthReport; log: Logger }): Promise<MetricsServer> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET' }).end();
      return;
    }
    if (path === '/metrics') {
      metrics.registry.metrics().then((text) => {
        res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text);
      }, (err: unknown) => {
        opts.log.warn({ err: describeError(err) }, 'metrics scrape failed');
        res.writeHead(500, { 'content-type': 'text/plain' }).end('scrape failed\n');
      });
      return;
    }
    if (path === '/healthz') {
      let report: HealthReport;
      try {
        report = opts.health();
      } catch (err) {
        report = { healthy: false, reasons: [`health check failed: ${describeError(err)}`], checks: {} };
      }
      res.writeHead(report.healthy ? 200 : 503, { 'content-type': 'application/json' }).end(`${JSON.stringify(report)}\n`);
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: /metrics, /healthz\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${host}:${addr.port}`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
