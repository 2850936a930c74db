import { z } from 'zod';
import type { DailyBar, Quote } from '../../domain/index.js';
import { rsiOf, smaOf } from '../indicators.js';
import { numText } from './change.js';
import { days, whenFieldsValid } from './params.js';
import type { SignalValues, Strategy } from './types.js';

/**
 * Wilder's RSI carries its seed forever, shrinking by (1 − 1/period) a value: after ten periods the
 * seed weighs e^−10. Reading a fixed window of that length at least makes the value the same
 * whether the job or the backtester handed over 100 bars or 300.
 */
const RSI_WARMUP_PERIODS = 10;

const params = z.strictObject({
  /** RSI period over closes; 2 is Connors' */
  rsiPeriod: days(2, 2, 10),
  /** enter when the RSI of the completed closes plus today's price is below this (0–100 scale) */
  entryRsiBelow: z.number().min(1).max(50).default(10),
  /** the long trend: the price must be above the average of this many completed closes */
  trendDays: days(100, 20, 100),
  /** the average daily traded value (won) over `liquidityDays` completed days must reach this */
  minAvgTradedValue: z.int().min(0).max(10_000_000_000_000).default(10_000_000_000),
  liquidityDays: days(20, 5, 100),
  /** the strategy's own exit: RSI above this… */
  exitRsiAbove: z.number().min(50).max(99).default(70),
  /** …or the price above the average of this many completed closes */
  exitSmaDays: days(5, 2, 50),
}).refine((p) => p.entryRsiBelow < p.exitRsiAbove, {
  path: ['entryRsiBelow'], error: 'must be below exitRsiAbove', ...whenFieldsValid,
});

export type Rsi2MeanReversionParams = z.output<typeof params>;

function barsNeeded(p: Rsi2MeanReversionParams): number {
  return Math.max(p.trendDays, p.liquidityDays, p.exitSmaDays, p.rsiPeriod * RSI_WARMUP_PERIODS);
}

/** What entry and exit both read, from the last barsNeeded completed bars only; null without enough of them. */
function indicators(quote: Quote, bars: readonly DailyBar[], p: Rsi2MeanReversionParams) {
  const window = bars.slice(-barsNeeded(p));
  const enough = window.length >= barsNeeded(p);
  const closes = window.map((b) => b.close as number);
  return {
    barsUsed: window.length,
    // Today's price stands in for today's close: the signal is the close-to-close RSI as of now.
    signalRsi: enough ? rsiOf([...closes, quote.price], p.rsiPeriod) : null,
    trendSma: enough ? smaOf(closes.slice(-p.trendDays), p.trendDays) : null,
    avgTradedValue: enough ? smaOf(window.slice(-p.liquidityDays).map((b) => b.value as number), p.liquidityDays) : null,
    exitSma: enough ? smaOf(closes.slice(-p.exitSmaDays), p.exitSmaDays) : null,
  };
}

/**
 * Connors' RSI(2): a liquid stock in a long uptrend that has just sold off hard tends to bounce.
 * Buy a short-term oversold RSI above the trend average; sell on the bounce (RSI back up, or the
 * price back above a short average). Every value is computed before any rule decides.
 */
export const rsi2MeanReversion: Strategy<Rsi2MeanReversionParams> = {
  name: 'rsi2-mean-reversion',
  summary: 'short-term oversold (RSI(2) below 10) in a long uptrend (above the 100-day average), liquid; sells on the bounce',
  params,
  barsNeeded,
  entry({ quote, bars }, p) {
    const ind = indicators(quote, bars, p);
    const atUpperLimit = quote.upperLimit > 0 && quote.price >= quote.upperLimit;
    const values: SignalValues = {
      ...ind, atUpperLimit, rsiPeriod: p.rsiPeriod, entryRsiBelow: p.entryRsiBelow, trendDays: p.trendDays,
      minAvgTradedValue: p.minAvgTradedValue, liquidityDays: p.liquidityDays, todayTradedValue: quote.tradedValue,
    };
    const no = (rule: string, detail?: string) => ({ fire: false, rule, values, ...(detail === undefined ? {} : { detail }) });
    if (ind.signalRsi === null || ind.trendSma === null || ind.avgTradedValue === null) return no('insufficient-history');
    // At 상한가 the queue to buy is long and fills go to earlier orders (docs/kis-wire.md §11.2).
    if (atUpperLimit) return no('at-upper-limit');
    // Completed days, not today so far: a sell-off day's traded value says little about the name.
    if (ind.avgTradedValue < p.minAvgTradedValue) return no('illiquid', `average traded value ${numText(Math.round(ind.avgTradedValue))} < ${numText(p.minAvgTradedValue)}`);
    // Below its trend an oversold stock is more often falling than pausing.
    if (!(quote.price > ind.trendSma)) return no('below-trend', `price ${numText(quote.price)} ≤ ${p.trendDays}-day average ${numText(ind.trendSma)}`);
    if (!(ind.signalRsi < p.entryRsiBelow)) return no('rsi-not-oversold', `RSI(${p.rsiPeriod}) ${numText(ind.signalRsi)} ≥ ${numText(p.entryRsiBelow)}`);
    // Its own exit sells above the exit average: bought there, it would be sold at the next exit
    // check, paying the spread, fees and tax for nothing. An RSI(2) below 10 is below that average
    // in practice; a looser entryRsiBelow (30 or more) after a spike and fade is not.
    if (ind.exitSma !== null && quote.price > ind.exitSma) return no('above-exit-sma', `price ${numText(quote.price)} > ${p.exitSmaDays}-day average ${numText(ind.exitSma)}`);
    return { fire: true, rule: 'rsi2-mean-reversion', values };
  },
  exit({ quote, bars }, p) {
    const ind = indicators(quote, bars, p);
    const values: SignalValues = {
      signalRsi: ind.signalRsi, exitSma: ind.exitSma, exitRsiAbove: p.exitRsiAbove, exitSmaDays: p.exitSmaDays,
    };
    if (ind.signalRsi === null || ind.exitSma === null) return { fire: false, rule: 'insufficient-history', values };
    if (ind.signalRsi > p.exitRsiAbove) return { fire: true, rule: 'rsi-exit', values };
    if (quote.price > ind.exitSma) return { fire: true, rule: 'sma-exit', values };
    return { fire: false, rule: 'hold', values };
  },
};
