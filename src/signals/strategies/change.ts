import type { DailyBar, Quote } from '../../domain/index.js';

/** (to − from) / from in basis points; null when `from` is not a usable price. */
export function changeBp(from: number, to: number): number | null {
  return from > 0 ? ((to - from) * 10_000) / from : null;
}

/**
 * 기준가 is the previous close adjusted for ex-rights days (docs/kis-wire.md §11.2), the reference KIS
 * measures prdy_ctrt against; the last completed bar's close is only a fallback.
 */
export function referencePrice(quote: Quote, bars: readonly DailyBar[]): number | null {
  return quote.basePrice > 0 ? quote.basePrice : (bars.at(-1)?.close ?? null);
}
