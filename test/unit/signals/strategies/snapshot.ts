import { expect } from 'vitest';
import type { z } from 'zod';
import { krw, shares, tradingDate } from '../../../../src/domain/index.js';
import type { DailyBar, Quote, TradingDate } from '../../../../src/domain/index.js';
import { REGULAR_SESSION } from '../../../../src/signals/index.js';
import type { PositionFields, ScanFields, Snapshot, SignalValues } from '../../../../src/signals/index.js';
import { SYM, TODAY, quote } from '../builders.js';

export function snapshot(over: { quote?: Partial<Quote>; bars: DailyBar[] } & Partial<Omit<Snapshot, 'quote' | 'bars'>>): Snapshot {
  const { quote: q, ...rest } = over;
  return { symbol: SYM, today: TODAY, session: REGULAR_SESSION, scan: null, position: null, ...rest, quote: quote(q) };
}

export function held(over: Partial<PositionFields> = {}): PositionFields {
  return {
    qty: shares(10), avgPrice: krw(10_000), openedDate: tradingDate('20260310'), daysHeld: 2, peakPrice: krw(10_000),
    unrealisedBp: 0, ...over,
  };
}

export function scanRow(over: Partial<ScanFields> = {}): ScanFields {
  return { name: '삼성전자', rank: 3, changeBp: 300, tradedValue: krw(50_000_000_000), volume: shares(5_000_000), ...over };
}

/** Bars with a range around each close: high close + spread, low close − spread. */
export function ranged(bars: DailyBar[], spread: number): DailyBar[] {
  return bars.map((b) => ({ ...b, high: krw(b.close + spread), low: krw(b.close - spread) }));
}

export const YESTERDAY: TradingDate = tradingDate('20260311');

/**
 * decideEntry and decideExit merge a strategy's values over their own (signals/decide-entry.ts,
 * decide-exit.ts): a strategy key with one of these names would overwrite the common value.
 */
const COMMON_KEYS = [
  'strategy', 'use', 'today', 'price', 'basePrice', 'volume', 'upperLimit', 'halted', 'atr', 'rsi', 'barsAvailable',
  'openedDate', 'qty', 'avgPrice', 'pnlBp', 'peakPrice', 'peakBp', 'stopLossBp', 'takeProfitBp', 'breakEvenAfterBp',
  'breakEvenArmed', 'trailAtrMultiple', 'trailAtr', 'trailStop', 'tradingDaysHeld', 'maxHoldDays', 'flattenDue',
];

export function expectOwnKeysOnly(values: SignalValues): void {
  expect(Object.keys(values).filter((k) => COMMON_KEYS.includes(k))).toEqual([]);
}

/** The issue paths of a params object the schema refuses. */
export function rejectedPaths(schema: z.ZodType, input: unknown): (string | number | symbol)[][] {
  const parsed = schema.safeParse(input);
  expect(parsed.success).toBe(false);
  return parsed.success ? [] : parsed.error.issues.map((i) => [...i.path]);
}
