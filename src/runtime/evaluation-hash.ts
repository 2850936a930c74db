import { createHash } from 'node:crypto';
import { canonicalJson, jobSettings, strategySlices } from '../config/index.js';
import type { Config } from '../config/index.js';

/**
 * The identity of what a signal evaluation reads from the config: mode, the signal settings, the
 * strategies and the session times. Owner and `workers` processes compare it (runtime/workers-process.ts):
 * their full config hashes differ by the keys each process sets for itself (daemon.role, paths,
 * concurrency), which do not change a decision.
 */
export function evaluationHash(config: Config): string {
  const what = { mode: config.mode, signals: jobSettings(config).signals, strategies: strategySlices(config), sessions: config.market.sessions };
  return createHash('sha256').update(canonicalJson(what)).digest('hex').slice(0, 16);
}
