import type { StrategyUniverse } from '../domain/index.js';
import type { Candidate } from './universe.js';

/**
 * Whether a strategy's universe (config `strategies.<id>.universe`) takes a scan candidate. The
 * scan's own filter (scan.*) has already applied; this only narrows it per strategy.
 */
export function admits(u: StrategyUniverse, c: Pick<Candidate, 'symbol' | 'price' | 'tradedValue' | 'ranks'>): boolean {
  if (u.symbols.length > 0 && !u.symbols.includes(c.symbol)) return false;
  if (u.exclude.includes(c.symbol)) return false;
  if (u.minPrice !== null && c.price < u.minPrice) return false;
  if (u.maxPrice !== null && c.price > u.maxPrice) return false;
  if (u.minTradedValue !== null && c.tradedValue < u.minTradedValue) return false;
  if (u.maxRank !== null) {
    const best = Math.min(...Object.values(c.ranks).filter((r): r is number => r !== null));
    if (!(best <= u.maxRank)) return false;
  }
  return true;
}
