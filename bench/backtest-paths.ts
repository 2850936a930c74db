/**
 * What the intraday paths cost a `--source sim` backtest (see bench/README.md): the default synthetic
 * market (220 listings) over 2025, the default strategy, once on the daily-bar fill model and once on
 * the paths (docs/backtest.md §2). Prints both times, the path-days made and the resident memory.
 *
 *   npx tsx bench/backtest-paths.ts [symbols]
 */
import { runBacktest, syntheticMarketBars } from '../src/backtest/index.js';
import { tradingDate } from '../src/domain/index.js';
import { DEFAULT_FEE_RATES } from '../src/market/index.js';
import { loadCalendar } from '../src/runtime/index.js';
import { backtestSettings } from '../test/helpers/backtest-settings.js';

const symbols = Number(process.argv[2] ?? 220);
const calendar = loadCalendar('config/krx-calendar.json');
const from = tradingDate('20250102');
const to = tradingDate('20251230');
const mb = (): number => Math.round(process.memoryUsage().rss / 1e6);
const secs = (t0: bigint): string => (Number(process.hrtime.bigint() - t0) / 1e9).toFixed(2);

let t0 = process.hrtime.bigint();
const src = syntheticMarketBars({ seed: 7, symbols, from, to, calendar });
console.log(`${symbols} listings, ${from} … ${to}: bars in ${secs(t0)} s, rss ${mb()} MB`);
const input = { settings: await backtestSettings(), bars: src.bars, from, to, fees: DEFAULT_FEE_RATES };
t0 = process.hrtime.bigint();
const d = runBacktest(input);
console.log(`daily bars: ${secs(t0)} s, orders ${d.summary.orders}, unfilled ${d.summary.unfilled}, hash ${d.hash.slice(0, 12)}…`);
let pathDays = 0;
t0 = process.hrtime.bigint();
const p = runBacktest({ ...input, paths: (s, day) => { pathDays += 1; return src.paths(s, day); } });
console.log(`paths: ${secs(t0)} s, orders ${p.summary.orders}, unfilled ${p.summary.unfilled}, `
  + `hash ${p.hash.slice(0, 12)}…, path-days ${pathDays}, rss ${mb()} MB`);
