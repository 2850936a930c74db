import type { DailyBar, Quote } from '../../domain/index.js';

/** Basis points as a percent for a decision's detail: 120 → "1.20 %". */
export const pctText = (bp: number): string => `${(bp / 100).toFixed(2)} %`;
/** A number for a decision's detail: won and shares with separators, others to two decimals. */
export const numText = (n: number): string => (Number.isInteger(n) ? n.toLocaleString('en-US') : n.toFixed(2));

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
