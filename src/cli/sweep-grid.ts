import type { BacktestSummary } from '../backtest/index.js';
import { seededRandom } from '../domain/index.js';
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

/** A range in the grid file, `{"min": 1, "max": 3, "step": 0.5}`, as the list of its values. */
function rangeValues(key: string, r: Record<string, unknown>): unknown[] | string {
  const { min, max, step } = r;
  const extra = Object.keys(r).filter((k) => !['min', 'max', 'step'].includes(k));
  if (extra.length > 0 || typeof min !== 'number' || typeof max !== 'number' || typeof step !== 'number') {
    return `"${key}": expected an array of values or {"min": number, "max": number, "step": number}`;
  }
  if (!(step > 0) || !(max >= min)) return `"${key}": a range needs step > 0 and max ≥ min`;
  const n = Math.floor((max - min) / step + 1e-9) + 1;
  if (n > MAX_POINTS) return `"${key}": ${n} values in the range: at most ${MAX_POINTS}`;
  // rounded to 10 decimals: 0.1 + 0.2 is 0.3 in a config, not 0.30000000000000004
  return Array.from({ length: n }, (_, i) => Math.round((min + i * step) * 1e10) / 1e10);
}

/** The grid file's object, or the problem with it. */
export function parseGrid(value: unknown): Grid | string {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return 'expected an object of config paths to arrays of values';
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return 'no parameter: expected at least one config path';
  const grid: Grid = { keys: [], values: [] };
  for (const [key, list] of entries) {
    if (!/^[^.\s]+(\.[^.\s]+)*$/.test(key)) return `"${key}": not a config path (dot-separated keys)`;
    const values = Array.isArray(list) ? list
      : list !== null && typeof list === 'object' ? rangeValues(key, list as Record<string, unknown>)
        : `"${key}": expected a non-empty array of values`;
    if (typeof values === 'string') return values;
    if (values.length === 0) return `"${key}": expected a non-empty array of values`;
    grid.keys.push(key);
    grid.values.push(values);
  }
  return grid;
}

/** How many points the full product has. */
export const gridSize = (grid: Grid): number => grid.values.reduce((n, list) => n * list.length, 1);

/** The full product's problem when it is too big to run whole, or null. */
export function tooBig(grid: Grid): string | null {
  const total = gridSize(grid);
  if (total <= MAX_POINTS) return null;
  return `${total} points (${grid.values.map((l) => l.length).join(' × ')}): at most ${MAX_POINTS}; `
    + '--random N samples N of them';
}

/** The cartesian product, the last key varying fastest. */
export function pointsOf(grid: Grid): Point[] {
  let out: Point[] = [[]];
  for (const list of grid.values) out = out.flatMap((p) => list.map((_, i) => [...p, i]));
  return out;
}

/** The point at `index` in pointsOf's order. */
function pointAt(grid: Grid, index: number): Point {
  const point = new Array<number>(grid.values.length);
  let rest = index;
  for (let k = grid.values.length - 1; k >= 0; k -= 1) {
    const n = grid.values[k]!.length;
    point[k] = rest % n;
    rest = Math.floor(rest / n);
  }
  return point;
}

/**
 * `n` distinct points drawn uniformly from the product (a random search), in pointsOf's order; the
 * whole product when it has no more than `n`. Floyd's sampling: no list of the product is made,
 * so a grid of millions of points samples as fast as a small one.
 */
export function samplePoints(grid: Grid, n: number, seed: number): Point[] {
  const total = gridSize(grid);
  if (n >= total) return pointsOf(grid);
  const next = seededRandom(seed);
  const chosen = new Set<number>();
  for (let j = total - n; j < total; j += 1) {
    const t = Math.floor(next() * (j + 1));
    chosen.add(chosen.has(t) ? j : t);
  }
  return [...chosen].sort((a, b) => a - b).map((i) => pointAt(grid, i));
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
export function indexOf(grid: Grid, point: Point): number {
  return point.reduce((n, i, k) => n * grid.values[k]!.length + i, 0);
}

/**
 * Descending by the objective (null last), ties by hash then by index, so the ranking depends only
 * on the results, never on which worker finished first. A random search's stability counts only the
 * neighbours that were run.
 */
export function rank(grid: Grid, points: readonly Point[], results: readonly PointResult[], objective: Objective): Ranked[] {
  const ran = new Map(points.map((p, i) => [indexOf(grid, p), objectiveOf(objective, results[i]!.summary)]));
  const rows = points.map((point, i): Omit<Ranked, 'rank'> => {
    const near = neighbours(grid, point).map((p) => ran.get(indexOf(grid, p)))
      .filter((v): v is number => v !== undefined && v !== null && Number.isFinite(v));
    const params: Record<string, unknown> = {};
    grid.keys.forEach((key, k) => { params[key] = grid.values[k]![point[k]!]; });
    return {
      index: indexOf(grid, point), params, objective: ran.get(indexOf(grid, point))!, hash: results[i]!.hash,
      summary: results[i]!.summary, stability: near.length === 0 ? null : near.reduce((a, b) => a + b, 0) / near.length,
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
