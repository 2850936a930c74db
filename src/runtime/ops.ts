import { AppError, describeError, formatKst, kstDateOf, OPEN_STATUSES, RISK_KEYS } from '../domain/index.js';
import type { Clock, EpochMs, Halt, KisTelemetry, Logger, Notice, Notifier, RateBudget, StoredToken } from '../domain/index.js';
import { alertSecrets } from '../config/index.js';
import type { Config, Env } from '../config/index.js';
import { sessionPhase } from '../market/index.js';
import type { SessionPhase, TradingCalendar } from '../market/index.js';
import { lastActivity } from '../store/index.js';
import type { Store, WebSocketBeat } from '../store/index.js';
import { createAlerts } from './alerts.js';
import type { AlertChannel, Alerts } from './alerts.js';
import { createMetrics, serveMetrics } from './metrics.js';
import type { HealthReport, Metrics, MetricsServer } from './metrics.js';
import { createLogNotifier } from './notifier.js';
import { describeWebSocket } from './realtime.js';
import { startTelegramPoller } from './telegram-commands.js';
import type { CommandHandlers, TelegramPoller } from './telegram-commands.js';

/**
 * The daemon's operations side (docs/operations.md): alerts, Telegram commands, metrics and
 * /healthz, and a state line in the log every minute. Built before anything starts (its notifier and
 * telemetry go into the parts), started once the parts exist, stopped last.
 */
export interface OpsParts {
  store: Store;
  clock: Clock;
  /** when the daemon began starting: /healthz wants a reconcile since then (the first one runs before start()) */
  startedAt: EpochMs;
  calendar: () => TradingCalendar;
  redisReady: () => boolean;
  token: () => StoredToken | null;
  queues: () => Promise<Record<string, Record<string, number>> | null>;
  /** halts entries the daemon's way (writes the flag, notifies) */
  haltEntries: (reason: string, details: Record<string, unknown>) => void;
  /** the KIS WebSocket now; null when it is off */
  websocket: () => WebSocketBeat | null;
}

export interface Ops {
  /** log line first, then the enabled channels */
  readonly notifier: Notifier;
  /** for the KIS client: counts calls (when metrics are on) and alerts on token failures */
  readonly telemetry: KisTelemetry;
  /** the rate budget, observed when metrics are on */
  rateBudget(budget: RateBudget): RateBudget;
  readonly metrics: Metrics | null;
  /** the enabled alert channels (their counts: sent, failed, dropped, queued) */
  readonly channels: readonly AlertChannel[];
  /** starts /metrics and /healthz, the Telegram commands, the minute line; resolves when serving */
  start(parts: OpsParts): Promise<void>;
  /** what /healthz answers, for tests and the minute line */
  health(): HealthReport;
  /** the minute's work now (tests): the state line, halts set or lifted outside, the daily-loss breaker */
  tick(): void;
  readonly metricsUrl: string | null;
  stop(): Promise<void>;
}

const MINUTE_MS = 60_000;
/** how soon a halt or resume written by another process (`kis-trader halt`/`resume`) is announced */
const HALT_CHECK_MS = 5000;
/** a token failure is alerted at most this often: each failed call would repeat it */
const TOKEN_ALERT_EVERY_MS = 15 * MINUTE_MS;
/** phases when the schedule reconciles every schedule.reconcileEveryMinutes (schedule.ts) */
const RECONCILING: readonly SessionPhase[] = ['opening-auction', 'regular', 'closing-auction', 'post-close'];
const DAILY_LOSS_KEY = (date: string): string => `alerts.daily-loss.${date}`;

export function createOps(opts: { config: Config; env: Env; log: Logger; label: string }): Ops {
  const { config } = opts;
  const log = opts.log;
  const { telegram, webhook } = config.alerts;
  const { secrets, problems } = alertSecrets(opts.env, { telegram: telegram.enabled, webhook: webhook.enabled });
  if (problems.length > 0) throw new AppError('CONFIG_INVALID', `alerts: ${problems.join('; ')}`);
  const alerts: Alerts = createAlerts({ config: config.alerts, secrets, log, label: opts.label, base: createLogNotifier(log) });
  const metrics = config.metrics.enabled ? createMetrics() : null;
  let parts: OpsParts | null = null;
  let server: MetricsServer | null = null;
  let poller: TelegramPoller | null = null;
  let timer: ReturnType<typeof setInterval> | null = null;
  let haltTimer: ReturnType<typeof setInterval> | null = null;
  let startedAt: EpochMs | null = null;
  let lastTokenAlert = 0;

  // Halts and resumes also come from outside the daemon (`kis-trader halt`/`resume`, a reconcile's
  // own halt): a change of the flag no notice announced yet is announced within HALT_CHECK_MS.
  const haltAt = (): number | null => parts?.store.risk.get<Halt>(RISK_KEYS.halt)?.at ?? null;
  let announcedHalt: number | null | undefined;
  const notifier: Notifier = {
    notify(n: Notice) {
      if (n.kind === 'halt' || n.kind === 'resume') {
        try { announcedHalt = haltAt(); } catch { /* store closed: the tick will not run either */ }
      }
      alerts.notify(n);
    },
  };

  const telemetry: KisTelemetry = {
    call: (e, lane, result) => metrics?.kis.call(e, lane, result),
    tokenIssued: () => metrics?.kis.tokenIssued(),
    tokenFailed(reason) {
      metrics?.kis.tokenFailed(reason);
      const now = Date.now();
      if (now - lastTokenAlert < TOKEN_ALERT_EVERY_MS) return;
      lastTokenAlert = now;
      notifier.notify({ kind: 'token-failure', message: `KIS access token unavailable: ${reason}`, details: { reason } });
    },
  };

  const health = (): HealthReport => {
    const reasons: string[] = [];
    const checks: Record<string, boolean> = {};
    const check = (name: string, ok: () => boolean, why: string): void => {
      let pass: boolean;
      try { pass = ok(); } catch (err) { pass = false; why = `${why}: ${describeError(err)}`; }
      checks[name] = pass;
      if (!pass) reasons.push(why);
    };
    if (!parts || startedAt === null) return { healthy: false, reasons: ['starting'], checks };
    const p = parts;
    const now = p.clock.now();
    check('redis', p.redisReady, 'redis not connected');
    check('store', () => p.store.db.prepare('SELECT 1 AS one').get() !== undefined, 'trade log not readable');
    check('token', () => { const t = p.token(); return t !== null && t.expiresAt > now; }, 'no valid KIS access token');
    const maxAgeMs = 3 * config.schedule.reconcileEveryMinutes * MINUTE_MS;
    check('reconcile', () => {
      const last = lastActivity(p.store.db).lastReconcile;
      if (last === null || last < startedAt!) return false;
      return !RECONCILING.includes(sessionPhase(now, p.calendar())) || now - last <= maxAgeMs;
    }, `no reconcile since start, or none for ${maxAgeMs / MINUTE_MS} min in a session`);
    return { healthy: reasons.length === 0, reasons, checks };
  };

  const commands = (p: OpsParts): CommandHandlers => ({
    status() {
      const h = p.store.risk.get<Halt>(RISK_KEYS.halt);
      const open = p.store.orders.withStatus(OPEN_STATUSES);
      const hc = health();
      const a = lastActivity(p.store.db);
      const at = (t: number | null): string => (t === null ? 'never' : formatKst(t as EpochMs).slice(0, 19));
      return [
        `${opts.label}: ${sessionPhase(p.clock.now(), p.calendar())} at ${formatKst(p.clock.now()).slice(0, 19)}`,
        h ? `entries HALTED: ${h.reason}` : 'entries allowed',
        `health: ${hc.healthy ? 'ok' : hc.reasons.join('; ')}`,
        `websocket: ${describeWebSocket(p.websocket())}`,
        `open orders: ${open.length}; positions: ${p.store.positions.list().length}`,
        `last scan ${at(a.lastScan)}; last reconcile ${at(a.lastReconcile)}`,
      ].join('\n');
    },
    positions() {
      const list = p.store.positions.list();
      if (list.length === 0) return 'no positions';
      return list.map((x) => `${x.symbol} ×${x.qty} cost ${x.cost.toLocaleString('en-US')} ₩`).join('\n');
    },
    pnl() {
      const date = kstDateOf(p.clock.now());
      const fills = p.store.fills.forDate(date);
      const fees = fills.reduce((s, f) => s + f.commission + f.tax, 0);
      const realised = p.store.positions.realizedOn(date);
      const start = p.store.risk.get<number>(RISK_KEYS.dayStartEquity(date));
      const account = p.store.risk.get<{ totalValue: number }>(RISK_KEYS.account);
      const lines = [`${date}: realised ${realised.toLocaleString('en-US')} ₩ after fees; fees and tax ${fees.toLocaleString('en-US')} ₩; ${fills.length} fill(s)`];
      if (start !== null && account) lines.push(`equity ${account.totalValue.toLocaleString('en-US')} ₩ (day start ${start.toLocaleString('en-US')} ₩, ${(account.totalValue - start).toLocaleString('en-US')} ₩)`);
      return lines.join('\n');
    },
    halt(reason) {
      p.haltEntries(reason, { by: 'telegram' });
      return `entries halted: ${reason} (exits keep running; /resume to allow entries)`;
    },
    resume() {
      if (p.store.risk.get<Halt>(RISK_KEYS.halt) === null) return 'entries were not halted';
      p.store.risk.delete(RISK_KEYS.halt);
      notifier.notify({ kind: 'resume', message: 'entries resumed (Telegram /resume)', details: { by: 'telegram' } });
      return 'entries resumed';
    },
  });

  const announceHaltChange = (p: OpsParts): Halt | null => {
    const halt = p.store.risk.get<Halt>(RISK_KEYS.halt);
    const current = halt?.at ?? null;
    if (announcedHalt !== undefined && current !== announcedHalt) {
      notifier.notify(halt
        ? { kind: 'halt', message: `new entries halted: ${halt.reason}`, details: { reason: halt.reason, by: 'outside the daemon' } }
        : { kind: 'resume', message: 'entries resumed (`kis-trader resume`)', details: { by: 'outside the daemon' } });
    }
    announcedHalt = current;
    return halt;
  };

  const tick = (): void => {
    const p = parts;
    if (!p) return;
    const now = p.clock.now();
    const date = kstDateOf(now);
    const halt = announceHaltChange(p);
    // The breaker is a guard of each entry decision (signals/risk.ts): its first block of the day is the alert.
    if (p.store.kv.get(DAILY_LOSS_KEY(date)) === null) {
      const hit = p.store.db.prepare<[string], { guards: string }>(
        `SELECT guards FROM decisions, json_each(decisions.guards) AS g WHERE decisions.trading_date = ?
          AND json_extract(g.value, '$.guard') = 'daily-loss' AND json_extract(g.value, '$.ok') = 0 LIMIT 1`).get(date);
      if (hit) {
        p.store.kv.set(DAILY_LOSS_KEY(date), now, now);
        notifier.notify({ kind: 'daily-loss', message: 'daily loss breaker tripped: no new entries today (exits keep running)', details: { date } });
      }
    }
    const a = lastActivity(p.store.db);
    const hc = health();
    log.info({
      mode: config.mode, phase: sessionPhase(now, p.calendar()), halted: halt?.reason ?? null, positions: p.store.positions.list().length,
      openOrders: p.store.orders.withStatus(OPEN_STATUSES).length, lastScan: a.lastScan, lastReconcile: a.lastReconcile,
      healthy: hc.healthy, ...(hc.healthy ? {} : { unhealthy: hc.reasons }), rssMb: Math.round(process.memoryUsage.rss() / 1_048_576),
      alerts: Object.fromEntries(alerts.channels.map((c) => [c.name, c.stats()])),
    }, 'heartbeat');
  };

  return {
    notifier, telemetry, metrics, channels: alerts.channels,
    rateBudget: (b) => (metrics ? metrics.observeRateBudget(b) : b),
    health,
    tick,
    get metricsUrl() { return server?.url ?? null; },
    async start(p) {
      parts = p;
      startedAt = p.startedAt;
      announcedHalt = haltAt();
      const telegramChannel = alerts.channels.find((c) => c.name === 'telegram');
      metrics?.attach({
        store: p.store, today: () => kstDateOf(p.clock.now()), queues: p.queues, health, alerts: () => alerts.channels,
      });
      if (metrics) {
        // Observability never stops trading: a port taken (another daemon's, a stale process) is an
        // error line, and the daemon trades on without /metrics; the monitoring sees the endpoint gone.
        try {
          server = await serveMetrics(metrics, { host: config.metrics.host, port: config.metrics.port, health, log });
          log.info({ url: server.url }, 'metrics on /metrics, health on /healthz');
        } catch (err) {
          log.error({ host: config.metrics.host, port: config.metrics.port, err: describeError(err) },
            `metrics not served: metrics.host/metrics.port ${config.metrics.host}:${config.metrics.port} unavailable (trading goes on)`);
        }
      }
      if (telegramChannel && secrets.telegram && telegram.commands) {
        poller = startTelegramPoller({
          apiBaseUrl: telegram.apiBaseUrl, token: secrets.telegram.token, chatId: secrets.telegram.chatId,
          pollSeconds: telegram.pollSeconds, handlers: commands(p), reply: (text) => telegramChannel.enqueue(text), log,
        });
      }
      timer = setInterval(() => {
        try { tick(); } catch (err) { log.warn({ err: describeError(err) }, 'heartbeat line failed'); }
      }, MINUTE_MS);
      timer.unref();
      haltTimer = setInterval(() => {
        try { announceHaltChange(p); } catch (err) { log.warn({ err: describeError(err) }, 'halt flag not read'); }
      }, HALT_CHECK_MS);
      haltTimer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      if (haltTimer) clearInterval(haltTimer);
      await poller?.stop();
      await server?.close();
      // the `stop` notice was queued before: give it a moment to leave
      await alerts.close(3000);
      parts = null;
    },
  };
}
