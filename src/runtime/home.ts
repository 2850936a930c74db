import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseEnv } from 'node:util';

/**
 * Where a kis-trader installation lives, for the daemon and the CLI alike, whatever directory
 * they are started from: the config directory, and the home that relative paths in the config
 * (`store.path`, `dataDir`, `market.calendarFile`) and `.env` resolve against.
 *
 * Order: `--config-dir` (or `KIS_TRADER_CONFIG_DIR`) names the config directory, and its parent is
 * the home unless `KIS_TRADER_HOME` says otherwise; else `KIS_TRADER_HOME`; else the directory
 * the program is installed in (the repository, or the package `npm link` points at). The current
 * directory is never guessed from: a CLI started elsewhere must not read or create another trade log.
 */
export interface Home {
  root: string;
  configDir: string;
  /** how the home was found, for messages */
  source: string;
}

/** The repository / package root: src/runtime/ or dist/runtime/ is two levels below it. */
export const INSTALL_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function resolveHome(opts: {
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  configDirArg?: string | undefined;
  installDir?: string;
}): Home {
  const env = opts.env;
  const home = env.KIS_TRADER_HOME?.trim() ? resolve(opts.cwd, env.KIS_TRADER_HOME.trim()) : null;
  const dirArg = opts.configDirArg ?? (env.KIS_TRADER_CONFIG_DIR?.trim() ? env.KIS_TRADER_CONFIG_DIR.trim() : undefined);
  if (dirArg !== undefined) {
    const configDir = resolve(opts.cwd, dirArg);
    const via = opts.configDirArg !== undefined ? '--config-dir' : 'KIS_TRADER_CONFIG_DIR';
    return home ? { root: home, configDir, source: `${via} and KIS_TRADER_HOME` } : { root: dirname(configDir), configDir, source: via };
  }
  if (home) return { root: home, configDir: join(home, 'config'), source: 'KIS_TRADER_HOME' };
  const root = opts.installDir ?? INSTALL_DIR;
  return { root, configDir: join(root, 'config'), source: 'the install directory' };
}

/**
 * The variables of `<home>/.env` that the real environment does not already set: the real
 * environment wins, so `KIS_TRADER_MODE=paper npm start` beats a `.env` that says sim. A missing
 * file is no variables; an unreadable one is an error naming it.
 */
export function envFileVars(root: string, env: Readonly<Record<string, string | undefined>>): { path: string | null; vars: Record<string, string> } {
  const path = join(root, '.env');
  if (!existsSync(path)) return { path: null, vars: {} };
  const parsed = parseEnv(readFileSync(path, 'utf8'));
  const vars: Record<string, string> = {};
  for (const [k, v] of Object.entries(parsed)) {
    if (env[k] === undefined && v !== undefined) vars[k] = v;
  }
  return { path, vars };
}
