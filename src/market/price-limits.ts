import { AppError, krw } from '../domain/index.js';
import type { Krw } from '../domain/index.js';
import { roundToTick, tickSize } from './tick.js';

export interface PriceLimits {
  upper: Krw;
  lower: Krw;
}

/**
 * Daily ±30 % limits around the base price (기준가), docs/kis-wire.md §11.2:
 * width = floor(base × 0.30 / tick(base)) × tick(base), upper = base + width, lower = base − width.
 * This reproduces the workbook examples (128,500 → 167,000 / 90,000; 71,800 → 93,300 / 50,300).
 * An upper limit that lands in a higher band off that band's grid is rounded down to it
 * (⚠ uncertain in §11.2). A lower limit is always on its grid when the base is (each tick
 * divides the ticks above it); an off-grid base is snapped inward so the limits stay inside ±30 %.
 * The exchange's own values (stck_mxpr / stck_llam in inquire-price) take precedence when known.
 */
export function priceLimits(basePrice: Krw): PriceLimits {
  if (!Number.isSafeInteger(basePrice) || basePrice < 1) {
    throw new AppError('MARKET_INVALID_PRICE', `base price must be a whole number of won >= 1, got ${basePrice}`);
  }
  const tick = tickSize(basePrice);
  // integer arithmetic for floor(base × 0.30 / tick): no float rounding at the band edges
  const num = basePrice * 3;
  const den = 10 * tick;
  const width = ((num - (num % den)) / den) * tick;
  const upper = roundToTick(basePrice + width, 'down');
  const lowerRaw = basePrice - width;
  const lower = lowerRaw < 1 ? krw(1) : roundToTick(lowerRaw, 'up');
  return { upper, lower };
}

export function isWithinLimits(price: Krw, limits: PriceLimits): boolean {
  return price >= limits.lower && price <= limits.upper;
}
