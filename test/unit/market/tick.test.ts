import { describe, it, expect } from 'vitest';
import { krw } from '../../../src/domain/index.js';
import type { Krw } from '../../../src/domain/index.js';
import { addTicks, isOnTick, roundToTick, tickSize } from '../../../src/market/index.js';

describe('tickSize (docs/kis-wire.md §11.3, table since 2023-01-25)', () => {
  it.each([
    [1, 1], [1_999, 1],
    [2_000, 5], [4_999, 5],
    [5_000, 10], [19_999, 10],
    [20_000, 50], [49_999, 50],
    [50_000, 100], [199_999, 100],
    [200_000, 500], [499_999, 500],
    [500_000, 1_000], [3_000_000, 1_000],
  ])('tick of %i is %i', (price, tick) => {
    expect(tickSize(krw(price))).toBe(tick);
  });

  it.each([0, -100, 1.5])('rejects %s', (price) => {
    expect(() => tickSize(price as Krw)).toThrow(expect.objectContaining({ code: 'MARKET_INVALID_PRICE' }));
  });
});

describe('isOnTick', () => {
  it.each([
    [1, true], [1_999, true],
    [2_000, true], [2_001, false], [2_005, true], [4_995, true], [4_999, false],
    [5_000, true], [5_005, false], [19_990, true], [19_995, false],
    [20_000, true], [20_010, false], [20_050, true], [49_950, true], [49_990, false],
    [50_000, true], [50_050, false], [199_900, true],
    [200_000, true], [200_100, false], [200_500, true], [499_500, true],
    [500_000, true], [500_500, false], [501_000, true],
    [0, false], [-5, false], [1.5, false],
  ])('%s → %s', (price, expected) => {
    expect(isOnTick(price as Krw)).toBe(expected);
  });
});

describe('roundToTick', () => {
  // [input, up, down, nearest]; 'nearest' ties go up
  it.each([
    [1_999, 1_999, 1_999, 1_999],
    [1_999.4, 2_000, 1_999, 1_999],
    [1_999.5, 2_000, 1_999, 2_000],
    [2_000, 2_000, 2_000, 2_000],
    [2_001, 2_005, 2_000, 2_000],
    [2_002.5, 2_005, 2_000, 2_005],
    [4_997, 5_000, 4_995, 4_995],
    [4_998, 5_000, 4_995, 5_000],
    [4_999.9, 5_000, 4_995, 5_000],
    [5_000, 5_000, 5_000, 5_000],
    [5_000.1, 5_010, 5_000, 5_000],
    [5_004.99, 5_010, 5_000, 5_000],
    [5_005, 5_010, 5_000, 5_010],
    [19_994.9, 20_000, 19_990, 19_990],
    [19_995, 20_000, 19_990, 20_000],
    [19_999, 20_000, 19_990, 20_000],
    [20_000, 20_000, 20_000, 20_000],
    [20_001, 20_050, 20_000, 20_000],
    [20_025, 20_050, 20_000, 20_050],
    [49_974, 50_000, 49_950, 49_950],
    [49_975, 50_000, 49_950, 50_000],
    [49_999, 50_000, 49_950, 50_000],
    [50_000, 50_000, 50_000, 50_000],
    [50_001, 50_100, 50_000, 50_000],
    [50_050, 50_100, 50_000, 50_100],
    [199_950, 200_000, 199_900, 200_000],
    [199_999, 200_000, 199_900, 200_000],
    [200_000, 200_000, 200_000, 200_000],
    [200_001, 200_500, 200_000, 200_000],
    [200_249.5, 200_500, 200_000, 200_000],
    [200_250, 200_500, 200_000, 200_500],
    [499_750, 500_000, 499_500, 500_000],
    [499_999, 500_000, 499_500, 500_000],
    [500_000, 500_000, 500_000, 500_000],
    [500_001, 501_000, 500_000, 500_000],
    [500_499, 501_000, 500_000, 500_000],
    [500_500, 501_000, 500_000, 501_000],
    [72_783.66, 72_800, 72_700, 72_800],
    [0.4, 1, 1, 1],
  ])('%s → up %i, down %i, nearest %i', (price, up, down, nearest) => {
    expect(roundToTick(price, 'up')).toBe(up);
    expect(roundToTick(price, 'down')).toBe(down);
    expect(roundToTick(price, 'nearest')).toBe(nearest);
  });

  it.each([
    // each product is off by one ulp in IEEE doubles, e.g. 1,500 × 1.1 = 1650.0000000000002
    [1_500, 1.1, 1_650],
    [1_300, 1.1, 1_430],
    [1_700, 1.15, 1_955],
    [55_000, 1.1, 60_500],
  ])('float noise in %i × %s does not move "up" or "down" off %i', (base, factor, expected) => {
    const p = base * factor;
    expect(roundToTick(p, 'up')).toBe(expected);
    expect(roundToTick(p, 'down')).toBe(expected);
  });

  it('lands on the grid with no grid price strictly between input and result, across all bands', () => {
    for (let p = 1.3; p < 700_000; p = p * 1.0137 + 0.77) {
      const up = roundToTick(p, 'up');
      const down = roundToTick(p, 'down');
      const near = roundToTick(p, 'nearest');
      expect(isOnTick(up) && isOnTick(down) && isOnTick(near), `grid at ${p}`).toBe(true);
      expect(down <= p && p <= up, `bracket at ${p}`).toBe(true);
      expect(addTicks(down, 1) > p && addTicks(up, -1) < p, `adjacent at ${p}`).toBe(true);
      expect(near === up || near === down).toBe(true);
    }
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])('rejects %s', (price) => {
    expect(() => roundToTick(price, 'nearest')).toThrow(expect.objectContaining({ code: 'MARKET_INVALID_PRICE' }));
  });
});

describe('addTicks', () => {
  it.each([
    [1_999, 1, 2_000], [2_000, 1, 2_005], [2_000, -1, 1_999], [2_005, -2, 1_999], [1_998, 3, 2_005],
    [1_990, 10, 2_000], [1_990, 12, 2_010],
    [4_995, 1, 5_000], [5_000, -1, 4_995], [5_000, 1, 5_010],
    [19_990, 2, 20_050], [20_050, -2, 19_990], [20_000, -1, 19_990],
    [49_950, 1, 50_000], [50_000, -1, 49_950],
    [199_900, 2, 200_500], [200_000, -1, 199_900], [200_500, -3, 199_800],
    [499_500, 1, 500_000], [500_000, -1, 499_500], [500_000, 1, 501_000],
    [12_340, 0, 12_340],
  ])('%i moved %i ticks is %i', (price, n, expected) => {
    expect(addTicks(krw(price), n)).toBe(expected);
  });

  it.each([
    [1, -1, 1], [3, -10, 1], [2_005, -3_000, 1],
  ])('never goes below 1: %i moved %i is %i', (price, n, expected) => {
    expect(addTicks(krw(price), n)).toBe(expected);
  });

  it.each([
    [2_001, 1, 2_005], [2_001, -1, 2_000], [20_010, 1, 20_050], [20_010, -1, 20_000],
  ])('an off-grid start snaps as its first step: %i moved %i is %i', (price, n, expected) => {
    expect(addTicks(krw(price), n)).toBe(expected);
  });

  it.each([
    [1_950, 80], [4_900, 30], [19_500, 40], [48_000, 60], [195_000, 70], [495_000, 20],
  ])('from %i, %i ticks up and back down returns to the start', (price, n) => {
    const up = addTicks(krw(price), n);
    expect(up).toBeGreaterThan(price);
    expect(addTicks(up, -n)).toBe(price);
  });

  it('rejects a fractional tick count', () => {
    expect(() => addTicks(krw(10_000), 1.5)).toThrow(expect.objectContaining({ code: 'MARKET_INVALID_PRICE' }));
  });
});
