import { readFileSync, existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { jobSettings } from '../config/index.js';
import type { Config } from '../config/index.js';
import { isAppError } from '../domain/index.js';
import { connectRedis, queuePointRunner, resolveStrategies, shownRedisUrl } from '../runtime/index.js';
import type { PointBars, PointRunner } from '../runtime/index.js';
import type { BacktestIo } from './backtest-command.js';
import {
  barsFrom, configOver, configWith, periodAndSourceOptions, universeFrom, universeText, UsageError, wholeOption,
} from './backtest-inputs.js';
import type { Bars } from './backtest-inputs.js';
import { dateRange } from './list-options.js';
import { progressBar } from './progress.js';
import {
  gridSize, indexOf, layerOf, OBJECTIVES, paramsText, parseGrid, pointsOf, rank, samplePoints, tooBig,
} from './sweep-grid.js';
import type { Grid, Objective, Point, Ranked } from './sweep-grid.js';
import { threadPool } from './sweep-pool.js';
import { table, won } from './table.js';

/**
 * `kis-trader sweep`: the backtest of every point of a parameter grid, on worker threads, ranked by
 * an objective with each point's stability (docs/backtest.md).
 */
export type SweepIo = Omit<BacktestIo, 'now'> & {
  /** resolves on SIGINT or SIGTERM; asked for only by a sweep over Redis, which must take its points back */
  interrupted(): Promise<string>;
};

interface Options {
  grid: string; from?: string; to?: string; source: string; csv?: string; seed?: string; symbols?: string;
  configFile?: string; objective: string; workers?: string; top: string; json?: boolean; redis?: string;
  random?: string; randomSeed?: string; universe?: string;
}

function readGrid(path: string): Grid {
  if (!existsSync(path)) throw new UsageError(`--grid: no such file ${path}`);
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new UsageError(`--grid ${path}: not JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  const grid = parseGrid(value);
  if (typeof grid === 'string') throw new UsageError(`--grid ${path}: ${grid}`);
  return grid;
}

/**
 * Every point's config, checked before anything runs: the config schema (an unknown key, a refused
 * value) and the strategies' own params schemas, as the daemon checks them.
 */
async function pointConfigs(base: Config, grid: Grid, points: readonly Point[], root: string): Promise<Config[]> {
  const out: Config[] = [];
  for (const [i, point] of points.entries()) {
    const where = `grid point ${i + 1} of ${points.length} (${paramsText(grid, point)})`;
    try {
      const config = configOver(base, layerOf(grid, point));
      await resolveStrategies(jobSettings(config).strategies, root);
      out.push(config);
    } catch (e) {
      if (!isAppError(e)) throw e;
      throw new UsageError(`--grid: ${where} rejected:\n${e.message.split('\n').slice(1).join('\n') || e.message}`);
    }
  }
  return out;
}

function objectiveText(objective: Objective, v: number | null): string {
  if (v === null) return '';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '-∞';
  if (objective === 'net') return won(Math.round(v));
  if (objective === 'return') return `${(v * 100).toFixed(2)} %`;
  return v.toFixed(2);
}

function rows(grid: Grid, ranked: readonly Ranked[], objective: Objective): string[][] {
  return ranked.map((r) => [
    String(r.rank), grid.keys.map((k) => `${k.split('.').at(-1)}=${JSON.stringify(r.params[k])}`).join(' '),
    objectiveText(objective, r.objective), objectiveText(objective, r.stability), String(r.summary.trades),
    r.summary.winRateBp === null ? '' : `${(r.summary.winRateBp / 100).toFixed(1)} %`, won(r.summary.net),
    r.summary.maxDrawdown === null ? '' : won(r.summary.maxDrawdown), r.hash.slice(0, 12),
  ]);
}

/**
 * The points as BullMQ jobs for `sweep-worker` processes (docs/backtest.md, distributed sweep). The
 * Redis connection is closed with the runner.
 */
async function queueRunner(io: SweepIo, url: string, prefix: string, data: PointBars): Promise<PointRunner> {
  const connection = await connectRedis(url, 'check --redis, and that the sweep-workers use the same URL');
  const runner = queuePointRunner({
    connection, prefix, data,
    onIdle: (ms) => io.err(`sweep: no sweep-worker has taken a point in ${Math.round(ms / 1000)} s; start one with `
      + `\`kis-trader sweep-worker --redis ${shownRedisUrl(url)}\` (same redis.prefix "${prefix}")`),
  });
  return {
    run: (jobs, onDone) => runner.run(jobs, onDone),
    close: async () => {
      try { await runner.close(); } finally { connection.disconnect(); }
    },
  };
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
  if (!(OBJECTIVES as readonly string[]).includes(opts.objective)) {
    throw new UsageError(`--objective: expected one of ${OBJECTIVES.join(', ')}, got "${opts.objective}"`);
  }
  const objective = opts.objective as Objective;
  if (opts.redis !== undefined && opts.workers !== undefined) {
    throw new UsageError('--workers goes without --redis (each sweep-worker sets its own --threads)');
  }
  const workers = opts.workers === undefined ? availableParallelism() : wholeOption('--workers', opts.workers, 1);
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
  const runner = opts.redis === undefined
    ? threadPool({ ...data, root: io.root }, workers)
    : await queueRunner(io, opts.redis, base.redis.prefix, data);
  if (opts.redis !== undefined) {
    void io.interrupted().then(async (signal) => {
      io.err(`sweep: ${signal}: taking this sweep's points and bars out of Redis`);
      await runner.close().catch(() => undefined);
      io.exit(130);
    });
  }
  const jobs = points.map((point, i) => ({ index: indexOf(grid, point), config: configs[i]!, from, to }));
  const progress = progressBar(io.tty, 'sweep', jobs.length);
  progress.update(0, opts.redis === undefined ? `${Math.min(workers, jobs.length)} threads` : 'on sweep-workers');
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
  periodAndSourceOptions(program.command('sweep')
    .description('backtest every point of a parameter grid on worker threads, ranked by an objective (docs/backtest.md)')
    .requiredOption('--grid <file>', 'JSON: config paths to arrays of values, e.g. {"strategies.momentum-volume.exits.stopLossPct": [2, 3]}'))
    .option('--config-file <file>', 'a JSON layer over the config, under every point')
    .option('--objective <name>', `what ranks the points: ${OBJECTIVES.join(' | ')}`, 'net')
    .option('--workers <n>', 'worker threads (default: the available parallelism)')
    .option('--random <n>', 'a random search: n points drawn from the grid instead of all of them')
    .option('--random-seed <n>', 'the draw of --random: the same seed draws the same points (default 1)')
    .option('--redis <url>', 'run the points on `kis-trader sweep-worker --redis URL` processes over BullMQ instead')
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
