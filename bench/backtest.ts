/**
 * Backtest benchmark (see bench/README.md): 2,000 symbols × 250 seeded synthetic daily bars through
 * runBacktest with the default config's strategy (momentum-volume, its defaults), on one core.
 * Prints bar-evaluations per second (symbol-days the decision code evaluated) beside the target and
 * exits 1 on a miss. The figure is the median of ROUNDS timed runs after one warm-up run: the JIT
 * needs two or three runs to settle (the first rounds are ~10 % slower), and a median, unlike a
 * best, is not one lucky round; every round is printed.
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
const ROUNDS = 8;

const settings = await backtestSettings();
const bars = syntheticMarket(SYMBOLS, DAYS, 42);
const dates = weekdays('20250102', DAYS);
const input = { settings, bars, from: dates[0]!, to: dates.at(-1)!, fees: DEFAULT_FEE_RATES };

let result = runBacktest(input);
const times: number[] = [];
for (let i = 0; i < ROUNDS; i++) {
  const t0 = process.hrtime.bigint();
  result = runBacktest(input);
  times.push(Number(process.hrtime.bigint() - t0) / 1e9);
}
const sorted = [...times].sort((a, b) => a - b);
const median = (sorted[(ROUNDS - 1) >> 1]! + sorted[ROUNDS >> 1]!) / 2;
const rate = result.summary.evaluations / median;
const s = result.summary;
console.log(`${SYMBOLS} symbols × ${DAYS} daily bars, strategy ${settings.strategies.map((x) => x.use).join(', ')}`);
const n = (x: number): string => Math.round(x).toLocaleString('en-US');
console.log(`evaluations ${s.evaluations}, orders ${s.orders}, round trips ${s.trades}`);
console.log(`fill hash ${result.hash.slice(0, 16)}…`);
console.log(`rounds: ${times.map((t) => t.toFixed(3)).join(' ')} s`);
console.log(`median of ${ROUNDS}: ${median.toFixed(3)} s → ${n(rate)} bar-evaluations/s (target ≥ ${n(TARGET)})`);
if (rate < TARGET) {
  console.log('MISS');
  process.exit(1);
}
console.log('ok');
