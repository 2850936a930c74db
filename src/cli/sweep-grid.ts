import type { BacktestSummary } from '../backtest/index.js';
import type { PointResult } from '../runtime/index.js';

/**
 * The parameter grid of `kis-trader sweep` (docs/backtest.md): its points, each point's config
 * layer, the objective, the ranking and each point's stability. Pure: the command and its tests
 * share it.
 */
export const MAX_POINTS = 10_000;

export interface Grid {
  /** the config paths, in the file's order */
  keys: string[];
  /** each key's values, in the file's order (a step is one place in this list) */
  values: unknown[][];
}

/** One point: the index of its value in each key's list. */
export type Point = number[];

export const OBJECTIVES = ['net', 'sharpe', 'sortino', 'profitFactor', 'return'] as const;
export type Objective = (typeof OBJECTIVES)[number];

/** The grid file's object, or the problem with it. */
export function parseGrid(value: unknown): Grid | string {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return 'expected an object of config paths to arrays of values';
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return 'no parameter: expected at least one config path';
  for (const [key, list] of entries) {
    if (!/^[^.\s]+(\.[^.\s]+)*$/.test(key)) return `"${key}": not a config path (dot-separated keys)`;
    if (!Array.isArray(list) || list.length === 0) return `"${key}": expected a non-empty array of values`;
  }
  const total = entries.reduce((n, [, list]) => n * (list as unknown[]).length, 1);
  if (total > MAX_POINTS) {
    return `${total} points (${entries.map(([, l]) => (l as unknown[]).length).join(' × ')}): at most ${MAX_POINTS}`;
  }
  return { keys: entries.map(([k]) => k), values: entries.map(([, l]) => l as unknown[]) };
}

/** The cartesian product, the last key varying fastest. */
export function pointsOf(grid: Grid): Point[] {
  let out: Point[] = [[]];
  for (const list of grid.values) out = out.flatMap((p) => list.map((_, i) => [...p, i]));
  return out;
}

/** The point as a config layer: `a.b.c: v` becomes `{ a: { b: { c: v } } }`. */
export function layerOf(grid: Grid, point: Point): Record<string, unknown> {
  const layer: Record<string, unknown> = {};
  grid.keys.forEach((key, k) => {
    const parts = key.split('.');
    let at = layer;
    for (const part of parts.slice(0, -1)) at = (at[part] ??= {}) as Record<string, unknown>;
    at[parts.at(-1)!] = grid.values[k]![point[k]!];
  });
  return layer;
}

/** `key=value` pairs, for tables and error messages. */
export function paramsText(grid: Grid, point: Point): string {
  return grid.keys.map((key, k) => `${key}=${JSON.stringify(grid.values[k]![point[k]!])}`).join(' ');
}

/**
 * The figure a point is ranked by; higher is better. A profit factor with gains and no loss is
 * infinite; a figure the run could not give (Sharpe over a flat curve) is null and ranks last.
 */
export function objectiveOf(objective: Objective, s: BacktestSummary): number | null {
  switch (objective) {
    case 'net': return s.net;
    case 'sharpe': return s.sharpe;
    case 'sortino': return s.sortino;
    case 'return': return s.totalReturn;
    case 'profitFactor': return s.profitFactor ?? (s.grossProfit > 0 ? Infinity : null);
  }
}


export interface Ranked {
  rank: number;
  /** the point's place in the cartesian product */
  index: number;
  params: Record<string, unknown>;
  objective: number | null;
  /** the mean objective of the point's neighbours (one parameter one step away); null without any */
  stability: number | null;
  hash: string;
  summary: BacktestSummary;
}

/** The points whose index differs from `point` in exactly one parameter, by one step. */
function neighbours(grid: Grid, point: Point): Point[] {
  const out: Point[] = [];
  point.forEach((i, k) => {
    for (const j of [i - 1, i + 1]) {
      if (j >= 0 && j < grid.values[k]!.length) out.push(point.map((v, m) => (m === k ? j : v)));
    }
  });
  return out;
}

/** Index of a point in pointsOf's order. */
function indexOf(grid: Grid, point: Point): number {
  return point.reduce((n, i, k) => n * grid.values[k]!.length + i, 0);
}

/**
 * Descending by the objective (null last), ties by hash then by index, so the ranking depends only
 * on the results, never on which worker finished first.
 */
export function rank(grid: Grid, points: readonly Point[], results: readonly PointResult[], objective: Objective): Ranked[] {
  const values = results.map((r) => objectiveOf(objective, r.summary));
  const rows = points.map((point, index): Omit<Ranked, 'rank'> => {
    const near = neighbours(grid, point).map((p) => values[indexOf(grid, p)]!).filter((v): v is number => v !== null && Number.isFinite(v));
    const params: Record<string, unknown> = {};
    grid.keys.forEach((key, k) => { params[key] = grid.values[k]![point[k]!]; });
    return {
      index, params, objective: values[index]!, hash: results[index]!.hash, summary: results[index]!.summary,
      stability: near.length === 0 ? null : near.reduce((a, b) => a + b, 0) / near.length,
    };
  });
  const key = (v: number | null): number => (v === null || Number.isNaN(v) ? -Infinity : v);
  rows.sort((a, b) => {
    const d = key(b.objective) - key(a.objective);
    if (d !== 0 && !Number.isNaN(d)) return d;
    if (a.objective === null && b.objective !== null) return 1;
    if (b.objective === null && a.objective !== null) return -1;
    if (a.hash !== b.hash) return a.hash < b.hash ? -1 : 1;
    return a.index - b.index;
  });
  return rows.map((r, i) => ({ rank: i + 1, ...r }));
}
