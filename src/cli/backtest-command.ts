import { existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { fillModel, runBacktest } from '../backtest/index.js';
import type { BacktestSettings, BacktestSummary } from '../backtest/index.js';
import type { LoadedConfig } from '../config/index.js';
import { krw } from '../domain/index.js';
import type { EpochMs, TradingDate } from '../domain/index.js';
import { renderReport } from '../review/index.js';
import { backtestSettingsOf, feeRatesOf, pathsOf } from '../runtime/index.js';
import type { Store } from '../store/index.js';
import {
  barsFrom, configWith, periodAndSourceOptions, universeFrom, universeText, usageAction, UsageError, wholeOption,
} from './backtest-inputs.js';
import { dateRange } from './list-options.js';
import { progressBar } from './progress.js';
import type { Progress } from './progress.js';
import { table, won } from './table.js';

/**
 * `kis-trader backtest`: the daemon's decision code over daily bars (docs/backtest.md), from the
 * trade log's bar cache or a CSV file; prints the summary and the fill list's hash, and writes the
 * same HTML report as `kis-trader report`.
 */
export interface BacktestIo {
  out(s: string): void;
  err(s: string): void;
  exit(code: number): never;
  /** the effective config (config dir, mode, local.json, env) */
  load(): LoadedConfig;
  /** the installation root: module strategies and relative paths resolve against it */
  root: string;
  /** where relative --csv, --config-file and --out resolve */
  cwd: string;
  withReadStore<T>(fn: (store: Store) => T): T;
  now(): EpochMs;
  /** writes to stderr as is when it is a terminal (the progress line rewrites itself); null when it is not */
  tty: ((s: string) => void) | null;
}

interface Options {
  from?: string; to?: string; source: string; csv?: string; configFile?: string; out?: string; force?: boolean;
  json?: boolean;
  slippageTicks?: string; cash?: string; seed?: string; symbols?: string; universe?: string;
}

const pct = (x: number | null): string => (x === null ? '' : `${(x * 100).toFixed(2)} %`);
const num = (x: number | null): string => (x === null ? '' : x.toFixed(2));

/**
 * The summary as `figure, value` rows, for backtest and for walkforward's stitched curve (there
 * `open` counts the trips left open at the end of each test window, so it says so).
 */
export function summaryLines(s: BacktestSummary, openLabel = 'open at the end'): string[][] {
  return [
    ['return', pct(s.totalReturn)], ['CAGR', pct(s.cagr)],
    ['max drawdown', s.maxDrawdown === null ? '' : `${won(s.maxDrawdown)} won (${pct((s.maxDrawdownBp ?? 0) / 1e4)})`],
    ['Sharpe', num(s.sharpe)], ['Sortino', num(s.sortino)], ['trades', String(s.trades)],
    ['win rate', s.winRateBp === null ? '' : pct(s.winRateBp / 10_000)],
    ['profit factor', s.profitFactor === null ? (s.grossProfit > 0 ? '∞' : '') : s.profitFactor.toFixed(2)],
    ['net P&L', `${won(s.net)} won`], ['fees', `${won(s.fees)} won`], ['tax', `${won(s.tax)} won`],
    ['exposure', pct(s.exposure)], ['start → end equity', `${won(s.startEquity)} → ${won(s.endEquity)} won`],
    ['days', String(s.days)], ['evaluations', String(s.evaluations)],
    ['orders (unfilled)', `${s.orders} (${s.unfilled})`],
    [openLabel, String(s.open)],
  ];
}

async function run(io: BacktestIo, opts: Options): Promise<void> {
  const r = dateRange(opts, { from: null, to: null });
  if ('error' in r) throw new UsageError(r.error);
  const { from, to } = r.range;
  if (from === null || to === null) throw new UsageError('--from and --to are required');
  const outPath = opts.out === undefined ? null : resolve(io.cwd, opts.out);
  if (outPath !== null && existsSync(outPath) && !opts.force) {
    throw new UsageError(`--out: ${outPath} exists (--force replaces it)`);
  }
  const config = configWith(io.load(), opts.configFile === undefined ? undefined : resolve(io.cwd, opts.configFile));
  const settings: BacktestSettings = await backtestSettingsOf(config, io.root);
  if (opts.slippageTicks !== undefined) settings.slippageTicks = wholeOption('--slippage-ticks', opts.slippageTicks, 0);
  if (opts.cash !== undefined) settings.initialCash = krw(wholeOption('--cash', opts.cash, 1));
  const { bars, names, sim } = barsFrom(io, opts, config, from, to);
  const paths = sim && pathsOf(sim);
  if (bars.size === 0) {
    const where = opts.source === 'db' ? 'the trade log\'s cache' : `the ${opts.source} source`;
    throw new UsageError(`no daily bars up to ${to} in ${where}`);
  }
  const universe = universeFrom(io, opts, from, to);
  // A progress bar on a terminal only: piped output stays clean.
  let progress: Progress | null = null;
  const onDay = io.tty === null ? undefined : (done: number, total: number, date: TradingDate): void => {
    progress ??= progressBar(io.tty, 'backtest', total);
    progress.update(done, date);
  };
  const result = runBacktest({
    settings, bars, names, from, to, fees: feeRatesOf(config.market), universe, ...(onDay ? { onDay } : {}),
    ...(paths ? { paths } : {}),
  });
  (progress as Progress | null)?.end();
  const title = `backtest ${settings.strategies.map((s) => s.id).join(', ')} ${from} … ${to} · ${bars.size} symbols, `
    + `${universeText(result.universe)} · ${fillModel(paths !== undefined, settings.slippageTicks)}`;
  if (opts.json) {
    const { hash, summary } = result;
    io.out(JSON.stringify({ title, from, to, hash, summary, universe: result.universe }, null, 2));
  }
  else {
    io.out(title);
    io.out(table(['figure', 'value'], summaryLines(result.summary)));
    io.out(`trade list hash: ${result.hash}`);
  }
  if (outPath !== null) {
    const html = renderReport({
      title, from, to, roundTrips: result.roundTrips, daily: result.daily, guards: [], configs: [], names,
      generatedAt: io.now(),
    });
    writeFileSync(outPath, html, { mode: 0o600 });
    if (!opts.json) io.out(`report written: ${outPath} (${Math.round(html.length / 1024)} KB)`);
  }
}

export function registerBacktestCommand(program: Command, io: BacktestIo): void {
  periodAndSourceOptions(program.command('backtest')
    .description('run the daemon\'s strategies, risk guards, sizing and matching over daily bars (docs/backtest.md)'))
    .option('--config-file <file>', 'a JSON layer over the config, like local.json (strategies, risk, orders)')
    .option('--slippage-ticks <n>', 'ticks a fill at the open is moved against us (default: backtest.slippageTicks, 1)')
    .option('--cash <won>', 'starting cash (default: backtest.initialCash, 100,000,000)')
    .option('--out <file>', 'write the HTML report here')
    .option('--force', 'replace --out if it exists')
    .option('--json', 'print the summary as JSON')
    .action(usageAction(io, (opts: Options) => run(io, opts)));
}
