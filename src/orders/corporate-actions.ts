import type { Krw, Shares, StockCode } from '../domain/index.js';

/**
 * Recognising a split, bonus issue or reverse split at reconcile, pure.
 *
 * After such an action the broker's balance shows a different quantity for the same holding and
 * the price (and the whole adjusted history, docs/kis-wire.md §6.3 `FID_ORG_ADJ_PRC` 0) is divided by
 * the same ratio; the cost basis does not change. Taken for a split only when BOTH hold:
 *
 * 1. broker quantity ÷ the daemon's quantity is a clean ratio p/q in lowest terms with
 *    p, q ≤ MAX_RATIO_TERM (1:2, 1:5, 1:10, 1:50, bonus 1 + 1/2 = 3/2, reverse 10:1 …), and far
 *    enough from 1 (≥ 3/2 or ≤ 2/3) that it cannot be confused with a day's price move (±30 %,
 *    docs/kis-wire.md §11.2) — a 11/10 bonus issue is left to an operator;
 * 2. the reference price (today's base price, 기준가, which KRX sets to the adjusted previous close
 *    on the ex-date) moved by the inverse ratio against the last price the daemon knew before the
 *    change, within PRICE_TOLERANCE.
 *
 * Anything else is not a split: the caller keeps today's policy (an increase is the owner's own
 * shares, a decrease halts entries). Getting this wrong either way is bounded: a missed split halts
 * entries (or leaves the increase as external shares) until an operator looks; a split is only
 * taken when the price confirms it, so an unadjusted average (a 1:10 split read as a −90 % loss)
 * never reaches the stop-loss.
 */
export interface SplitRatio {
  /** new shares … */
  num: number;
  /** … per this many old shares: quantity × num / den, price ÷ (num / den) */
  den: number;
}

export const MAX_RATIO_TERM = 50;
/** the price must sit within ×/÷ 1.15 of old price ÷ ratio (the daemon's last price may be a day old) */
export const PRICE_TOLERANCE = 1.15;

function gcd(a: number, b: number): number {
  let x = Math.abs(a);
  let y = Math.abs(b);
  while (y !== 0) [x, y] = [y, x % y];
  return x;
}

/** broker ÷ daemon as a small clean ratio, or null (equal, zero, too fine or too large a ratio). */
export function cleanRatio(daemonQty: number, brokerQty: number): SplitRatio | null {
  if (!Number.isSafeInteger(daemonQty) || !Number.isSafeInteger(brokerQty) || daemonQty <= 0 || brokerQty <= 0) return null;
  if (daemonQty === brokerQty) return null;
  const g = gcd(brokerQty, daemonQty);
  const num = brokerQty / g;
  const den = daemonQty / g;
  if (num > MAX_RATIO_TERM || den > MAX_RATIO_TERM) return null;
  // 2·num ≥ 3·den ⇔ ratio ≥ 3/2; 3·num ≤ 2·den ⇔ ratio ≤ 2/3
  if (!(2 * num >= 3 * den || 3 * num <= 2 * den)) return null;
  return { num, den };
}

export interface SplitEvidence {
  symbol: StockCode;
  daemonQty: Shares;
  brokerQty: Shares;
  /** the last price the daemon knew from before the change; null when it knows none */
  priceBefore: Krw | null;
  /** today's reference price at the venue (the quote's base price); null when it could not be read */
  priceAfter: Krw | null;
}

export type SplitVerdict =
  | { kind: 'split'; symbol: StockCode; ratio: SplitRatio; qtyBefore: Shares; qtyAfter: Shares; priceBefore: Krw; priceAfter: Krw }
  | { kind: 'not-a-split'; symbol: StockCode; reason: 'SAME_QTY' | 'NOT_A_CLEAN_RATIO' | 'NO_PRICE' | 'PRICE_DID_NOT_MOVE' };

export function detectSplit(e: SplitEvidence): SplitVerdict {
  const no = (reason: Extract<SplitVerdict, { kind: 'not-a-split' }>['reason']): SplitVerdict => ({ kind: 'not-a-split', symbol: e.symbol, reason });
  if (e.daemonQty === e.brokerQty) return no('SAME_QTY');
  const ratio = cleanRatio(e.daemonQty, e.brokerQty);
  if (!ratio) return no('NOT_A_CLEAN_RATIO');
  if (e.priceBefore === null || e.priceAfter === null || e.priceBefore <= 0 || e.priceAfter <= 0) return no('NO_PRICE');
  // expected: after = before × den / num; compare after × num against before × den
  const observed = (e.priceAfter * ratio.num) / (e.priceBefore * ratio.den);
  if (observed > PRICE_TOLERANCE || observed < 1 / PRICE_TOLERANCE) return no('PRICE_DID_NOT_MOVE');
  return {
    kind: 'split', symbol: e.symbol, ratio, qtyBefore: e.daemonQty, qtyAfter: e.brokerQty, priceBefore: e.priceBefore, priceAfter: e.priceAfter,
  };
}
