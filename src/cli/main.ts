#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { Command } from 'commander';
import { describeError, epochMs, isAppError, stripControlChars } from '../domain/index.js';
import { envFileVars, resolveHome } from '../runtime/index.js';
import type { Store } from '../store/index.js';
import { registerBackupCommand } from './backup-command.js';
import { registerBacktestCommand } from './backtest-command.js';
import { registerSweepCommand } from './sweep-command.js';
import { registerSweepWorkerCommand } from './sweep-worker-command.js';
import { registerWalkforwardCommand } from './walkforward-command.js';
import { registerConfigCommands, EXIT_CONFIG } from './config-command.js';
import { registerDataCommands } from './data-command.js';
import { cliClock, configFileProblems, connectKis, loadCliConfig, openCliStore, tradeLogSource } from './compose.js';
import { registerDoctorCommand } from './doctor.js';
import { registerExportCommand } from './export-command.js';
import { registerKisCommands } from './kis-commands.js';
import { registerReloadCommand } from './reload-command.js';
import { registerReplayCommand } from './replay-command.js';
import { registerReviewCommands } from './review-commands.js';
import { registerSimCommand } from './sim-command.js';
import { registerTradeLogCommands } from './trade-log-commands.js';
import { registerAlertTestCommand, registerWatchdogCommand } from './alert-commands.js';

/**
 * `kis-trader <command>`: the operator's CLI. The daemon itself is `npm start` (dist/main.js).
 * Global options --mode and --config-dir select the config like the daemon's; from any
 * directory it finds the same installation (runtime/home.ts) and reads its `.env`.
 */
// Files the CLI creates (a trade log, the sim journal) are owner-only, like the daemon's.
process.umask(0o077);
// Rows and errors carry text from KIS (names, msg1): never a terminal escape sequence (domain/text.ts).
const out = (s: string): void => { process.stdout.write(`${stripControlChars(s)}\n`); };
const err = (s: string): void => { process.stderr.write(`${stripControlChars(s)}\n`); };
const exit = (code: number): never => process.exit(code);
// `kis-trader decisions | head -3`: the reader went away; that is the end of the output, not a crash.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

const early = parseArgs({ options: { 'config-dir': { type: 'string' } }, strict: false, allowPositionals: true }).values['config-dir'];
const home = resolveHome({ env: process.env, cwd: process.cwd(), configDirArg: typeof early === 'string' ? early : undefined });
Object.assign(process.env, envFileVars(home.root, process.env).vars);
const cwd = home.root;

const program = new Command('kis-trader')
  .description('Autonomous trading daemon for Korean stocks on the KIS Open API — operator commands')
  .option('--mode <mode>', 'sim | paper | live (default: from config / KIS_TRADER_MODE)')
  .option('--config-dir <dir>', 'config directory (default: $KIS_TRADER_HOME/config, else the install directory\'s config/)')
  .showHelpAfterError();

const globals = (): { mode?: string; configDir?: string } => program.opts();
const loaded = () => loadCliConfig(process.env, cwd, home.configDir, globals().mode);

registerConfigCommands(program, {
  env: process.env, cwd, configDir: home.configDir, out, err, exit, checkFiles: (l) => configFileProblems(l, process.env, cwd),
});
// The review commands' connection: read-only, never migrating, safe while the daemon writes.
const withReadStore = <T>(fn: (store: Store) => T): T => {
  const store = openCliStore(loaded(), cwd, undefined, { readOnly: true });
  try { return fn(store); } finally { store.close(); }
};
registerTradeLogCommands(program, {
  out, err, exit,
  get clock() { return cliClock(loaded(), process.env, cwd); },
  get source() { return tradeLogSource(loaded(), cwd); },
  withStore(fn) {
    const store = openCliStore(loaded(), cwd, undefined, { mustExist: true });
    try { return fn(store); } finally { store.close(); }
  },
  withReadStore,
});
registerAlertTestCommand(program, { out, err, exit, env: process.env, cwd, loaded });
registerWatchdogCommand(program, {
  out, err, exit, env: process.env, cwd, loaded,
  async withStore(fn) {
    const store = openCliStore(loaded(), cwd, undefined, { mustExist: true });
    try { return await fn(store); } finally { store.close(); }
  },
});
registerExportCommand(program, { out, err, exit, cwd: process.cwd(), get source() { return tradeLogSource(loaded(), cwd); }, withReadStore });
registerReviewCommands(program, {
  out, err, exit, cwd: process.cwd(), now: () => epochMs(Date.now()),
  get source() { return tradeLogSource(loaded(), cwd); },
  withStore: withReadStore,
});
registerReplayCommand(program, {
  out, err, exit, loaded, root: cwd, withStore: withReadStore,
  get source() { return tradeLogSource(loaded(), cwd); },
});
registerBackupCommand(program, {
  out, err, exit, cwd: process.cwd(),
  get source() { return tradeLogSource(loaded(), cwd); },
  async withStore(fn) {
    const store = openCliStore(loaded(), cwd, undefined, { mustExist: true });
    try { return await fn(store); } finally { store.close(); }
  },
});
// Read once: `reload` polls the trade log, and the files may change again meanwhile.
let reloadView: ReturnType<typeof loaded> | null = null;
const loadedOnce = (): ReturnType<typeof loaded> => (reloadView ??= loaded());
registerReloadCommand(program, {
  out, err, exit,
  get source() { return tradeLogSource(loadedOnce(), cwd); },
  withStore(fn) {
    const store = openCliStore(loadedOnce(), cwd, undefined, { mustExist: true });
    try { return fn(store); } finally { store.close(); }
  },
});
registerBacktestCommand(program, {
  out, err, exit, load: loaded, root: cwd, cwd: process.cwd(), withReadStore, now: () => epochMs(Date.now()),
  tty: process.stderr.isTTY ? (s) => { process.stderr.write(s); } : null,
});
// Asked for, it replaces Node's default exit on these signals: the command then ends the process itself.
const stopSignal = (): Promise<string> => new Promise((resolve) => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => resolve(signal));
});
registerSweepCommand(program, {
  out, err, exit, load: loaded, root: cwd, cwd: process.cwd(), withReadStore, interrupted: stopSignal,
  tty: process.stderr.isTTY ? (s) => { process.stderr.write(s); } : null,
});
registerSweepWorkerCommand(program, { err, exit, load: loaded, root: cwd, stopped: stopSignal });
registerWalkforwardCommand(program, {
  out, err, exit, load: loaded, root: cwd, cwd: process.cwd(), withReadStore, now: () => epochMs(Date.now()),
  interrupted: stopSignal,
  tty: process.stderr.isTTY ? (s) => { process.stderr.write(s); } : null,
});
registerKisCommands(program, () => connectKis(loaded(), process.env, cwd), { out, err, exit, env: process.env });
registerSimCommand(program, { out, err, exit, cwd, env: process.env });
registerDataCommands(program, {
  out, err, exit, cwd: process.cwd(), tty: process.stderr.isTTY ? (s) => { process.stderr.write(s); } : null,
  get source() { return tradeLogSource(loaded(), cwd); },
  connect: () => connectKis(loaded(), process.env, cwd),
  async withStore(fn) { const store = openCliStore(loaded(), cwd); try { return await fn(store); } finally { store.close(); } },
  withReadStore,
});
registerDoctorCommand(program, { out, err, exit, cwd, env: process.env, load: (env) => loadCliConfig(env, cwd, home.configDir, globals().mode) });

program.parseAsync(process.argv).catch((e: unknown) => {
  err(`kis-trader: ${describeError(e)}`);
  exit(isAppError(e) && e.code.startsWith('CONFIG_') ? EXIT_CONFIG : 1);
});
