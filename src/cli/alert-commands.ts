import { hostname } from 'node:os';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { describeError, epochMs, silentLogger } from '../domain/index.js';
import { alertSecrets } from '../config/index.js';
import type { Env, LoadedConfig } from '../config/index.js';
import type { Store } from '../store/index.js';
import { checkSilence, createAlerts, loadCalendar, markAlarmed, pidAlive } from '../runtime/index.js';
import type { Alerts } from '../runtime/index.js';
import type { Logger, Notifier } from '../domain/index.js';

export interface AlertsIo {
  out(s: string): void;
  err(s: string): void;
  exit(code: number): never;
  env: Env;
  cwd: string;
  loaded: () => LoadedConfig;
}

export interface WatchdogIo extends AlertsIo {
  /** the trade log, read-write (the alarm is remembered in it) */
  withStore<T>(fn: (store: Store) => Promise<T>): Promise<T>;
}

/**
 * The alert channels the config enables, their secrets from the environment; null after printing
 * the problems (a channel enabled without its secret: the caller exits 78).
 */
function openAlerts(
  io: AlertsIo, config: LoadedConfig['config'], base: Notifier, log: Logger = silentLogger,
): Alerts | null {
  const { telegram, webhook } = config.alerts;
  const { secrets, problems } = alertSecrets(io.env, { telegram: telegram.enabled, webhook: webhook.enabled });
  if (problems.length > 0) {
    io.err(`kis-trader: config rejected (CONFIG_INVALID):\n  ${problems.join('\n  ')}`);
    return null;
  }
  return createAlerts({ config: config.alerts, secrets, log, label: `kis-trader ${config.mode}`, base });
}

/**
 * `kis-trader alerts test`: one message through every enabled channel, to try a bot token, chat
 * id or webhook URL before trusting them. Exit 0: each delivered; 1: one was not (the reason is
 * printed), or none is enabled; 78: a channel is enabled without its secret.
 */
export function registerAlertTestCommand(program: Command, io: AlertsIo): void {
  program.command('alerts').description('the alert channels (Telegram, webhook)')
    .command('test')
    .description('send one test message through each enabled channel and say whether it was delivered')
    .action(async () => {
      const { config } = io.loaded();
      const reasons = new Map<string, string>();
      // the channel's own warn line carries the reason (HTTP status, Telegram's description, network error)
      const warn = (obj: Record<string, unknown> | string): void => {
        if (typeof obj === 'string' || typeof obj['channel'] !== 'string') return;
        reasons.set(obj['channel'], typeof obj['err'] === 'string' ? obj['err'] : 'failed');
      };
      const log: Logger = { ...silentLogger, warn, child: () => log };
      const alerts = openAlerts(io, config, { notify: () => undefined }, log);
      if (alerts === null) return io.exit(78);
      if (alerts.channels.length === 0) {
        io.err('alerts test: no channel enabled: set alerts.telegram.enabled or alerts.webhook.enabled, '
          + 'and their secrets in .env (docs/operations.md, Alerts)');
        return io.exit(1);
      }
      const text = `✅ [kis-trader ${config.mode}] test: alerts reach this channel `
        + `(kis-trader alerts test on ${hostname()})`;
      for (const c of alerts.channels) c.enqueue(text);
      await alerts.close(60_000);
      let failed = 0;
      for (const c of alerts.channels) {
        if (c.stats().sent > 0) {
          io.out(`${c.name}: delivered`);
        } else {
          failed += 1;
          io.out(`${c.name}: NOT delivered: ${reasons.get(c.name) ?? 'no answer in time'}`);
        }
      }
      return io.exit(failed === 0 ? 0 : 1);
    });
}

/**
 * `kis-trader watchdog`: the silence alarm (runtime/watchdog.ts), for pm2 cron every minute
 * (ecosystem.config.cjs). Exit 0: nothing to say; 1: the daemon is silent in a session (the alarm
 * was sent now or on an earlier run); 78: the alert config is broken.
 */
export function registerWatchdogCommand(program: Command, io: WatchdogIo): void {
  program.command('watchdog')
    .description('alert (Telegram, webhook) when the daemon wrote no heartbeat for alerts.silenceMinutes during a session; for pm2 cron')
    .option('--minutes <n>', 'silence this long is an alarm (default alerts.silenceMinutes)')
    .option('--any-time', 'check outside market sessions too (sim mode, whose clock is not the wall clock)')
    .action(async (opts: { minutes?: string; anyTime?: boolean }) => {
      const loaded = io.loaded();
      const { config } = loaded;
      const minutes = opts.minutes === undefined ? config.alerts.silenceMinutes : Number(opts.minutes);
      if (!Number.isInteger(minutes) || minutes < 1) {
        io.err(`watchdog: --minutes must be a whole number of minutes ≥ 1, got ${opts.minutes ?? ''}`);
        return io.exit(2);
      }
      const printed: Notifier = { notify: (n) => io.err(`silence alarm: ${n.message}`) };
      const alerts = openAlerts(io, config, printed);
      if (alerts === null) return io.exit(78);
      const calendar = loadCalendar(resolve(io.cwd, config.market.calendarFile), config.market.sessions);
      const code = await io.withStore(async (store) => {
        const now = epochMs(Date.now());
        const v = checkSilence({ store, now, calendar, silenceMs: minutes * 60_000, host: hostname(), alive: pidAlive, anyTime: opts.anyTime === true });
        io.out(v.line);
        if (!v.silent || !v.notice) return 0;
        if (v.alreadyAlarmed) {
          io.out('alarm already sent for this heartbeat');
          return 1;
        }
        if (alerts.channels.length === 0) io.err('no alert channel enabled (alerts.telegram.enabled, alerts.webhook.enabled): the alarm is only this line');
        alerts.notify(v.notice);
        await alerts.close(30_000);
        for (const c of alerts.channels) {
          const s = c.stats();
          io.out(`${c.name}: ${s.sent > 0 ? 'sent' : 'NOT delivered'}`);
        }
        markAlarmed(store, v.notice.details['lastHeartbeat'] as number | null, now);
        return 1;
      }).catch((e: unknown) => {
        io.err(`watchdog: ${describeError(e)}`);
        return 1;
      });
      return io.exit(code);
    });
}
