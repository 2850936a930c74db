import { describe, it, expect } from 'vitest';
import { krw } from '../../../src/domain/index.js';
import type { Krw } from '../../../src/domain/index.js';
import { isOnTick, isWithinLimits, priceLimits, roundToTick, tickSize } from '../../../src/market/index.js';

describe('priceLimits (docs/kis-wire.md §11.2, ±30 %)', () => {
  it.each([
    // the workbook examples of §11.2; the current tick table gives the same widths for these bases
    [128_500, 167_000, 90_000],
    [71_800, 93_300, 50_300],
    // plain cases in each band
    [10, 13, 7],
    [1_000, 1_300, 700],
    [4_000, 5_200, 2_800],
    [10_000, 13_000, 7_000],
    [40_000, 52_000, 28_000],
    [160_000, 208_000, 112_000],
    [400_000, 520_000, 280_000],
    [600_000, 780_000, 420_000],
    // width floored to the base's tick: 1,601 × 0.3 = 480.3 → 480
    [1_601, 2_080, 1_121],
    // upper crosses into the 50-won band and happens to be on its grid
    [15_500, 20_150, 10_850],
    // upper lands in a higher band off its grid → rounded down to that band's tick
    [15_510, 20_150, 10_860],
    [15_520, 20_150, 10_870],
    [15_530, 20_150, 10_880],
    [4_005, 5_200, 2_805],
    [40_050, 52_000, 28_050],
    [160_100, 208_000, 112_100],
    [400_500, 520_000, 280_500],
    // lower lands in a lower band (always on its grid: each tick divides the ticks above)
    [2_100, 2_730, 1_470],
    [55_000, 71_500, 38_500],
    // tiny prices: the width can floor to zero
    [1, 1, 1],
    [3, 3, 3],
    [4, 5, 3],
  ])('base %i → upper %i, lower %i', (base, upper, lower) => {
    expect(priceLimits(krw(base))).toEqual({ upper, lower });
  });

  it('snaps an off-grid base inward so the limits stay within ±30 % and on the grid', () => {
    // width floor(4,651.5 / 10) × 10 = 4,650; 20,155 → 20,150 (tick 50); 10,855 → 10,860 (tick 10)
    expect(priceLimits(krw(15_505))).toEqual({ upper: 20_150, lower: 10_860 });
  });

  it('follows the rule for every on-grid base sampled across all bands', () => {
    for (let raw = 1; raw < 900_000; raw = Math.ceil(raw * 1.009) + 3) {
      const base = roundToTick(raw, 'down');
      const { upper, lower } = priceLimits(base);
      const tick = tickSize(base);
      const width = Math.floor((base * 0.3 + 1e-9) / tick) * tick;
      expect(upper, `upper of ${base}`).toBe(roundToTick(base + width, 'down'));
      expect(lower, `lower of ${base}`).toBe(base - width);
      expect(isOnTick(upper) && isOnTick(lower), `grid at ${base}`).toBe(true);
      expect(upper <= base * 1.3 && lower >= base * 0.7, `±30 % at ${base}`).toBe(true);
    }
  });

  it.each([0, -1_000, 1.5])('rejects base %s', (base) => {
    expect(() => priceLimits(base as Krw)).toThrow(expect.objectContaining({ code: 'MARKET_INVALID_PRICE' }));
  });
});

describe('isWithinLimits', () => {
  const limits = priceLimits(krw(10_000));
  it.each([
    [6_990, false], [7_000, true], [10_000, true], [13_000, true], [13_010, false],
  ])('%i → %s (bounds inclusive)', (price, expected) => {
    expect(isWithinLimits(krw(price), limits)).toBe(expected);
  });
});
