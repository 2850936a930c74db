import { krw, shares } from './money.js';
import type { Krw } from './money.js';
import type { FillRecord, Position } from './order.js';
import type { StockCode } from './types.js';

/** a × b / c (c > 0) rounded half away from zero, in BigInt because cost × quantity can pass 2^53. */
function mulDivHalfUp(a: number, b: number, c: number): number {
  const num = BigInt(a) * BigInt(b);
  const abs = num < 0n ? -num : num;
  const q = (abs * 2n + BigInt(c)) / (BigInt(c) * 2n);
  return Number(num < 0n ? -q : q);
}

interface Book { qty: number; cost: number; realized: number }

/**
 * A split, bonus issue or reverse split applied to the daemon's book of one symbol: the shares
 * bought by fills with id ≤ `afterFillId` become qty × num / den, at the same cost basis (so the
 * average price is divided by num / den). Recorded at reconcile (orders/corporate-actions.ts).
 */
export interface ShareAdjustment {
  symbol: StockCode;
  num: number;
  den: number;
  afterFillId: number;
}

/**
 * Average-cost positions from fills in recording order. A buy adds its value plus commission
 * and tax to the cost basis; a sell releases the average cost of the shares sold (rounded
 * half-up to the won; the last share out takes whatever cost is left, so nothing lingers) and
 * realises proceeds minus commission, tax and that cost.
 *
 * A sell of more shares than the log holds (shares bought before kis-trader kept this log) has no
 * known cost for the excess: only the matched part and its pro-rata proceeds and fees count.
 *
 * Share adjustments (splits) change the quantity held at that point of the log, never the cost
 * nor the realised P&L.
 */
export function computePositions(fills: readonly FillRecord[], adjustments: readonly ShareAdjustment[] = []): Position[] {
  const books = new Map<StockCode, Book>();
  // each adjustment applies once, before the first later fill of its symbol or at the end
  const pending = [...adjustments].sort((a, b) => a.afterFillId - b.afterFillId);
  const adjustUpTo = (symbol: StockCode | null, fillId: number) => {
    for (let i = 0; i < pending.length;) {
      const a = pending[i];
      if (a && a.afterFillId < fillId && (symbol === null || a.symbol === symbol)) {
        pending.splice(i, 1);
        const b = books.get(a.symbol);
        // cost unchanged; a fraction of a share left by a reverse split is the broker's to cash out
        if (b && b.qty > 0) b.qty = Math.floor((b.qty * a.num) / a.den);
      } else {
        i++;
      }
    }
  };
  for (const f of fills) {
    adjustUpTo(f.symbol, f.id);
    const b = books.get(f.symbol) ?? { qty: 0, cost: 0, realized: 0 };
    books.set(f.symbol, b);
    if (f.side === 'buy') {
      b.qty += f.qty;
      b.cost += f.value + f.commission + f.tax;
      continue;
    }
    const matched = Math.min(f.qty, b.qty);
    if (matched === 0) continue;
    const released = matched === b.qty ? b.cost : mulDivHalfUp(b.cost, matched, b.qty);
    const net = f.value - f.commission - f.tax;
    const proceeds = matched === f.qty ? net : mulDivHalfUp(net, matched, f.qty);
    b.realized += proceeds - released;
    b.qty -= matched;
    b.cost -= released;
  }
  adjustUpTo(null, Infinity);
  return [...books.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([symbol, b]) => toPosition(symbol, b));
}

function toPosition(symbol: StockCode, b: Book): Position {
  const avg: Krw = b.qty === 0 ? krw(0) : krw(mulDivHalfUp(b.cost, 1, b.qty));
  return { symbol, qty: shares(b.qty), cost: krw(b.cost), avgPrice: avg, realizedPnl: krw(b.realized) };
}
