// A module strategy: a moving-average cross, in plain JavaScript.
//
// Use it from the config (paths are relative to the installation):
//   "strategies": { "ma-cross": { "use": "module", "module": "./examples/strategies/ma-cross.js",
//                                 "params": { "fastDays": 5, "slowDays": 20 } } }
// `kis-trader config check` loads it and checks the params with the schema below.
//
// A strategy is pure: it reads the snapshot it is given (quote, completed daily bars, scan row,
// position) and returns { fire, rule, values }; no I/O, no clock. `values` are written to the
// decision log whatever the outcome. Prices are integer won; the moving averages are plain numbers.
//
// `import 'zod'` resolves because this file lives inside the installation (its node_modules). A
// module kept elsewhere exports a function instead and receives zod from kis-trader:
//   export default ({ z }) => ({ name: …, params: z.strictObject({ … }), … });

import { z } from 'zod';

/** @typedef {import('../../src/signals/strategies/types.js').Snapshot} Snapshot */
/** @typedef {import('../../src/signals/strategies/types.js').StrategySignal} StrategySignal */
/** @typedef {{ fastDays: number, slowDays: number, minGapPct: number }} Params */

const params = z.strictObject({
  /** days of the fast average */
  fastDays: z.int().min(2).max(50).default(5),
  /** days of the slow average */
  slowDays: z.int().min(3).max(99).default(20),
  /** how far the fast average must be above the slow one today, in percent of the slow one */
  minGapPct: z.number().min(0).max(10).default(0),
}).refine((p) => p.fastDays < p.slowDays, { path: ['fastDays'], error: 'must be below slowDays' });

/**
 * Mean of the last `days` values; null without that many.
 * @param {readonly number[]} values
 * @param {number} days
 */
function sma(values, days) {
  if (values.length < days) return null;
  return values.slice(-days).reduce((sum, v) => sum + v, 0) / days;
}

/**
 * The averages yesterday (completed closes) and now (today's price as the latest close).
 * @param {Snapshot} snapshot
 * @param {Params} p
 */
function averages({ bars, quote }, p) {
  const closes = bars.map((b) => b.close);
  const now = [...closes, quote.price];
  return {
    fastBefore: sma(closes, p.fastDays), slowBefore: sma(closes, p.slowDays),
    fastNow: sma(now, p.fastDays), slowNow: sma(now, p.slowDays),
  };
}

/** @type {import('../../src/signals/strategies/types.js').Strategy<Params>} */
const strategy = {
  name: 'ma-cross',
  summary: 'the fast moving average of closes crosses above the slow one; exits when it falls back below',
  params,
  // the slow average of yesterday's closes, and its value the day before
  barsNeeded: (p) => p.slowDays,
  /** @returns {StrategySignal} */
  entry(snapshot, p) {
    const a = averages(snapshot, p);
    const values = { ...a, fastDays: p.fastDays, slowDays: p.slowDays, minGapPct: p.minGapPct };
    if (a.fastBefore === null || a.slowBefore === null || a.fastNow === null || a.slowNow === null) {
      return { fire: false, rule: 'ma-cross:insufficient-history', values };
    }
    if (a.fastBefore > a.slowBefore) return { fire: false, rule: 'ma-cross:already-above', values };
    if (a.fastNow <= a.slowNow * (1 + p.minGapPct / 100)) return { fire: false, rule: 'ma-cross:no-cross', values };
    return { fire: true, rule: 'ma-cross', values };
  },
  /** @returns {StrategySignal} */
  exit(snapshot, p) {
    const a = averages(snapshot, p);
    const fire = a.fastNow !== null && a.slowNow !== null && a.fastNow < a.slowNow;
    return { fire, rule: fire ? 'ma-cross:crossed-below' : 'ma-cross:above', values: { ...a } };
  },
};

export default strategy;
