import { parseArgs } from 'node:util';
import { createApp } from './app.js';
import type { App, AppOptions } from './app.js';
import { ALERT_ENV_VARS, loadConfig, secretValues } from './config/index.js';
import type { Env, LoadedConfig } from './config/index.js';
import { describeError, isAppError } from './domain/index.js';
import { createLogger, registerSecrets } from './log.js';
import { storageFailure } from './store/index.js';
import { createWorkersProcess, envFileVars, resolveHome, workersRequirements } from './runtime/index.js';
import type { Home, WorkersProcess } from './runtime/index.js';

/**
 * The process shell: load config (exit 78 on any problem, before connecting anywhere), start the
 * app, tell pm2 we are ready, and turn signals into a graceful stop within a deadline shorter
 * than pm2's kill_timeout (docs/stack.md §8). A second signal exits at once.
 */
const EXIT_CONFIG = 78;
/**
 * Problems a restart cannot fix (exit 78: pm2 does not loop on them): a damaged trade log, one that
 * cannot be opened or was written by a newer kis-trader, a full or read-only disk.
 */
const CONFIG_CODES = [
  'CONFIG_INVALID', 'CONFIG_UNREADABLE', 'CONFIG_SECRET_MISSING', 'CONFIG_LIVE_NOT_CONFIRMED', 'MARKET_INVALID_SESSION_TIMES',
  'MARKET_CALENDAR_INVALID', 'STORE_CORRUPT', 'STORE_OPEN_FAILED', 'STORE_DISK_FULL', 'STORE_READ_ONLY', 'STORE_SCHEMA_TOO_NEW',
];
const exitCodeOf = (err: unknown): number => (isAppError(err) && CONFIG_CODES.includes(err.code) ? EXIT_CONFIG : 1);
// Everything this process and its children (the embedded redis-server) create is owner-only:
// the trade log, the sim journal, Redis' AOF (issue 9 item 12).
process.umask(0o077);

function argvMode(): string | undefined {
  const { values } = parseArgs({ options: { mode: { type: 'string' }, 'config-dir': { type: 'string' } }, strict: false });
  return typeof values.mode === 'string' ? values.mode : undefined;
}

function load(home: Home): LoadedConfig {
  try {
    return loadConfig({ dir: home.configDir, env: process.env, argvMode: argvMode() });
  } catch (err) {
    if (isAppError(err) && CONFIG_CODES.includes(err.code)) {
      const problems = Array.isArray(err.details.problems) ? (err.details.problems as string[]) : [err.message];
      process.stderr.write(`kis-trader: config rejected (${err.code}):\n${problems.map((p) => `  ${p}`).join('\n')}\n`);
      process.exit(EXIT_CONFIG);
    }
    throw err;
  }
}

/**
 * The installation this process runs (runtime/home.ts), with its `.env` read: the real environment
 * wins. `realEnv` is the environment before `.env`, so a reload reads the file again.
 */
function findHome(): { home: Home; realEnv: Env } {
  const { values } = parseArgs({ options: { 'config-dir': { type: 'string' } }, strict: false });
  const home = resolveHome({ env: process.env, cwd: process.cwd(), configDirArg: typeof values['config-dir'] === 'string' ? values['config-dir'] : undefined });
  const realEnv: Env = { ...process.env };
  Object.assign(process.env, envFileVars(home.root, process.env).vars);
  return { home, realEnv };
}

/** What a reload re-reads: the options the daemon loaded with, `.env` read again; and the files to watch. */
function reloadFrom(home: Home, realEnv: Env, mode: string): NonNullable<AppOptions['reload']> {
  return {
    options: () => ({ dir: home.configDir, env: { ...realEnv, ...envFileVars(home.root, realEnv).vars }, argvMode: argvMode() }),
    watch: [
      { dir: home.configDir, names: ['default.json', `${mode}.json`, 'local.json'] },
      { dir: home.root, names: ['.env'] },
    ],
  };
}

async function main(): Promise<void> {
  const { home, realEnv } = findHome();
  const loaded = load(home);
  registerSecrets(secretValues(loaded.secrets));
  // the bot token and the webhook URL (which carries its own secret) never reach a log line
  registerSecrets(ALERT_ENV_VARS.filter((v) => v !== 'TELEGRAM_CHAT_ID').map((v) => process.env[v]));
  const log = createLogger(loaded.config.log);
  // Crash points for the crash tests (test/integration/daemon-crash.test.ts): a real SIGKILL at a chosen step.
  const crashpoint = process.env.KIS_TRADER_CRASHPOINT;
  let app: App | null = null;
  // daemon.role "workers": evaluates signal jobs for the daemon that owns the account (runtime/workers-process.ts).
  let workers: WorkersProcess | null = null;

  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) {
      log.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    log.info({ signal }, 'shutting down');
    const deadline = setTimeout(() => {
      log.error({ deadlineMs: loaded.config.daemon.shutdownDeadlineMs }, 'shutdown deadline passed: exiting');
      process.exit(1);
    }, loaded.config.daemon.shutdownDeadlineMs);
    deadline.unref();
    (app ? app.stop() : workers ? workers.stop() : Promise.resolve()).then(() => {
      log.info({}, 'stopped');
      process.exit(0);
    }, (err: unknown) => {
      log.error({ err: describeError(err) }, 'shutdown failed');
      process.exit(1);
    });
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  // `kis-trader reload` sends it; without a handler it would end the process.
  process.on('SIGHUP', () => {
    log.info({ signal: 'SIGHUP' }, 'SIGHUP: reloading config');
    if (workers) {
      log.warn({ signal: 'SIGHUP' }, 'a workers process does not reload its config: restart it on the owner\'s files (jobs of another config go to the owner meanwhile)');
      return;
    }
    if (!app) {
      log.warn({ signal: 'SIGHUP' }, 'config not reloaded: the daemon is starting');
      return;
    }
    void app.reloadConfig('SIGHUP')?.catch((err: unknown) => {
      log.error({ err: describeError(err) }, 'config reload failed: the config in force stays');
    });
  });
  // A full or read-only disk, wherever a write found it (a timer's, say): stop, naming the file, exit 78.
  const storagePath = (): string => app?.store.path ?? loaded.config.store.path;
  const diskFailure = (err: unknown): boolean => {
    const disk = storageFailure(err, storagePath());
    if (!disk) return false;
    log.fatal({ err: describeError(disk), code: disk.code, path: disk.details.path }, disk.message);
    process.exit(EXIT_CONFIG);
  };
  // A rejected promise nobody awaited is a bug, but not one worth a crash loop: stop entries, keep exits and reconciliation.
  process.on('unhandledRejection', (reason) => {
    if (diskFailure(reason)) return;
    log.error({ err: describeError(reason) }, 'unhandled rejection: new entries halted');
    try { app?.haltEntries('unhandled rejection', { error: describeError(reason) }); } catch { /* the store may be closed */ }
  });
  process.on('uncaughtException', (err) => {
    if (diskFailure(err)) return;
    log.fatal({ err: describeError(err), stack: err.stack }, 'uncaught exception: exiting (a restart reconciles with the broker)');
    process.exit(1);
  });

  if (loaded.config.daemon.role === 'workers') {
    const missing = workersRequirements(loaded, process.env);
    if (missing !== null) {
      process.stderr.write(`kis-trader: config rejected (CONFIG_INVALID):\n  ${missing}\n`);
      process.exit(EXIT_CONFIG);
    }
    try {
      workers = createWorkersProcess({
        loaded, env: process.env, cwd: home.root, log,
        onFatal: (err) => {
          log.fatal({ err: describeError(err), code: err.code }, err.message);
          // Workers cannot close without Redis (docs/stack.md §1.9): give the stop a few seconds, then go.
          const bail = setTimeout(() => process.exit(exitCodeOf(err)), 5000);
          bail.unref();
          void workers?.stop().catch(() => undefined).finally(() => process.exit(exitCodeOf(err)));
        },
      });
      await workers.start();
    } catch (err) {
      log.fatal({ err: describeError(err), code: isAppError(err) ? err.code : undefined }, `cannot start: ${describeError(err)}`);
      await workers?.stop().catch(() => undefined);
      process.exit(exitCodeOf(err));
    }
    process.send?.('ready');
    return;
  }

  try {
    app = createApp({
      loaded, env: process.env, cwd: home.root, log, reload: reloadFrom(home, realEnv, loaded.config.mode),
      onFatal: (err) => {
        log.fatal({ err: describeError(err), code: err.code }, err.message);
        // Workers cannot close without Redis (docs/stack.md §1.9): give the stop a few seconds, then go.
        const bail = setTimeout(() => process.exit(exitCodeOf(err)), 5000);
        bail.unref();
        void app?.stop().catch(() => undefined).finally(() => process.exit(exitCodeOf(err)));
      },
      hooks: crashpoint === 'after-submitting' ? { afterSubmitting: () => process.kill(process.pid, 'SIGKILL') }
        // A real illegal move through the store's gate, inside an order job (test/integration/daemon/invariant.test.ts).
        : crashpoint === 'invalid-transition' ? { afterSubmitting: () => {
          const sent = app?.store.orders.withStatus(['submitting'])[0];
          if (sent) app?.store.orders.transition(sent.id, 'submitting', 'pending', {}, 'test', {}, app.clock.now());
        } } : {},
    });
    await app.start();
  } catch (thrown) {
    const err = storageFailure(thrown, storagePath()) ?? thrown;
    log.fatal({ err: describeError(err), code: isAppError(err) ? err.code : undefined }, `cannot start: ${describeError(err)}`);
    await app?.stop().catch(() => undefined);
    const code = exitCodeOf(err);
    // Found after loading (the calendar file): said on stderr like the problems load() finds.
    if (code === EXIT_CONFIG && isAppError(err)) {
      process.stderr.write(`kis-trader: ${err.code.startsWith('STORE_') ? 'cannot start' : 'config rejected'} (${err.code}):\n  ${err.message}\n`);
    }
    process.exit(code);
  }
  process.send?.('ready');
}

main().catch((err: unknown) => {
  process.stderr.write(`kis-trader: ${describeError(err)}\n`);
  process.exit(1);
});
