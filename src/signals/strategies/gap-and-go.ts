import { z } from 'zod';
import { basisPoints, kstParts } from '../../domain/index.js';
import { averageVolumeOf } from '../indicators.js';
import { DEFAULT_MIN_SESSION_FRACTION_PCT, projectDayVolume } from '../volume.js';
import { changeBp, numText, pctText, referencePrice } from './change.js';
import { days, pct, whenFieldsValid } from './params.js';
import type { SignalValues, Strategy } from './types.js';

const params = z.strictObject({
  /** today's open vs the previous close (기준가), in percent: at least this… */
  minGapPct: pct(2, 0, 30),
  /** …and at most this (KRX limits are ±30 %, docs/kis-wire.md §11.2) */
  maxGapPct: pct(10, 0, 30),
  /** enter only this many minutes after the session opens, at most */
  windowMinutes: z.int().min(1).max(390).default(30),
  /** projected volume today vs the volumeDays average: 1.5 = one and a half times the average */
  minVolumeRatio: z.number().positive().max(100).default(1.5),
  /** daily bars for the average volume */
  volumeDays: days(20, 5, 100),
  /** the best ranking position a candidate from the rankings must hold (1 = top); watch-list candidates pass */
  maxRank: z.int().min(1).max(30).default(20),
  /** floor of the session share used to project today's volume (signals/volume.ts) */
  minSessionFractionPct: z.int().min(1).max(100).default(DEFAULT_MIN_SESSION_FRACTION_PCT),
}).refine((p) => p.minGapPct < p.maxGapPct, {
  path: ['minGapPct'], error: 'must be below maxGapPct', ...whenFieldsValid,
}).transform((p) => ({
  minGapBp: basisPoints(p.minGapPct),
  maxGapBp: basisPoints(p.maxGapPct),
  windowMinutes: p.windowMinutes,
  minVolumeRatioPct: basisPoints(p.minVolumeRatio),
  volumeDays: p.volumeDays,
  maxRank: p.maxRank,
  minSessionFractionPct: p.minSessionFractionPct,
}));

export type GapAndGoParams = z.output<typeof params>;

/**
 * A stock that opened 2–10 % above its previous close and holds at or above its open in the first
 * half hour, on heavy volume: the gap is being bought, not sold. Its own exit sells on the entry
 * day when the price falls back below the open (the gap is filling); from the next day on the exit
 * machine's stops and time stop decide. Every value is computed before any rule decides.
 */
export const gapAndGo: Strategy<GapAndGoParams> = {
  name: 'gap-and-go',
  summary: 'opened 2–10 % up and holds at or above the open in the first 30 minutes on volume; sold if it falls below the open that day',
  params,
  barsNeeded: (p) => p.volumeDays,
  entry({ quote, bars, session, scan }, p) {
    const window = bars.slice(-p.volumeDays);
    const avgVolume = window.length >= p.volumeDays ? averageVolumeOf(window, p.volumeDays) : null;
    const prevClose = referencePrice(quote, bars);
    // Before the first trade KIS reports an open of 0: there is no gap yet.
    const gapBp = prevClose !== null && quote.open > 0 ? changeBp(prevClose, quote.open) : null;
    const minutesSinceOpen = (kstParts(quote.at).secondOfDay - session.openSecond) / 60;
    const projection = projectDayVolume(quote.volume, quote.at, session, p.minSessionFractionPct);
    const volumeRatioPct = avgVolume !== null && avgVolume > 0 ? (projection.projectedVolume * 100) / avgVolume : null;
    const atUpperLimit = quote.upperLimit > 0 && quote.price >= quote.upperLimit;
    const scanRank = scan?.rank ?? null;
    const values: SignalValues = {
      prevClose, todayOpen: quote.open, gapBp, minutesSinceOpen, avgVolume, sessionElapsedPct: projection.sessionElapsedPct,
      volumeDivisorPct: projection.divisorPct, projectedVolume: projection.projectedVolume, volumeRatioPct, atUpperLimit,
      scanRank, barsUsed: window.length, minGapBp: p.minGapBp, maxGapBp: p.maxGapBp, windowMinutes: p.windowMinutes,
      minVolumeRatioPct: p.minVolumeRatioPct, maxRank: p.maxRank,
    };
    const no = (rule: string, detail?: string) => ({ fire: false, rule, values, ...(detail === undefined ? {} : { detail }) });
    // A zero average means the stock did not trade in the window: no baseline to compare with.
    if (avgVolume === null || avgVolume <= 0 || prevClose === null) return no('insufficient-history');
    // The session's own open (a late-opening day included), not 09:00 (docs/kis-wire.md §11.1).
    if (minutesSinceOpen < 0 || minutesSinceOpen > p.windowMinutes) {
      return no('outside-window', `${numText(minutesSinceOpen)} min after the open, window ${p.windowMinutes} min`);
    }
    if (gapBp === null) return no('no-open');
    if (gapBp < p.minGapBp) return no('gap-too-small', `gap ${pctText(gapBp)} < ${pctText(p.minGapBp)}`);
    // A gap near the ±30 % limit has little room left and is often news-driven exhaustion.
    if (gapBp > p.maxGapBp) return no('gap-too-large', `gap ${pctText(gapBp)} > ${pctText(p.maxGapBp)}`);
    if (quote.price < quote.open) return no('below-open', `price ${numText(quote.price)} < open ${numText(quote.open)}`);
    // At 상한가 the queue to buy is long and fills go to earlier orders (docs/kis-wire.md §11.2).
    if (atUpperLimit) return no('at-upper-limit');
    if (scanRank !== null && scanRank > p.maxRank) return no('rank-too-low', `rank ${scanRank} > ${p.maxRank}`);
    if (volumeRatioPct === null || volumeRatioPct < p.minVolumeRatioPct) {
      return no('volume-ratio-below-min', `projected volume ${numText((volumeRatioPct ?? 0) / 100)}× < ${numText(p.minVolumeRatioPct / 100)}× the average`);
    }
    return { fire: true, rule: 'gap-and-go', values };
  },
  exit({ quote, today, position }) {
    // quote.open is today's open: it is the entry day's gap only on the day the position was opened.
    const entryDay = position.openedDate === today;
    const values: SignalValues = { todayOpen: quote.open, gapFillApplies: entryDay };
    if (entryDay && quote.open > 0 && quote.price < quote.open) return { fire: true, rule: 'gap-fill', values };
    return { fire: false, rule: entryDay ? 'hold' : 'not-entry-day', values };
  },
};
