/**
 * Counter-based randomness: every random number in the simulator is a hash of the seed and of
 * what it is for (symbol, day, minute, purpose). Any price at any instant can then be computed
 * on its own, in any order, and always comes out the same — no hidden generator state.
 * Fixed arity (unused parts default to 0) because these run millions of times per history.
 */

/** murmur3's 32-bit finalizer: a cheap full-avalanche mix. */
function fmix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function step(h: number, p: number): number {
  return fmix32(Math.imul(h ^ p, 0x27d4eb2d) + 0x165667b1);
}

/** Parts are taken as 32-bit integers; fold larger numbers with foldSeed first. */
export function hash32(a: number, b = 0, c = 0, d = 0, e = 0, f = 0, g = 0): number {
  let h = step(0x9e3779b9, a);
  h = step(h, b);
  h = step(h, c);
  h = step(h, d);
  h = step(h, e);
  h = step(h, f);
  return step(h, g);
}

/** Any safe integer seed (negative or above 2^32) to 32 bits, without losing its high half. */
export function foldSeed(seed: number): number {
  const lo = seed >>> 0;
  const hi = Math.floor(seed / 4_294_967_296) >>> 0;
  return step(step(0x85ebca6b, lo), hi);
}

/** Uniform in [0, 1). */
export function uniform(a: number, b = 0, c = 0, d = 0, e = 0, f = 0): number {
  return hash32(a, b, c, d, e, f, 0x7a3c) / 4_294_967_296;
}

/** Standard normal by Box–Muller from two independent hashes of the same key. */
export function normal(a: number, b = 0, c = 0, d = 0, e = 0, f = 0): number {
  const u1 = (hash32(a, b, c, d, e, f, 0x51ed) + 1) / 4_294_967_297;
  const u2 = hash32(a, b, c, d, e, f, 0x2f1d) / 4_294_967_296;
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/** A stable integer for a string (symbol codes, app keys), so strings can key the hashes above. */
export function stringKey(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Purposes, so that two draws for the same symbol and day never share a hash. */
export const STREAM = {
  universe: 1,
  regime: 2,
  dailyReturn: 3,
  gap: 4,
  ramp: 5,
  dayVolume: 6,
  intraday: 7,
  minuteVolume: 8,
  book: 9,
  orderNumber: 10,
  fault: 11,
  token: 12,
  fundamentals: 13,
  spread: 21,
  openingAuction: 22,
} as const;
