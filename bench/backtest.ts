/**
 * Backtest benchmark (see bench/README.md): 2,000 symbols × 250 seeded synthetic daily bars through
 * runBacktest with the default config's strategy (momentum-volume, its defaults), on one core.
 * Prints bar-evaluations per second (symbol-days the decision code evaluated) beside the target and
 * exits 1 on a miss.
 *
 *   npx tsx bench/backtest.ts
 */
import { DEFAULT_FEE_RATES } from '../src/market/index.js';
import { runBacktest } from '../src/backtest/index.js';
import { backtestSettings } from '../test/helpers/backtest-settings.js';
import { syntheticMarket, weekdays } from '../test/helpers/synthetic-bars.js';

const SYMBOLS = 2_000;
const DAYS = 250;
const TARGET = 1_000_000;
const ROUNDS = 2;

const settings = await backtestSettings();
const bars = syntheticMarket(SYMBOLS, DAYS, 42);
const dates = weekdays('20250102', DAYS);
const input = { settings, bars, from: dates[0]!, to: dates.at(-1)!, fees: DEFAULT_FEE_RATES };

let best = Infinity;
let result = runBacktest(input);
for (let i = 0; i < ROUNDS; i++) {
  const t0 = process.hrtime.bigint();
  result = runBacktest(input);
  best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
}
const rate = result.summary.evaluations / best;
const s = result.summary;
console.log(`${SYMBOLS} symbols × ${DAYS} daily bars, strategy ${settings.strategies.map((x) => x.use).join(', ')}`);
const n = (x: number): string => Math.round(x).toLocaleString('en-US');
console.log(`evaluations ${s.evaluations}, orders ${s.orders}, round trips ${s.trades}`);
console.log(`fill hash ${result.hash.slice(0, 16)}…`);
console.log(`best of ${ROUNDS}: ${best.toFixed(3)} s → ${n(rate)} bar-evaluations/s (target ≥ ${n(TARGET)})`);
if (rate < TARGET) {
  console.log('MISS');
  process.exit(1);
}
console.log('ok');
