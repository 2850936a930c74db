import type { TradingDate } from './time.js';
import type { Side, StockCode } from './types.js';

/**
 * A deterministic key for one order intent: the same strategy, symbol, side, trading date and
 * signal always give the same key, so a re-run of the same evaluation can never create a second
 * order. It doubles as the BullMQ jobId, which may not contain ':' nor be all digits
 * (STACK.md §1.3), hence '.' separators and a letter prefix.
 */
export function makeIntentKey(parts: { strategy: string; symbol: StockCode; side: Side; date: TradingDate; signal: string }): string {
  const clean = (s: string) => s.replace(/[^A-Za-z0-9_-]/g, '-');
  return ['i', clean(parts.strategy), parts.symbol, parts.side, parts.date, clean(parts.signal)].join('.');
}

/** A fill at the venue is identified by its order and the cumulative filled quantity it reached. */
export function makeFillKey(date: TradingDate, venueOrderId: string, cumulativeQty: number): string {
  return `${date}.${venueOrderId}.${cumulativeQty}`;
}
