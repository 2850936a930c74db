import { describe, expect, it } from 'vitest';
import { layerOf, parseGrid, pointsOf } from '../../../src/cli/sweep-grid.js';
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

  it('refuses more than 10,000 points, an empty list and a bad path', () => {
    const big = Array.from({ length: 101 }, (_, i) => i);
    expect(parseGrid({ a: big, b: big })).toBe('10201 points (101 × 101): at most 10000');
    expect(parseGrid({ a: big, b: big.slice(0, 99) })).not.toBeTypeOf('string');
    expect(parseGrid({ 'risk.maxPositions': [] })).toContain('"risk.maxPositions": expected a non-empty array');
    expect(parseGrid({ 'risk..x': [1] })).toContain('not a config path');
    expect(parseGrid([1])).toContain('expected an object');
  });
});
