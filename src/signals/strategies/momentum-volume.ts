import { z } from 'zod';
import { basisPoints } from '../../domain/index.js';
import { lastAverageVolumeOf, lastCloseSmaOf } from '../indicators.js';
import { DEFAULT_MIN_SESSION_FRACTION_PCT, projectDayVolume } from '../volume.js';
import { changeBp, numText, pctText, referencePrice } from './change.js';
import { changePct, days, whenFieldsValid } from './params.js';
import { NO_VALUES } from './types.js';
import type { SignalValues, Strategy, StrategySignal } from './types.js';

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

/** A rule that did not fire. Module level: a closure per evaluation costs a backtest (bench/README.md). */
const no = (values: SignalValues, rule: string, detail?: string): StrategySignal =>
  (detail === undefined ? { fire: false, rule, values } : { fire: false, rule, values, detail });

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
  entry({ quote, bars, session, explain, sums }, p) {
    // the last lookbackDays bars, read in place (no slice: bench/README.md, backtest.ts)
    const barsUsed = Math.min(bars.length, p.lookbackDays);
    const enoughBars = barsUsed >= p.lookbackDays;
    const prevClose = referencePrice(quote, bars);
    const change = prevClose === null ? null : changeBp(prevClose, quote.price);
    const avgVolume = enoughBars ? lastAverageVolumeOf(bars, p.lookbackDays, sums) : null;
    const projection = projectDayVolume(quote.volume, quote.at, session, p.minSessionFractionPct);
    const volumeRatioPct = avgVolume !== null && avgVolume > 0 ? (projection.projectedVolume * 100) / avgVolume : null;
    const ma = enoughBars ? lastCloseSmaOf(bars, p.lookbackDays, sums) : null;
    const atUpperLimit = quote.upperLimit > 0 && quote.price >= quote.upperLimit;
    // Unexplained (Snapshot.explain false): no values and no detail, the same rules.
    const why = explain !== false;
    const values = why ? {
      prevClose, changeBp: change, sessionElapsedPct: projection.sessionElapsedPct, volumeDivisorPct: projection.divisorPct,
      projectedVolume: projection.projectedVolume, avgVolume, volumeRatioPct, ma, atUpperLimit,
      barsUsed, lookbackDays: p.lookbackDays, minChangeBp: p.minChangeBp, maxChangeBp: p.maxChangeBp,
      minVolumeRatioPct: p.minVolumeRatioPct, requireAboveMa: p.requireAboveMa,
    } : NO_VALUES;
    // A zero average means the stock did not trade in the window: no baseline to compare with.
    if (!enoughBars || change === null || avgVolume === null || avgVolume <= 0 || ma === null) return no(values, 'insufficient-history');
    if (change < p.minChangeBp) return no(values, 'change-below-min', why ? `change ${pctText(change)} < ${pctText(p.minChangeBp)}` : undefined);
    if (change > p.maxChangeBp) return no(values, 'change-above-max', why ? `change ${pctText(change)} > ${pctText(p.maxChangeBp)}` : undefined);
    // At 상한가 the queue to buy is long and fills go to earlier orders (docs/kis-wire.md §11.2).
    if (atUpperLimit) return no(values, 'at-upper-limit', why ? `price ${numText(quote.price)} at the upper limit` : undefined);
    if (volumeRatioPct === null || volumeRatioPct < p.minVolumeRatioPct) {
      return no(values, 'volume-ratio-below-min', why ? `projected volume ${numText((volumeRatioPct ?? 0) / 100)}× < ${numText(p.minVolumeRatioPct / 100)}× the average` : undefined);
    }
    if (p.requireAboveMa && !(quote.price > ma)) return no(values, 'below-ma', why ? `price ${numText(quote.price)} ≤ ${p.lookbackDays}-day average ${numText(ma)}` : undefined);
    return { fire: true, rule: 'momentum-volume', values };
  },
};
