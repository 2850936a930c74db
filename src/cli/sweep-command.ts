import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { PointBars } from '../runtime/index.js';
import type { BacktestIo } from './backtest-command.js';
import {
  barsFrom, configWith, periodAndSourceOptions, universeFrom, universeText, usageAction, UsageError, wholeOption,
} from './backtest-inputs.js';
import type { Bars } from './backtest-inputs.js';
import { dateRange } from './list-options.js';
import { progressBar } from './progress.js';
import {
  gridSize, indexOf, OBJECTIVES, pointsOf, rank, samplePoints, tooBig,
} from './sweep-grid.js';
import type { Grid, Objective, Point, Ranked } from './sweep-grid.js';
import { pointRunner, runnerOptions, workersOf } from './sweep-pool.js';
import type { RunnerIo } from './sweep-pool.js';
import { objectiveOption, objectiveText, pointConfigs, readGrid } from './sweep-points.js';
import { table, won } from './table.js';

/**
 * `kis-trader sweep`: the backtest of every point of a parameter grid, on worker threads, ranked by
 * an objective with each point's stability (docs/backtest.md).
 */
export type SweepIo = Omit<BacktestIo, 'now'> & RunnerIo;

interface Options {
  grid: string; from?: string; to?: string; source: string; csv?: string; seed?: string; symbols?: string;
  configFile?: string; objective: string; workers?: string; top: string; json?: boolean; redis?: string;
  random?: string; randomSeed?: string; universe?: string;
}

function rows(grid: Grid, ranked: readonly Ranked[], objective: Objective): string[][] {
  return ranked.map((r) => [
    String(r.rank), grid.keys.map((k) => `${k.split('.').at(-1)}=${JSON.stringify(r.params[k])}`).join(' '),
    objectiveText(objective, r.objective), objectiveText(objective, r.stability), String(r.summary.trades),
    r.summary.winRateBp === null ? '' : `${(r.summary.winRateBp / 100).toFixed(1)} %`, won(r.summary.net),
    r.summary.maxDrawdown === null ? '' : won(r.summary.maxDrawdown), r.hash.slice(0, 12),
  ]);
}

/** The whole grid, or with --random N a seeded sample of it (a random search). */
function choosePoints(grid: Grid, opts: Options): Point[] {
  if (opts.random !== undefined) {
    const seed = opts.randomSeed === undefined ? 1 : wholeOption('--random-seed', opts.randomSeed, 0);
    return samplePoints(grid, wholeOption('--random', opts.random, 1), seed);
  }
  if (opts.randomSeed !== undefined) throw new UsageError('--random-seed goes with --random');
  const big = tooBig(grid);
  if (big !== null) throw new UsageError(`--grid: ${big}`);
  return pointsOf(grid);
}

async function run(io: SweepIo, opts: Options): Promise<void> {
  const r = dateRange(opts, { from: null, to: null });
  if ('error' in r) throw new UsageError(r.error);
  const { from, to } = r.range;
  if (from === null || to === null) throw new UsageError('--from and --to are required');
  const objective = objectiveOption(opts.objective);
  const workers = workersOf(opts);
  const top = wholeOption('--top', opts.top, 1);
  const grid = readGrid(resolve(io.cwd, opts.grid));
  const points = choosePoints(grid, opts);
  const base = configWith(io.load(), opts.configFile === undefined ? undefined : resolve(io.cwd, opts.configFile));
  const configs = await pointConfigs(base, grid, points, io.root);
  const { bars, names, sim }: Bars = barsFrom(io, opts, base, from, to);
  if (bars.size === 0) {
    const where = opts.source === 'db' ? 'the trade log\'s cache' : `the ${opts.source} source`;
    throw new UsageError(`no daily bars up to ${to} in ${where}`);
  }
  const universe = universeFrom(io, opts, from, to);
  const data: PointBars = { bars, names, universe, ...(sim ? { sim } : {}) };
  const runner = await pointRunner(io, { ...opts, workers, prefix: base.redis.prefix, command: 'sweep' }, data);
  const jobs = points.map((point, i) => ({ index: indexOf(grid, point), config: configs[i]!, from, to }));
  const progress = progressBar(io.tty, 'sweep', jobs.length);
  progress.update(0, workers === null ? 'on sweep-workers' : `${Math.min(workers, jobs.length)} threads`);
  const results = await runner.run(jobs, (done) => progress.update(done)).finally(() => runner.close());
  progress.end();
  const ranked = rank(grid, points, results, objective);
  const of = points.length < gridSize(grid) ? `${points.length} random points of ${gridSize(grid)}` : `${points.length} points`;
  // Every point runs over the same days and recorded scans: the first one's universe is every one's
  // (unless the grid varies scan.rankings, the kinds a day's recorded scans are kept of).
  const title = `sweep ${from} … ${to} · ${bars.size} symbols · ${of} · by ${objective} · `
    + universeText(results[0]!.universe);
  if (opts.json) {
    io.out(JSON.stringify({ title, from, to, objective, keys: grid.keys, points: ranked }, null, 2));
    return;
  }
  io.out(title);
  io.out(table(
    ['rank', 'params', `by ${objective}`, 'stability', 'trades', 'win rate', 'net', 'max drawdown', 'hash'],
    rows(grid, ranked.slice(0, top), objective),
  ));
  if (ranked.length > top) io.out(`… ${ranked.length - top} more (--top, or --json for all)`);
}

export function registerSweepCommand(program: Command, io: SweepIo): void {
  runnerOptions(periodAndSourceOptions(program.command('sweep')
    .description('backtest every point of a parameter grid on worker threads, ranked by an objective (docs/backtest.md)')
    .requiredOption('--grid <file>', 'JSON: config paths to arrays of values, e.g. {"strategies.momentum-volume.exits.stopLossPct": [2, 3]}')))
    .option('--config-file <file>', 'a JSON layer over the config, under every point')
    .option('--objective <name>', `what ranks the points: ${OBJECTIVES.join(' | ')}`, 'net')
    .option('--random <n>', 'a random search: n points drawn from the grid instead of all of them')
    .option('--random-seed <n>', 'the draw of --random: the same seed draws the same points (default 1)')
    .option('--top <k>', 'rows of the table', '10')
    .option('--json', 'print every point as JSON')
    .action(usageAction(io, (opts: Options) => run(io, opts)));
}
