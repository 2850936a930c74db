import type { DailyBar, EpochMs, Quote, StockCode, TradingDate } from '../../../src/domain/index.js';
import { epochMs, krw, kstDateOf, kstInstant, shares, stockCode, tradingDate } from '../../../src/domain/index.js';
import { quoteStatus } from '../../helpers/builders.js';

export const SYM: StockCode = stockCode('005930');
export const TODAY: TradingDate = tradingDate('20260312');

/** 12:15 KST: half of the 09:00–15:30 session has elapsed. */
export const MIDDAY: EpochMs = kstInstant(TODAY, '121500');

export function quote(over: Partial<Quote> = {}): Quote {
  return {
    symbol: SYM,
    price: krw(10_500),
    open: krw(10_000),
    high: krw(10_600),
    low: krw(9_950),
    basePrice: krw(10_000),
    upperLimit: krw(13_000),
    lowerLimit: krw(7_000),
    tick: krw(10),
    volume: shares(150_000),
    tradedValue: krw(1_575_000_000),
    changeBp: 500,
    halted: false,
    status: quoteStatus(),
    at: MIDDAY,
    ...over,
  };
}

/** One bar per given close, on consecutive calendar days ending the day before TODAY. */
export function bars(closes: readonly number[], volume = 100_000, end = '20260311'): DailyBar[] {
  const endAt = kstInstant(tradingDate(end), '120000');
  return closes.map((close, i) => {
    const date = kstDateOf(epochMs(endAt - (closes.length - 1 - i) * 86_400_000));
    return {
      symbol: SYM, date, open: krw(close), high: krw(close), low: krw(close), close: krw(close),
      volume: shares(volume), value: krw(close * volume),
    };
  });
}
