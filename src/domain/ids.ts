import type { TradingDate } from './time.js';
import type { Side, StockCode } from './types.js';

/**
 * A deterministic key for one order intent: the same strategy, symbol, side, trading date and
 * signal always give the same key, so a re-run of the same evaluation can never create a second
 * order. It doubles as the BullMQ jobId, which may not contain ':' nor be all digits
 * (docs/stack.md §1.3), hence '.' separators and a letter prefix.
 */
export function makeIntentKey(parts: { strategy: string; symbol: StockCode; side: Side; date: TradingDate; signal: string }): string {
  const clean = (s: string) => s.replace(/[^A-Za-z0-9_-]/g, '-');
  return ['i', clean(parts.strategy), parts.symbol, parts.side, parts.date, clean(parts.signal)].join('.');
}

/** The strategy a daemon intent key names (its second part); null for a key of another shape. */
export function strategyOfIntentKey(key: string): string | null {
  const parts = key.split('.');
  return parts[0] === 'i' && parts.length >= 3 && parts[1] ? parts[1] : null;
}

/** A fill at the venue is identified by its order and the cumulative filled quantity it reached. */
export function makeFillKey(date: TradingDate, venueOrderId: string, cumulativeQty: number): string {
  return `${date}.${venueOrderId}.${cumulativeQty}`;
}

/**
 * KIS order and branch numbers are numbers written as text: inquiries pad them (ODNO to ten
 * digits, the branch to five), paper order acknowledgements have been seen unpadded ("51378"),
 * and a new order's "original order number" may be "" or all zeros (docs/kis-wire.md). Every
 * number is kept in the padded form the inquiries use, so two spellings of one order compare equal.
 */
export const ORDER_NUMBER_WIDTH = 10;
export const BRANCH_NUMBER_WIDTH = 5;

/** The padded form of a numeric order/branch number, or null when `raw` is not all digits. */
export function canonicalOrderNumber(raw: string, width: number): string | null {
  const s = raw.trim();
  if (!/^\d+$/.test(s)) return null;
  const digits = s.replace(/^0+(?=\d)/, '');
  return digits.padStart(width, '0');
}

/** True when both are the same number, whatever their padding. */
export function sameOrderNumber(a: string, b: string): boolean {
  const x = canonicalOrderNumber(a, 0);
  return x !== null && x === canonicalOrderNumber(b, 0);
}
