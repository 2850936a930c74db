#!/usr/bin/env node
import { Command } from 'commander';
import { describeError, isAppError } from '../domain/index.js';
import { registerConfigCommands, EXIT_CONFIG } from './config-command.js';
import { cliClock, connectKis, loadCliConfig, openCliStore } from './compose.js';
import { registerKisCommands } from './kis-commands.js';
import { registerSimCommand } from './sim-command.js';
import { registerTradeLogCommands } from './trade-log-commands.js';

/**
 * `kis-trader <command>`: the operator's CLI. The daemon itself is `npm start` (dist/main.js).
 * Global options --mode and --config-dir select the config like the daemon's.
 */
// Files the CLI creates (a trade log, the sim journal) are owner-only, like the daemon's.
process.umask(0o077);
const out = (s: string): void => { process.stdout.write(`${s}\n`); };
const err = (s: string): void => { process.stderr.write(`${s}\n`); };
const exit = (code: number): never => process.exit(code);
const cwd = process.cwd();

const program = new Command('kis-trader')
  .description('Autonomous trading daemon for Korean stocks on the KIS Open API — operator commands')
  .option('--mode <mode>', 'sim | paper | live (default: from config / KIS_TRADER_MODE)')
  .option('--config-dir <dir>', 'config directory (default ./config)')
  .showHelpAfterError();

const globals = (): { mode?: string; configDir?: string } => program.opts();
const loaded = () => loadCliConfig(process.env, cwd, globals().configDir, globals().mode);

registerConfigCommands(program, { env: process.env, cwd, out, err, exit });
registerTradeLogCommands(program, {
  out, err, exit,
  get clock() { return cliClock(loaded(), process.env, cwd); },
  withStore(fn) {
    const store = openCliStore(loaded(), cwd);
    try { return fn(store); } finally { store.close(); }
  },
});
registerKisCommands(program, () => connectKis(loaded(), process.env, cwd), { out, err, exit, env: process.env });
registerSimCommand(program, { out, err, exit, cwd, env: process.env });

program.parseAsync(process.argv).catch((e: unknown) => {
  err(`kis-trader: ${describeError(e)}`);
  exit(isAppError(e) && e.code.startsWith('CONFIG_') ? EXIT_CONFIG : 1);
});
