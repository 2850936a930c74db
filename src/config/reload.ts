import { AppError } from '../domain/index.js';
import { canonicalJson } from './hash.js';
import { loadConfig, type LoadedConfig, type LoadOptions } from './load.js';
import { isPlainObject } from './merge.js';
import { secretValues } from './secrets.js';

/**
 * Keys the running daemon reads once at start (connections, files, the clock, the timetable):
 * a change to any of them, or below them, takes a restart. Everything else (scan, strategy, risk,
 * orders and any section added later) is read at the start of each job and applies while running.
 */
export const RESTART_PREFIXES = [
  'mode', 'dataDir', 'store', 'redis', 'log', 'sim', 'daemon', 'schedule', 'market', 'kis', 'alerts', 'metrics',
] as const;
/** Under a restart prefix but read by every scan: these apply while running. */
export const HOT_EXCEPTIONS = ['kis.watchlist', 'kis.paperRankingSource'] as const;
/** The name a change of credentials (KIS_APP_KEY, …) goes by in the restart list. */
export const SECRETS_KEY = 'secrets';

const under = (path: string, prefix: string): boolean => path === prefix || path.startsWith(`${prefix}.`);

/** Whether a changed key (a path from changedKeys) only applies after a restart. */
export function needsRestart(path: string): boolean {
  if (path === SECRETS_KEY) return true;
  if (HOT_EXCEPTIONS.some((p) => under(path, p))) return false;
  return RESTART_PREFIXES.some((p) => under(path, p));
}

/**
 * The leaf paths where `a` and `b` differ, sorted ("scan.topN", "strategy.minChangePct"). Arrays
 * are values: a changed list is reported by its own path. A key present on one side only is
 * reported by its own path, not by the leaves below it (a new section is one entry).
 */
export function changedKeys(a: unknown, b: unknown, path = ''): string[] {
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => changedKeys(a[k], b[k], path === '' ? k : `${path}.${k}`));
  }
  return canonicalJson(a) === canonicalJson(b) ? [] : [path];
}

export type ReloadResult =
  | { status: 'unchanged' }
  /** every changed key applies while running */
  | { status: 'applied'; loaded: LoadedConfig; changed: string[] }
  /** some changed key needs a restart (`restartKeys`): nothing of this change may be applied */
  | { status: 'restart-required'; loaded: LoadedConfig; changed: string[]; restartKeys: string[] }
  | { status: 'rejected'; error: AppError };

/**
 * Re-reads the config for a running daemon (docs/architecture.md §1): an invalid config is
 * rejected and the caller keeps running on `current`; a valid one is either applied whole or,
 * when a key that needs a restart changed, refused whole. The caller swaps configs; this only decides.
 */
export function reloadConfig(current: LoadedConfig, options: LoadOptions): ReloadResult {
  let next: LoadedConfig;
  try {
    next = loadConfig(options);
  } catch (err) {
    if (err instanceof AppError) return { status: 'rejected', error: err };
    throw err;
  }
  const sameSecrets = secretValues(current.secrets).join('\n') === secretValues(next.secrets).join('\n');
  if (next.hash === current.hash && sameSecrets) return { status: 'unchanged' };
  const changed = changedKeys(current.config, next.config);
  if (!sameSecrets) changed.push(SECRETS_KEY);
  const restartKeys = changed.filter(needsRestart);
  if (restartKeys.length > 0) return { status: 'restart-required', loaded: next, changed, restartKeys };
  return { status: 'applied', loaded: next, changed };
}
