import { AppError } from './errors.js';

/**
 * Integer money and quantities (docs/architecture.md §5). Branded numbers so a share count can never be
 * passed where won are expected. Every constructor throws on a non-safe-integer: a fractional
 * won is a bug upstream, not something to round away silently.
 */
export type Krw = number & { readonly __brand: 'Krw' };
export type Shares = number & { readonly __brand: 'Shares' };
/** Parts per million: 1 % = 10_000 ppm, 0.015 % = 150 ppm. */
export type Ppm = number & { readonly __brand: 'Ppm' };

export function krw(value: number): Krw {
  if (!Number.isSafeInteger(value)) {
    throw new AppError('DOMAIN_INVALID_MONEY', `amount must be a whole number of won, got ${value}`);
  }
  return value as Krw;
}

export function shares(value: number): Shares {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new AppError('DOMAIN_INVALID_QUANTITY', `quantity must be a whole, non-negative number of shares, got ${value}`);
  }
  return value as Shares;
}

export function ppm(value: number): Ppm {
  if (!Number.isSafeInteger(value) || value < 0 || value > 1_000_000) {
    throw new AppError('DOMAIN_INVALID_MONEY', `rate must be a whole number of ppm in [0, 1000000], got ${value}`);
  }
  return value as Ppm;
}

export type Rounding = 'floor' | 'ceil' | 'half-up';

/**
 * amount × rate / 1e6 with an explicit rounding, computed in BigInt so that a large amount
 * times a rate never loses precision above 2^53.
 */
export function applyPpm(amount: Krw, rate: Ppm, rounding: Rounding): Krw {
  const num = BigInt(amount) * BigInt(rate);
  const den = 1_000_000n;
  const neg = num < 0n;
  const abs = neg ? -num : num;
  let q = abs / den;
  const r = abs % den;
  if (r !== 0n) {
    const up = rounding === 'ceil' ? !neg : rounding === 'floor' ? neg : r * 2n >= den;
    if (up) q += 1n;
  }
  return krw(Number(neg ? -q : q));
}

/** price × quantity, checked to stay a safe integer. */
export function notional(price: Krw, qty: Shares): Krw {
  return krw(price * qty);
}

/**
 * Percent → basis points (1 % = 100 bp), rounded to the nearest basis point, halves toward +∞
 * (Math.round: 0.125 % is 13 bp, -0.125 % is -12 bp). For the percents users write the rounding
 * only absorbs binary noise (0.29 × 100 = 28.999…); a percent finer than 0.01 loses its remainder.
 */
export function basisPoints(pct: number): number {
  return Math.round(pct * 100);
}
