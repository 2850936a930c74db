import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { BacktestIo } from './backtest-command.js';
import { barsFrom, configWith, periodAndSourceOptions, UsageError, wholeOption } from './backtest-inputs.js';
import type { Bars } from './backtest-inputs.js';
import { dateRange } from './list-options.js';
import { OBJECTIVES, pointsOf, rank } from './sweep-grid.js';
import type { Grid, Objective, Ranked } from './sweep-grid.js';
import { threadPool } from './sweep-pool.js';
import { objectiveOption, objectiveText, pointConfigs, readGrid } from './sweep-points.js';
import { table, won } from './table.js';

/**
 * `kis-trader sweep`: the backtest of every point of a parameter grid, on worker threads, ranked by
 * an objective with each point's stability (docs/backtest.md).
 */
export type SweepIo = Omit<BacktestIo, 'now'>;

interface Options {
  grid: string; from?: string; to?: string; source: string; csv?: string; seed?: string; symbols?: string;
  configFile?: string; objective: string; workers?: string; top: string; json?: boolean;
}

function rows(grid: Grid, ranked: readonly Ranked[], objective: Objective): string[][] {
  return ranked.map((r) => [
    String(r.rank), grid.keys.map((k) => `${k.split('.').at(-1)}=${JSON.stringify(r.params[k])}`).join(' '),
    objectiveText(objective, r.objective), objectiveText(objective, r.stability), String(r.summary.trades),
    r.summary.winRateBp === null ? '' : `${(r.summary.winRateBp / 100).toFixed(1)} %`, won(r.summary.net),
    r.summary.maxDrawdown === null ? '' : won(r.summary.maxDrawdown), r.hash.slice(0, 12),
  ]);
}

async function run(io: SweepIo, opts: Options): Promise<void> {
  const r = dateRange(opts, { from: null, to: null });
  if ('error' in r) throw new UsageError(r.error);
  const { from, to } = r.range;
  if (from === null || to === null) throw new UsageError('--from and --to are required');
  const objective = objectiveOption(opts.objective);
  const workers = opts.workers === undefined ? availableParallelism() : wholeOption('--workers', opts.workers, 1);
  const top = wholeOption('--top', opts.top, 1);
  const grid = readGrid(resolve(io.cwd, opts.grid));
  const points = pointsOf(grid);
  const base = configWith(io.load(), opts.configFile === undefined ? undefined : resolve(io.cwd, opts.configFile));
  const configs = await pointConfigs(base, grid, points, io.root);
  const { bars, names }: Bars = barsFrom(io, opts, base, from, to);
  if (bars.size === 0) {
    const where = opts.source === 'db' ? 'the trade log\'s cache' : `the ${opts.source} source`;
    throw new UsageError(`no daily bars up to ${to} in ${where}`);
  }
  const tty = io.tty;
  const pool = threadPool({ bars, names, root: io.root }, workers);
  const jobs = configs.map((config, index) => ({ index, config, from, to }));
  const results = await pool.run(jobs, (done) => {
    tty?.(`\r\x1b[2K sweep: point ${done} of ${points.length}`);
  }).finally(() => pool.close());
  tty?.('\r\x1b[2K');
  const ranked = rank(grid, points, results, objective);
  const title = `sweep ${from} … ${to} · ${bars.size} symbols · ${points.length} points · by ${objective}`;
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
  periodAndSourceOptions(program.command('sweep')
    .description('backtest every point of a parameter grid on worker threads, ranked by an objective (docs/backtest.md)')
    .requiredOption('--grid <file>', 'JSON: config paths to arrays of values, e.g. {"strategies.momentum-volume.exits.stopLossPct": [2, 3]}'))
    .option('--config-file <file>', 'a JSON layer over the config, under every point')
    .option('--objective <name>', `what ranks the points: ${OBJECTIVES.join(' | ')}`, 'net')
    .option('--workers <n>', 'worker threads (default: the available parallelism)')
    .option('--top <k>', 'rows of the table', '10')
    .option('--json', 'print every point as JSON')
    .action(async (opts: Options) => {
      try {
        await run(io, opts);
      } catch (e) {
        if (!(e instanceof UsageError)) throw e;
        io.err(e.message);
        io.exit(2);
      }
    });
}
