import { existsSync, readFileSync } from 'node:fs';
import { jobSettings } from '../config/index.js';
import type { Config } from '../config/index.js';
import { isAppError } from '../domain/index.js';
import { resolveStrategies } from '../runtime/index.js';
import { configOver, UsageError } from './backtest-inputs.js';
import { layerOf, OBJECTIVES, paramsText, parseGrid } from './sweep-grid.js';
import type { Grid, Objective, Point } from './sweep-grid.js';
import { won } from './table.js';

/**
 * What `kis-trader sweep` and `kis-trader walkforward` share before anything runs: the grid file,
 * every point's config checked, and the objective (docs/backtest.md §7, §8).
 */
export function readGrid(path: string): Grid {
  if (!existsSync(path)) throw new UsageError(`--grid: no such file ${path}`);
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new UsageError(`--grid ${path}: not JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  const grid = parseGrid(value);
  if (typeof grid === 'string') throw new UsageError(`--grid ${path}: ${grid}`);
  return grid;
}

/**
 * Every point's config, checked before anything runs: the config schema (an unknown key, a refused
 * value) and the strategies' own params schemas, as the daemon checks them.
 */
export async function pointConfigs(
  base: Config, grid: Grid, points: readonly Point[], root: string,
): Promise<Config[]> {
  const out: Config[] = [];
  for (const [i, point] of points.entries()) {
    const where = `grid point ${i + 1} of ${points.length} (${paramsText(grid, point)})`;
    try {
      const config = configOver(base, layerOf(grid, point));
      await resolveStrategies(jobSettings(config).strategies, root);
      out.push(config);
    } catch (e) {
      if (!isAppError(e)) throw e;
      throw new UsageError(`--grid: ${where} rejected:\n${e.message.split('\n').slice(1).join('\n') || e.message}`);
    }
  }
  return out;
}

export function objectiveOption(text: string): Objective {
  if (!(OBJECTIVES as readonly string[]).includes(text)) {
    throw new UsageError(`--objective: expected one of ${OBJECTIVES.join(', ')}, got "${text}"`);
  }
  return text as Objective;
}

/** An objective's figure for a table: won, a percentage, or a ratio. */
export function objectiveText(objective: Objective, v: number | null): string {
  if (v === null) return '';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '-∞';
  if (objective === 'net') return won(Math.round(v));
  if (objective === 'return') return `${(v * 100).toFixed(2)} %`;
  return v.toFixed(2);
}
