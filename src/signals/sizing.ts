import type { Krw, Ppm, Shares } from '../domain/index.js';
import { AppError, applyPpm, notional, shares } from '../domain/index.js';

export interface SizingInput {
  equity: Krw;
  /** cash available for buys now */
  cash: Krw;
  /** the price the order will be sent at (for a market buy: the upper limit, docs/kis-wire.md §13 item 11) */
  price: Krw;
  /** largest position as a share of equity, in bp: 1000 = 10 % */
  maxPositionBp: number;
  maxOrderValue: Krw;
  minCashReserve: Krw;
  commission: Ppm;
}

export type SizingLimit = 'position-pct' | 'order-value' | 'cash';

export interface SizingResult {
  qty: Shares;
  /** qty × price */
  value: Krw;
  /** the buy commission on `value`, rounded up as in the cash check */
  commission: Krw;
  /** the cap that bound; on a tie the first of position-pct, order-value, cash */
  limitedBy: SizingLimit;
  /** the quantity each cap alone would allow, for the decision log */
  caps: Record<SizingLimit, Shares>;
}

function floorDiv(a: bigint, b: bigint): bigint {
  return a < 0n ? -((-a + b - 1n) / b) : a / b;
}

/**
 * The largest q with q × price + ceil(q × price × rate / 1e6) ≤ spendable. Because won amounts
 * are integers, that is exactly q × price × (1e6 + rate) ≤ spendable × 1e6: an integer that is
 * at least a real number is at least its ceiling. So one exact BigInt division gives it, and the
 * result always passes the cash guard of checkEntry, which rounds commission up the same way.
 */
function cashCap(spendable: number, price: number, commission: Ppm): number {
  if (spendable <= 0) return 0;
  return Number((BigInt(spendable) * 1_000_000n) / (BigInt(price) * BigInt(1_000_000 + commission)));
}

/**
 * Whole shares, floored: the smallest of what the position cap (share of equity), the
 * per-order value cap and the cash above the reserve (commission included) allow.
 */
export function sizeEntry(input: SizingInput): SizingResult {
  const { price } = input;
  if (!Number.isSafeInteger(price) || price <= 0) {
    throw new AppError('SIGNALS_INVALID_INPUT', `cannot size an order at price ${price}`, { details: { price } });
  }
  const budget = floorDiv(BigInt(input.equity) * BigInt(Math.trunc(input.maxPositionBp)), 10_000n);
  const caps: Record<SizingLimit, Shares> = {
    'position-pct': shares(Math.max(0, Number(floorDiv(budget, BigInt(price))))),
    'order-value': shares(Math.max(0, Math.floor(input.maxOrderValue / price))),
    cash: shares(cashCap(input.cash - input.minCashReserve, price, input.commission)),
  };
  let limitedBy: SizingLimit = 'position-pct';
  for (const limit of ['order-value', 'cash'] as const) {
    if (caps[limit] < caps[limitedBy]) limitedBy = limit;
  }
  const qty = caps[limitedBy];
  const value = notional(price, qty);
  return { qty, value, commission: applyPpm(value, input.commission, 'ceil'), limitedBy, caps };
}
