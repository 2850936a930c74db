import { z } from 'zod';
import { basisPoints } from '../../domain/index.js';
import { atrOf, averageVolumeOf } from '../indicators.js';
import { highLowOf } from '../indicators-change.js';
import { numText } from './change.js';
import { DEFAULT_MIN_SESSION_FRACTION_PCT, projectDayVolume } from '../volume.js';
import { days } from './params.js';
import type { SignalValues, Strategy } from './types.js';

const params = z.strictObject({
  /** the channel: today's price must exceed the highest high of this many completed days */
  breakoutDays: days(20, 5, 100),
  /** projected volume today vs the breakoutDays average: 1.5 = one and a half times the average */
  minVolumeRatio: z.number().positive().max(100).default(1.5),
  /** refuse a price more than this many ATRs above the breakout level: the move is already made */
  maxExtensionAtr: z.number().min(0).max(10).default(1.5),
  /** the ATR period of the extension check, in completed days */
  atrPeriod: days(14, 2, 60),
  /** the strategy's own exit: the price below the lowest low of this many completed days */
  exitDays: days(10, 2, 100),
  /** floor of the session share used to project today's volume (signals/volume.ts) */
  minSessionFractionPct: z.int().min(1).max(100).default(DEFAULT_MIN_SESSION_FRACTION_PCT),
}).transform((p) => ({
  breakoutDays: p.breakoutDays,
  minVolumeRatioPct: basisPoints(p.minVolumeRatio),
  maxExtensionAtr: p.maxExtensionAtr,
  atrPeriod: p.atrPeriod,
  exitDays: p.exitDays,
  minSessionFractionPct: p.minSessionFractionPct,
}));

export type BreakoutAtrParams = z.output<typeof params>;

/** The ATR's first true range has no previous close (a bar's high − low): one bar more gives it one. */
function barsNeeded(p: BreakoutAtrParams): number {
  return Math.max(p.breakoutDays, p.exitDays, p.atrPeriod + 1);
}

/**
 * A Donchian breakout: the price clears the highest high of the last 20 completed days on
 * above-average volume, not yet far past it. The protective stop is the exit machine's ATR
 * trailing stop (`exits.trailAtrMultiple`, e.g. 2), not duplicated here; the strategy's own exit
 * is the price falling through the 10-day low. Every value is computed before any rule decides;
 * all of them read the last barsNeeded bars only, so the result does not depend on how many
 * older bars the caller had.
 */
export const breakoutAtr: Strategy<BreakoutAtrParams> = {
  name: 'breakout-atr',
  summary: 'above the 20-day high on volume, at most 1.5 ATR past it; run with exits.trailAtrMultiple (e.g. 2)',
  params,
  barsNeeded,
  entry({ quote, bars, session }, p) {
    const window = bars.slice(-barsNeeded(p));
    const enough = window.length >= barsNeeded(p);
    const channel = enough ? window.slice(-p.breakoutDays) : [];
    const breakoutLevel = enough ? (highLowOf(channel, p.breakoutDays)?.high ?? null) : null;
    const atr = enough ? atrOf(window, p.atrPeriod) : null;
    const extensionAtr = breakoutLevel !== null && atr !== null && atr > 0 ? (quote.price - breakoutLevel) / atr : null;
    const avgVolume = enough ? averageVolumeOf(channel, p.breakoutDays) : null;
    const projection = projectDayVolume(quote.volume, quote.at, session, p.minSessionFractionPct);
    const volumeRatioPct = avgVolume !== null && avgVolume > 0 ? (projection.projectedVolume * 100) / avgVolume : null;
    const atUpperLimit = quote.upperLimit > 0 && quote.price >= quote.upperLimit;
    const values: SignalValues = {
      breakoutLevel, breakoutAtr: atr, extensionAtr, avgVolume, sessionElapsedPct: projection.sessionElapsedPct,
      volumeDivisorPct: projection.divisorPct, projectedVolume: projection.projectedVolume, volumeRatioPct, atUpperLimit,
      barsUsed: window.length, breakoutDays: p.breakoutDays, atrPeriod: p.atrPeriod, maxExtensionAtr: p.maxExtensionAtr,
      minVolumeRatioPct: p.minVolumeRatioPct,
    };
    const no = (rule: string, detail?: string) => ({ fire: false, rule, values, ...(detail === undefined ? {} : { detail }) });
    // A zero ATR or average volume means the stock did not move or trade: no baseline to measure against.
    if (breakoutLevel === null || extensionAtr === null || avgVolume === null || avgVolume <= 0) return no('insufficient-history');
    if (!(quote.price > breakoutLevel)) return no('no-breakout', `price ${numText(quote.price)} ≤ ${p.breakoutDays}-day high ${numText(breakoutLevel)}`);
    // At 상한가 the queue to buy is long and fills go to earlier orders (docs/kis-wire.md §11.2).
    if (atUpperLimit) return no('at-upper-limit');
    // A breakout often comes back to test its level. Bought further past it than the trailing stop's
    // distance (exits.trailAtrMultiple), that retest alone would stop the position out.
    if (extensionAtr > p.maxExtensionAtr) return no('extended', `${numText(extensionAtr)} ATR past the breakout > ${numText(p.maxExtensionAtr)}`);
    if (volumeRatioPct === null || volumeRatioPct < p.minVolumeRatioPct) {
      return no('volume-ratio-below-min', `projected volume ${numText((volumeRatioPct ?? 0) / 100)}× < ${numText(p.minVolumeRatioPct / 100)}× the average`);
    }
    return { fire: true, rule: 'breakout-atr', values };
  },
  exit({ quote, bars }, p) {
    const window = bars.slice(-p.exitDays);
    const channelLow = window.length >= p.exitDays ? (highLowOf(window, p.exitDays)?.low ?? null) : null;
    const values: SignalValues = { channelLow, exitDays: p.exitDays };
    if (channelLow === null) return { fire: false, rule: 'insufficient-history', values };
    if (quote.price < channelLow) return { fire: true, rule: 'channel-exit', values };
    return { fire: false, rule: 'hold', values };
  },
};
