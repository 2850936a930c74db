import { z } from 'zod';
import { percent, stockCodeField } from './fields.js';

/**
 * The `strategies` section: named strategies side by side, each with its universe, budget and
 * exits. The params are checked by the strategy's own schema when the strategies are resolved
 * (runtime/strategies.ts), which reports them under `strategies.<id>.params`.
 */

const exitsSchema = z.strictObject({
  /** the hard stop: sell at this loss vs the average price; cannot be turned off */
  stopLossPct: percent(3, 0.1, 30),
  /** sell at this gain; null: no profit target */
  takeProfitPct: percent(5, 0.1, 100).nullable(),
  /** once the peak since entry is this far up, sell if the price falls back to the average price; null: off */
  breakEvenAfterPct: percent(0, 0.1, 100).nullable().default(null),
  /** sell when the price falls this many ATRs below the peak since entry; null: off */
  trailAtrMultiple: z.number().min(0.5).max(10).nullable().default(null),
  /** the ATR period of the trailing stop, in completed days */
  atrPeriod: z.int().min(2).max(60).default(14),
  /** sell after this many trading days held; null: no time stop */
  maxHoldDays: z.int().min(1).max(250).nullable().default(5),
});

const universeSchema = z.strictObject({
  minPrice: z.int().min(0).nullable().default(null),
  maxPrice: z.int().min(0).nullable().default(null),
  /** today's traded value so far, in won */
  minTradedValue: z.int().min(0).nullable().default(null),
  /** only candidates ranked this high or better in some ranking (1 = top); watch-list candidates have no rank */
  maxRank: z.int().min(1).max(30).nullable().default(null),
  /** only these codes, each evaluated every scan whether ranked or not (jobs/scan.ts); empty: every candidate of the scan */
  symbols: z.array(stockCodeField).default([]),
  exclude: z.array(stockCodeField).default([]),
});

export const strategyEntrySchema = z.strictObject({
  /**
   * a built-in strategy's name, "rules" (params hold the rules) or "module" (see `module`); null:
   * the built-in the id names, so `strategies: { "gap-and-go": {} }` runs gap-and-go
   */
  use: z.string().min(1).nullable().default(null),
  /** the JavaScript file a "module" strategy is loaded from, relative to the installation */
  module: z.string().min(1).nullable().default(null),
  enabled: z.boolean().default(true),
  params: z.record(z.string(), z.unknown()).default({}),
  universe: universeSchema.prefault({}),
  /** share of account value this strategy's positions and working buys may take */
  budgetPct: percent(100, 1, 100),
  /** positions this strategy may hold at once (risk.maxPositions still caps them all) */
  maxPositions: z.int().min(1).max(20).default(5),
  exits: exitsSchema.prefault({}),
}).superRefine((s, ctx) => {
  if (s.use === 'module' && s.module === null) ctx.addIssue({ code: 'custom', path: ['module'], message: 'is required when use is "module"' });
  if (s.use !== 'module' && s.module !== null) ctx.addIssue({ code: 'custom', path: ['module'], message: 'is only read when use is "module"' });
  const { minPrice, maxPrice } = s.universe;
  if (minPrice !== null && maxPrice !== null && minPrice > maxPrice) {
    ctx.addIssue({ code: 'custom', path: ['universe', 'minPrice'], message: `must not exceed universe.maxPrice (${maxPrice})` });
  }
});

/** Ids go into intent keys, job ids and the trade log: lower-case letters, digits and dashes. */
const strategyId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/, {
  error: 'a strategy id is 1–32 lower-case letters, digits and dashes, starting with a letter or digit',
});

export const strategiesSchema = z.record(strategyId, strategyEntrySchema)
  .default({ 'momentum-volume': strategyEntrySchema.parse({ use: 'momentum-volume' }) })
  .superRefine((all, ctx) => {
    if (!Object.values(all).some((s) => s.enabled)) ctx.addIssue({ code: 'custom', message: 'at least one strategy must be enabled' });
  });

