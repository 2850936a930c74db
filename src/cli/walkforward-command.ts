import { existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { fillModel } from '../backtest/index.js';
import type { BacktestResult, UniverseReport } from '../backtest/index.js';
import type { Config } from '../config/index.js';
import { renderReport } from '../review/index.js';
import { backtestPoint } from '../runtime/index.js';
import type { PointBars, PointRunner } from '../runtime/index.js';
import { summaryLines } from './backtest-command.js';
import type { BacktestIo } from './backtest-command.js';
import {
  barsFrom, configOver, configWith, periodAndSourceOptions, universeFrom, universeText, usageAction, UsageError, wholeOption,
} from './backtest-inputs.js';
import { progressBar } from './progress.js';
import { dateRange } from './list-options.js';
import { OBJECTIVES, pointsOf, rank } from './sweep-grid.js';
import type { Grid, Objective, Point, Ranked } from './sweep-grid.js';
import { pointRunner, runnerOptions, workersOf } from './sweep-pool.js';
import type { RunnerIo } from './sweep-pool.js';
import { objectiveOption, objectiveText, pointConfigs, readGrid } from './sweep-points.js';
import { stitch, tradingDaysIn, walkWindows } from './walkforward-plan.js';
import type { WalkWindow } from './walkforward-plan.js';
import { table, won } from './table.js';

/**
 * `kis-trader walkforward`: the grid ranked over each train window, its best point run alone over
 * the test window that follows, and only those out-of-sample runs stitched into one equity curve
 * (docs/backtest.md §8).
 */
interface Options {
  grid: string; from?: string; to?: string; source: string; csv?: string; seed?: string; symbols?: string;
  configFile?: string; objective: string; train: string; test: string; workers?: string; out?: string;
  force?: boolean; json?: boolean; redis?: string; universe?: string;
}

/** One window's outcome: the point chosen in sample and its out-of-sample run. */
interface WindowRun {
  window: WalkWindow;
  best: Ranked;
  test: BacktestResult;
}

interface Plan {
  grid: Grid; points: Point[]; configs: Config[]; windows: WalkWindow[]; objective: Objective;
  data: PointBars; startCash: number;
}

/**
 * Each window: the grid over its train days on the runner, rank 1 by the objective, then that
 * config alone over the test days in this thread, its cash the previous test's end equity.
 */
async function runWindows(io: WalkforwardIo, plan: Plan, runner: PointRunner): Promise<WindowRun[]> {
  const runs: WindowRun[] = [];
  let cash = plan.startCash;
  const progress = progressBar(io.tty, 'walkforward', plan.windows.length * plan.configs.length);
  for (const [w, window] of plan.windows.entries()) {
    const jobs = plan.configs.map((config, index) => ({ index, config, from: window.train.from, to: window.train.to }));
    const before = w * jobs.length;
    progress.update(before, `window ${w + 1} of ${plan.windows.length}`);
    const results = await runner.run(jobs, (done) => progress.update(before + done, `window ${w + 1} of ${plan.windows.length}`));
    const best = rank(plan.grid, plan.points, results, plan.objective)[0]!;
    // A config layer like any other, so the chained cash is validated as backtest.initialCash is.
    const config = configOver(plan.configs[best.index]!, { backtest: { initialCash: cash } });
    const job = { index: best.index, config, from: window.test.from, to: window.test.to };
    const test = await backtestPoint(plan.data, job, io.root);
    runs.push({ window, best, test });
    cash = test.summary.endEquity;
  }
  progress.end();
  return runs;
}

/** The universe of the stitched run: the test windows' days, summed. */
function outOfSampleUniverse(runs: readonly WindowRun[]): UniverseReport {
  const sum = (k: 'snapshotDays' | 'rebuiltDays' | 'candidatesWithoutBar'): number =>
    runs.reduce((n, r) => n + r.test.universe[k], 0);
  return {
    mode: runs[0]!.test.universe.mode, snapshotDays: sum('snapshotDays'), rebuiltDays: sum('rebuiltDays'),
    candidatesWithoutBar: sum('candidatesWithoutBar'),
  };
}

const pct = (x: number): string => `${(x * 100).toFixed(2)} %`;
const shortParams = (params: Record<string, unknown>): string => Object.entries(params)
  .map(([k, v]) => `${k.split('.').at(-1)}=${JSON.stringify(v)}`).join(' ');

function windowRows(runs: readonly WindowRun[], objective: Objective): string[][] {
  return runs.map((r, i) => [
    String(i + 1), `${r.window.train.from} … ${r.window.train.to}`, `${r.window.test.from} … ${r.window.test.to}`,
    shortParams(r.best.params), objectiveText(objective, r.best.objective), won(r.test.summary.net),
    pct(r.test.summary.totalReturn), r.test.hash.slice(0, 12),
  ]);
}

function windowJson(r: WindowRun, i: number): unknown {
  return {
    window: i + 1, train: r.window.train, test: r.window.test, index: r.best.index, params: r.best.params,
    inSample: { objective: r.best.objective, hash: r.best.hash },
    outOfSample: { hash: r.test.hash, summary: r.test.summary },
  };
}

async function run(io: WalkforwardIo, opts: Options): Promise<void> {
  const r = dateRange(opts, { from: null, to: null });
  if ('error' in r) throw new UsageError(r.error);
  const { from, to } = r.range;
  if (from === null || to === null) throw new UsageError('--from and --to are required');
  const objective = objectiveOption(opts.objective);
  const train = wholeOption('--train', opts.train, 1);
  const test = wholeOption('--test', opts.test, 1);
  const workers = workersOf(opts);
  const outPath = opts.out === undefined ? null : resolve(io.cwd, opts.out);
  if (outPath !== null && existsSync(outPath) && !opts.force) {
    throw new UsageError(`--out: ${outPath} exists (--force replaces it)`);
  }
  const grid = readGrid(resolve(io.cwd, opts.grid));
  const points = pointsOf(grid);
  const base = configWith(io.load(), opts.configFile === undefined ? undefined : resolve(io.cwd, opts.configFile));
  const configs = await pointConfigs(base, grid, points, io.root);
  const { bars, names, sim } = barsFrom(io, opts, base, from, to);
  if (bars.size === 0) {
    const where = opts.source === 'db' ? 'the trade log\'s cache' : `the ${opts.source} source`;
    throw new UsageError(`no daily bars up to ${to} in ${where}`);
  }
  const windows = walkWindows(tradingDaysIn(bars, from, to), train, test);
  if (typeof windows === 'string') throw new UsageError(`${from} … ${to}: ${windows}`);
  const data: PointBars = { bars, names, universe: universeFrom(io, opts, from, to), ...(sim ? { sim } : {}) };
  const runner = await pointRunner(io, { ...opts, workers, prefix: base.redis.prefix, command: 'walkforward' }, data);
  const plan: Plan = { grid, points, configs, windows, objective, data, startCash: base.backtest.initialCash };
  const runs = await runWindows(io, plan, runner).finally(() => runner.close());
  const stitched = stitch(runs.map((w) => w.test), plan.startCash);
  const [first, last] = [windows[0]!.test.from, windows.at(-1)!.test.to];
  const title = `walkforward ${from} … ${to} · ${bars.size} symbols · ${points.length} points · `
    + `${windows.length} windows of train ${train} / test ${test} days · by ${objective} · `
    + `${universeText(outOfSampleUniverse(runs))} · ${fillModel(sim !== undefined, base.backtest.slippageTicks)}`;
  if (opts.json) {
    io.out(JSON.stringify({
      title, from, to, train, test, objective, keys: grid.keys, windows: runs.map(windowJson),
      outOfSample: { from: first, to: last }, summary: stitched.summary, hash: stitched.hash, daily: stitched.daily,
    }, null, 2));
  } else {
    io.out(title);
    io.out(table(
      ['#', 'train', 'test', 'params', `in-sample ${objective}`, 'test net', 'test return', 'test hash'],
      windowRows(runs, objective),
    ));
    io.out(`out of sample, stitched: ${first} … ${last}`);
    io.out(table(['figure', 'value'], summaryLines(stitched.summary, 'open at window ends')));
    io.out(`stitched hash: ${stitched.hash} (sha256 of the windows' test hashes, in order)`);
  }
  if (outPath !== null) {
    const html = renderReport({
      title, from: first, to: last, roundTrips: stitched.roundTrips, daily: stitched.daily, guards: [], configs: [],
      names, generatedAt: io.now(),
    });
    writeFileSync(outPath, html, { mode: 0o600 });
    if (!opts.json) io.out(`report written: ${outPath} (${Math.round(html.length / 1024)} KB)`);
  }
}

export type WalkforwardIo = BacktestIo & RunnerIo;

export function registerWalkforwardCommand(program: Command, io: WalkforwardIo): void {
  runnerOptions(periodAndSourceOptions(program.command('walkforward')
    .description('rank a grid over rolling train windows, run each best point on the next test window, '
      + 'and stitch the out-of-sample runs into one equity curve (docs/backtest.md)')
    .requiredOption('--grid <file>', 'JSON: config paths to arrays of values, as for sweep')))
    .option('--train <days>', 'trading days each window ranks the grid over', '120')
    .option('--test <days>', 'trading days each window\'s best point then runs over (and the step)', '20')
    .option('--config-file <file>', 'a JSON layer over the config, under every point')
    .option('--objective <name>', `what ranks the points: ${OBJECTIVES.join(' | ')}`, 'net')
    .option('--out <file>', 'write the HTML report of the stitched out-of-sample run here')
    .option('--force', 'replace --out if it exists')
    .option('--json', 'print the windows, the stitched summary and its daily rows as JSON')
    .action(usageAction(io, (opts: Options) => run(io, opts)));
}
