import { AppError, krw } from '../domain/index.js';
import type { Krw } from '../domain/index.js';

/**
 * KRX tick table (호가가격단위) in force since 2023-01-25, the same for KOSPI, KOSDAQ and KONEX
 * (docs/kis-wire.md §11.3). ETF/ETN/ELW use 5 won regardless of price and are not covered here.
 *
 * Every band's lower bound is a multiple of that band's tick, and every tick divides the next
 * band's tick. Both facts are what make the rounding below stay on a valid grid: rounding up
 * out of a band lands exactly on the next band's first price, and a price on a higher band's
 * grid is also on every lower band's grid.
 */
export interface TickBand {
  /** inclusive lower bound of the band, in won */
  from: Krw;
  tick: Krw;
}

export const TICK_BANDS: readonly TickBand[] = [
  { from: krw(1), tick: krw(1) },
  { from: krw(2_000), tick: krw(5) },
  { from: krw(5_000), tick: krw(10) },
  { from: krw(20_000), tick: krw(50) },
  { from: krw(50_000), tick: krw(100) },
  { from: krw(200_000), tick: krw(500) },
  { from: krw(500_000), tick: krw(1_000) },
];

export type TickRounding = 'up' | 'down' | 'nearest';

/**
 * Float noise of a computed price (1_500 * 1.1 = 1650.0000000000002) must not push 'up'
 * rounding to the next tick. Prices are far below 1e9 won, where the noise of one multiplication
 * is below 1e-6, so anything that close to a whole won is that whole won.
 */
const INTEGER_TOLERANCE = 1e-6;

/** The tick of the band a (possibly fractional) price falls in; prices below 1 use the first band. */
function tickOf(price: number): number {
  let tick = 1;
  for (const band of TICK_BANDS) {
    if (price >= band.from) tick = band.tick;
    else break;
  }
  return tick;
}

function assertPositivePrice(price: number, what: string): void {
  if (!Number.isFinite(price) || price <= 0) {
    throw new AppError('MARKET_INVALID_PRICE', `${what} must be a positive number of won, got ${price}`);
  }
}

function assertPriceKrw(price: number): void {
  if (!Number.isSafeInteger(price) || price < 1) {
    throw new AppError('MARKET_INVALID_PRICE', `price must be a whole number of won >= 1, got ${price}`);
  }
}

/** The tick of the band `price` is in (docs/kis-wire.md §11.3). */
export function tickSize(price: Krw): Krw {
  assertPriceKrw(price);
  return krw(tickOf(price));
}

export function isOnTick(price: Krw): boolean {
  if (!Number.isSafeInteger(price) || price < 1) return false;
  return price % tickOf(price) === 0;
}

/**
 * Snaps a price to the KRX grid. 'down' floors within the price's own band (a band's lower bound
 * is on its grid, so it never leaves the band); 'up' ceils and may land on the next band's first
 * price, which is on that band's grid; 'nearest' picks the closer of the two, ties going up.
 * The grid starts at 1 won, so a positive price below 1 becomes 1 in every mode.
 */
export function roundToTick(price: number, mode: TickRounding): Krw {
  assertPositivePrice(price, 'price to round');
  const whole = Math.round(price);
  const p = Math.abs(price - whole) < INTEGER_TOLERANCE ? whole : price;
  if (p < 1) return krw(1);
  const tick = tickOf(p);
  const down = Math.floor(p / tick) * tick;
  if (down === p) return krw(p);
  const up = down + tick;
  switch (mode) {
    case 'down':
      return krw(down);
    case 'up':
      return krw(up);
    case 'nearest':
      return krw(up - p <= p - down ? up : down);
  }
}

/** The grid price just above an on-grid or off-grid price. */
function stepUp(p: number): number {
  return isOnTick(p as Krw) ? p + tickOf(p) : roundToTick(p, 'up');
}

/**
 * The grid price just below. From a band's first price the step is the lower band's tick
 * (20,000 → 19,990), hence the tick of p − 1, not of p.
 */
function stepDown(p: number): number {
  if (p <= 1) return 1;
  if (!isOnTick(p as Krw)) return roundToTick(p, 'down');
  return p - tickOf(p - 1);
}

/**
 * Moves `n` ticks up (n > 0) or down (n < 0), one tick at a time so that band crossings use the
 * tick of the band being entered. An off-grid start counts its snap to the grid as the first
 * step. Stops at 1 won going down.
 */
export function addTicks(price: Krw, n: number): Krw {
  assertPriceKrw(price);
  if (!Number.isSafeInteger(n)) {
    throw new AppError('MARKET_INVALID_PRICE', `tick count must be a whole number, got ${n}`);
  }
  let p: number = price;
  if (n > 0) {
    for (let i = 0; i < n; i++) p = stepUp(p);
  } else {
    for (let i = 0; i < -n && p > 1; i++) p = stepDown(p);
  }
  return krw(p);
}
