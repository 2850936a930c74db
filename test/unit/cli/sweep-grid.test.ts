import { describe, expect, it } from 'vitest';
import { gridSize, indexOf, layerOf, parseGrid, pointsOf, rank, samplePoints, tooBig } from '../../../src/cli/sweep-grid.js';
import type { BacktestSummary } from '../../../src/backtest/index.js';
import type { Grid } from '../../../src/cli/sweep-grid.js';

/** The grid of `kis-trader sweep`: its points, each point's config layer, and the 10,000-point cap. */
describe('sweep grid', () => {
  it('is the cartesian product, each point a nested config layer', () => {
    const grid = parseGrid({ 'risk.maxPositions': [1, 2, 3], 'strategies.a.exits.stopLossPct': [2, 3] }) as Grid;
    const points = pointsOf(grid);
    expect(points).toHaveLength(6);
    expect(points[0]).toEqual([0, 0]);
    expect(points[5]).toEqual([2, 1]);
    expect(layerOf(grid, points[3]!)).toEqual({ risk: { maxPositions: 2 }, strategies: { a: { exits: { stopLossPct: 3 } } } });
  });

  it('refuses more than 10,000 points unless sampled, an empty list and a bad path', () => {
    const big = Array.from({ length: 101 }, (_, i) => i);
    expect(tooBig(parseGrid({ a: big, b: big }) as Grid)).toBe('10201 points (101 × 101): at most 10000; --random N samples N of them');
    expect(tooBig(parseGrid({ a: big, b: big.slice(0, 99) }) as Grid)).toBeNull();
    expect(parseGrid({ 'risk.maxPositions': [] })).toContain('"risk.maxPositions": expected a non-empty array');
    expect(parseGrid({ 'risk..x': [1] })).toContain('not a config path');
    expect(parseGrid([1])).toContain('expected an object');
  });

  it('expands a range {min, max, step} to its values, and refuses a bad one by name', () => {
    const grid = parseGrid({ 'a.b': { min: 0.1, max: 0.5, step: 0.1 }, c: { min: 1, max: 3, step: 1 } }) as Grid;
    expect(grid.values).toEqual([[0.1, 0.2, 0.3, 0.4, 0.5], [1, 2, 3]]);
    expect(parseGrid({ x: { min: 1, max: 0, step: 1 } })).toBe('"x": a range needs step > 0 and max ≥ min');
    expect(parseGrid({ x: { min: 1, max: 2, step: 0 } })).toBe('"x": a range needs step > 0 and max ≥ min');
    expect(parseGrid({ x: { min: 1, max: 2 } })).toContain('"x": expected an array of values or {"min"');
    expect(parseGrid({ x: { min: 0, max: 1e6, step: 1 } })).toBe('"x": 1000001 values in the range: at most 10000');
  });

  it('samples distinct points, in product order, the same for the same seed', () => {
    const list = Array.from({ length: 1000 }, (_, i) => i);
    const grid = parseGrid({ a: list, b: list, c: list }) as Grid;
    expect(gridSize(grid)).toBe(1e9);
    const one = samplePoints(grid, 50, 7);
    expect(one).toHaveLength(50);
    const indexes = one.map((p) => indexOf(grid, p));
    expect(new Set(indexes).size).toBe(50);
    expect(indexes).toEqual([...indexes].sort((x, y) => x - y));
    expect(samplePoints(grid, 50, 7)).toEqual(one);
    expect(samplePoints(grid, 50, 8)).not.toEqual(one);
    // every point is a valid place in each list
    for (const p of one) p.forEach((i) => { expect(i).toBeGreaterThanOrEqual(0); expect(i).toBeLessThan(1000); });
    const small = parseGrid({ a: [1, 2], b: [3, 4] }) as Grid;
    expect(samplePoints(small, 9, 1)).toEqual(pointsOf(small));
  });

  it('gives a sampled point the stability of the neighbours that were run only', () => {
    const grid = parseGrid({ a: [1, 2, 3] }) as Grid;
    const summary = (net: number): BacktestSummary => ({ net } as BacktestSummary);
    const universe = { mode: 'all' as const, snapshotDays: 0, rebuiltDays: 0, candidatesWithoutBar: 0 };
    const ranked = rank(grid, [[0], [2]], [{ hash: 'x', summary: summary(5), universe }, { hash: 'y', summary: summary(9), universe }], 'net');
    expect(ranked.map((r) => [r.index, r.objective, r.stability])).toEqual([[2, 9, null], [0, 5, null]]);
    const all = rank(grid, pointsOf(grid), [5, 7, 9].map((net, i) => ({ hash: String(i), summary: summary(net), universe })), 'net');
    expect(all.find((r) => r.index === 1)!.stability).toBe(7);
  });
});
