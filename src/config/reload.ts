import { AppError } from '../domain/index.js';
import { canonicalJson } from './hash.js';
import { loadConfig, type LoadedConfig, type LoadOptions } from './load.js';
import { secretValues } from './secrets.js';

/** Sections the running daemon reads once at startup; changing them takes a restart. */
const RESTART_SECTIONS = ['mode', 'dataDir', 'kis', 'redis', 'store', 'log', 'sim', 'daemon'] as const;

export type ReloadResult =
  | { status: 'unchanged' }
  | { status: 'changed'; loaded: LoadedConfig; restartRequired: string[] }
  | { status: 'rejected'; error: AppError };

/**
 * Re-reads the config between jobs (docs/architecture.md §1): an invalid config is rejected and the caller
 * keeps running on `current`; a valid one says which changed sections only apply after a restart.
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
  const restartRequired: string[] = RESTART_SECTIONS.filter(
    (section) => canonicalJson(current.config[section]) !== canonicalJson(next.config[section]),
  );
  if (!sameSecrets) restartRequired.push('secrets');
  return { status: 'changed', loaded: next, restartRequired };
}
