import { z } from 'zod';
import { basisPoints } from '../../domain/index.js';
import { averageVolumeOf, smaOf } from '../indicators.js';
import { DEFAULT_MIN_SESSION_FRACTION_PCT, projectDayVolume } from '../volume.js';
import { changeBp, numText, pctText, referencePrice } from './change.js';
import { changePct, days, whenFieldsValid } from './params.js';
import type { Strategy } from './types.js';

const params = z.strictObject({
  /** daily bars for the moving average and the average volume */
  lookbackDays: days(20, 5, 100),
  minChangePct: changePct(2),
  maxChangePct: changePct(15),
  /** projected volume today vs the lookback average: 2 = twice the average; 0 = no volume condition */
  minVolumeRatio: z.number().min(0).max(100).default(2),
  /** require the price strictly above the lookback moving average of closes */
  requireAboveMa: z.boolean().default(true),
  /** floor of the session share used to project today's volume (signals/volume.ts) */
  minSessionFractionPct: z.int().min(1).max(100).default(DEFAULT_MIN_SESSION_FRACTION_PCT),
}).refine((p) => p.minChangePct < p.maxChangePct, {
  path: ['minChangePct'], error: 'must be below maxChangePct', ...whenFieldsValid,
}).transform((p) => ({
  lookbackDays: p.lookbackDays,
  minChangeBp: basisPoints(p.minChangePct),
  maxChangeBp: basisPoints(p.maxChangePct),
  minVolumeRatioPct: basisPoints(p.minVolumeRatio),
  requireAboveMa: p.requireAboveMa,
  minSessionFractionPct: p.minSessionFractionPct,
}));

export type MomentumVolumeParams = z.output<typeof params>;

/**
 * A stock that is up moderately today on unusual volume, above its moving average, and not pinned
 * at the upper limit. Every value is computed before any rule decides, so the decision log shows
 * all of them whichever rule fired.
 */
export const momentumVolume: Strategy<MomentumVolumeParams> = {
  name: 'momentum-volume',
  summary: 'up moderately today on projected volume well above its average, above its moving average',
  params,
  barsNeeded: (p) => p.lookbackDays,
  entry({ quote, bars, session }, p) {
    const window = bars.slice(-p.lookbackDays);
    const enoughBars = window.length >= p.lookbackDays;
    const prevClose = referencePrice(quote, bars);
    const change = prevClose === null ? null : changeBp(prevClose, quote.price);
    const avgVolume = enoughBars ? averageVolumeOf(window, p.lookbackDays) : null;
    const projection = projectDayVolume(quote.volume, quote.at, session, p.minSessionFractionPct);
    const volumeRatioPct = avgVolume !== null && avgVolume > 0 ? (projection.projectedVolume * 100) / avgVolume : null;
    const ma = enoughBars ? smaOf(window.map((b) => b.close), p.lookbackDays) : null;
    const atUpperLimit = quote.upperLimit > 0 && quote.price >= quote.upperLimit;
    const values = {
      prevClose, changeBp: change, sessionElapsedPct: projection.sessionElapsedPct, volumeDivisorPct: projection.divisorPct,
      projectedVolume: projection.projectedVolume, avgVolume, volumeRatioPct, ma, atUpperLimit,
      barsUsed: window.length, lookbackDays: p.lookbackDays, minChangeBp: p.minChangeBp, maxChangeBp: p.maxChangeBp,
      minVolumeRatioPct: p.minVolumeRatioPct, requireAboveMa: p.requireAboveMa,
    };
    const no = (rule: string, detail?: string) => ({ fire: false, rule, values, ...(detail === undefined ? {} : { detail }) });
    // A zero average means the stock did not trade in the window: no baseline to compare with.
    if (!enoughBars || change === null || avgVolume === null || avgVolume <= 0 || ma === null) return no('insufficient-history');
    if (change < p.minChangeBp) return no('change-below-min', `change ${pctText(change)} < ${pctText(p.minChangeBp)}`);
    if (change > p.maxChangeBp) return no('change-above-max', `change ${pctText(change)} > ${pctText(p.maxChangeBp)}`);
    // At 상한가 the queue to buy is long and fills go to earlier orders (docs/kis-wire.md §11.2).
    if (atUpperLimit) return no('at-upper-limit', `price ${numText(quote.price)} at the upper limit`);
    if (volumeRatioPct === null || volumeRatioPct < p.minVolumeRatioPct) {
      return no('volume-ratio-below-min', `projected volume ${numText((volumeRatioPct ?? 0) / 100)}× < ${numText(p.minVolumeRatioPct / 100)}× the average`);
    }
    if (p.requireAboveMa && !(quote.price > ma)) return no('below-ma', `price ${numText(quote.price)} ≤ ${p.lookbackDays}-day average ${numText(ma)}`);
    return { fire: true, rule: 'momentum-volume', values };
  },
};
