import { krw } from '../domain/index.js';
import type { Krw } from '../domain/index.js';

/**
 * The single-price call auction of KRX (docs/kis-wire.md §11.1: opening auction 08:30–09:00, matched at
 * 09:00), pure. Every order of the call trades at one price: the price that executes the most
 * shares. When several prices execute the same most shares, KRX takes the immediately preceding
 * price if it is one of them, else the one closest to it (KRX "Methods of auction", matching
 * price with several candidates); equally close on both sides, the lower one (KRX does not say;
 * a choice). Allocation follows price then time priority: market orders first, then better
 * limits, then earlier orders at the same price. KRX allocates by quantity instead of time when
 * the price is at the upper or lower limit; that refinement is not modelled.
 */
export interface AuctionOrder {
  id: string;
  side: 'buy' | 'sell';
  /** null: a market order */
  limit: Krw | null;
  qty: number;
  /** smaller first at the same price */
  priority: number;
}

export interface AuctionResult {
  /** null when nothing can trade (no crossing of buy and sell interest) */
  price: Krw | null;
  volume: number;
  fills: { id: string; qty: number }[];
}

function executable(orders: readonly AuctionOrder[], price: number): { buy: number; sell: number } {
  let buy = 0;
  let sell = 0;
  for (const o of orders) {
    if (o.side === 'buy' && (o.limit === null || o.limit >= price)) buy += o.qty;
    if (o.side === 'sell' && (o.limit === null || o.limit <= price)) sell += o.qty;
  }
  return { buy, sell };
}

function byPriority(side: 'buy' | 'sell') {
  return (a: AuctionOrder, b: AuctionOrder): number => {
    if (a.limit !== b.limit) {
      if (a.limit === null) return -1;
      if (b.limit === null) return 1;
      return side === 'buy' ? b.limit - a.limit : a.limit - b.limit;
    }
    return a.priority - b.priority;
  };
}

/**
 * Candidates are the limit prices in the call within [lower, upper] and the reference price
 * (a grid price). That is enough: between two neighbouring limit prices the executed volume is
 * never above its value at either end, so a best price strictly between them exists only when
 * the ends are best too, and then the closest best price to the reference is an end or the
 * reference itself.
 */
export function callAuction(orders: readonly AuctionOrder[], reference: Krw, lower: Krw, upper: Krw): AuctionResult {
  const candidates = new Set<number>();
  for (const o of orders) if (o.limit !== null && o.limit >= lower && o.limit <= upper && o.qty > 0) candidates.add(o.limit);
  if (reference >= lower && reference <= upper) candidates.add(reference);
  let best: { price: number; volume: number } | null = null;
  for (const p of candidates) {
    const e = executable(orders, p);
    const volume = Math.min(e.buy, e.sell);
    if (volume <= 0) continue;
    const closer = best !== null && volume === best.volume
      && (Math.abs(p - reference) < Math.abs(best.price - reference) || (Math.abs(p - reference) === Math.abs(best.price - reference) && p < best.price));
    if (best === null || volume > best.volume || closer) best = { price: p, volume };
  }
  if (best === null) return { price: null, volume: 0, fills: [] };
  const { price, volume } = best;
  const fills: { id: string; qty: number }[] = [];
  for (const side of ['buy', 'sell'] as const) {
    let left = volume;
    const eligible = orders
      .filter((o) => o.side === side && o.qty > 0 && (o.limit === null || (side === 'buy' ? o.limit >= price : o.limit <= price)))
      .sort(byPriority(side));
    for (const o of eligible) {
      if (left <= 0) break;
      const q = Math.min(o.qty, left);
      left -= q;
      fills.push({ id: o.id, qty: q });
    }
  }
  return { price: krw(price), volume, fills };
}
