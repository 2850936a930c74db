import type { PlainObject } from './merge.js';
import { isPlainObject, valueAt } from './merge.js';

/**
 * The mode file's risk limits (config/live.json, paper.json, sim.json) are a ceiling: a later
 * layer (local.json, KIS_TRADER__RISK__* in the environment) may tighten them but never loosen
 * them, so a stray local.json cannot undo what live.json promises (README "Configuration").
 * Which way is "tighter" per key; a key not listed here (or one the mode file does not set)
 * is bounded by its schema range only.
 */
const TIGHTER: Readonly<Record<string, 'lower' | 'higher'>> = {
  maxPositions: 'lower',
  maxPositionPct: 'lower',
  maxOrderValue: 'lower',
  maxDailyLossPct: 'lower',
  maxOrdersPerDay: 'lower',
  minCashReserve: 'higher',
  reentryCooldownMinutes: 'higher',
};

/**
 * One problem per risk key whose merged value loosens the mode file's value. `originOf` names
 * the layer the merged value came from; values that are not numbers are left to the schema.
 */
export function riskCeilingProblems(
  modeFile: { path: string; value: PlainObject },
  merged: PlainObject,
  originOf: (path: readonly string[]) => string | undefined,
): string[] {
  const ceiling = modeFile.value['risk'];
  if (!isPlainObject(ceiling)) return [];
  const out: string[] = [];
  for (const [key, direction] of Object.entries(TIGHTER)) {
    const limit = ceiling[key];
    const value = valueAt(merged, ['risk', key]);
    if (typeof limit !== 'number' || typeof value !== 'number') continue;
    const looser = direction === 'lower' ? value > limit : value < limit;
    if (!looser) continue;
    const origin = originOf(['risk', key]) ?? 'in a later layer';
    out.push(`risk.${key}: ${value} ${origin} loosens ${limit} in ${modeFile.path}; the mode file's risk limits may only be tightened (${direction === 'lower' ? 'at most' : 'at least'} ${limit})`);
  }
  return out;
}
