import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { closeInstant, syntheticMarketBars, UNIVERSE_MODES } from '../backtest/index.js';
import type { BacktestUniverse, UniverseMode, UniverseReport } from '../backtest/index.js';
import { configSchema, formatIssues, readConfigFile } from '../config/index.js';
import type { Config, LoadedConfig } from '../config/index.js';
import { AppError } from '../domain/index.js';
import type { DailyBar, RankingSnapshot, StockCode, TradingDate } from '../domain/index.js';
import { loadCalendar } from '../runtime/index.js';
import type { SimMarketSpec } from '../runtime/index.js';
import type { Store } from '../store/index.js';
import { parseBarsCsv, readCsvRecords } from './bars-csv.js';
import { DATE_HELP } from './list-options.js';

/**
 * What `kis-trader backtest` and `kis-trader sweep` share: the config layer (--config-file, grid
 * points) and the daily bars of the db, csv and sim sources (docs/backtest.md).
 */
export interface BarsIo {
  root: string;
  cwd: string;
  withReadStore<T>(fn: (store: Store) => T): T;
}

/** The source options both commands take. */
export interface SourceOptions { source: string; csv?: string; seed?: string; symbols?: string; universe?: string }

/** The period and the bar source, as `backtest` and `sweep` both take them. */
export function periodAndSourceOptions(c: Command): Command {
  return c
    .requiredOption('--from <date>', `first trading date (${DATE_HELP})`)
    .requiredOption('--to <date>', 'last trading date')
    .option('--source <source>', 'db (the trade log\'s bar cache) | csv | sim (the synthetic market)', 'db')
    .option('--csv <file>', 'with --source csv: the bars CSV of `data import` (docs/data.md)')
    .option('--seed <n>', 'with --source sim: the market\'s seed (default: sim.seed)')
    .option('--symbols <n>', 'with --source sim: how many ordinary listings; its ETFs, ETNs, preferred and SPAC come on top (default: sim.symbols)')
    .option('--universe <mode>', 'each day\'s candidates: rebuilt (rankings from bars) | snapshots (the recorded '
      + 'scans, rebuilt where none; --source db) | all (every symbol, unranked). Default: snapshots with --source db, '
      + 'rebuilt otherwise (docs/backtest.md §3)');
}

/** A mistake in the command line: printed as is, exit 2. */
export class UsageError extends Error {}

/** A command's action whose UsageError is printed, exit 2; anything else goes up to the CLI's handler. */
export function usageAction<O>(
  io: { err(s: string): void; exit(code: number): never }, run: (opts: O) => Promise<void>,
): (opts: O) => Promise<void> {
  return async (opts) => {
    try {
      await run(opts);
    } catch (e) {
      if (!(e instanceof UsageError)) throw e;
      io.err(e.message);
      io.exit(2);
    }
  };
}

type Plain = Record<string, unknown>;
const isPlain = (v: unknown): v is Plain => v !== null && typeof v === 'object' && !Array.isArray(v);
/** A layer over the config as local.json is (objects merge, anything else replaces). */
export function overlay(base: unknown, top: unknown): unknown {
  if (!isPlain(base) || !isPlain(top)) return top;
  const out: Plain = { ...base };
  for (const [k, v] of Object.entries(top)) out[k] = overlay(base[k], v);
  return out;
}

/**
 * `layer` laid over `base` and validated like any config file; `where` says where a problem's value
 * came from (the file), if it is worth saying.
 */
export function configOver(base: Config, layer: unknown, where?: string): Config {
  const merged = overlay(structuredClone(base), layer);
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) {
    const problems = formatIssues(parsed.error.issues, merged, configSchema, () => where);
    const text = `configuration rejected:\n  ${problems.join('\n  ')}`;
    throw new AppError('CONFIG_INVALID', text, { details: { problems } });
  }
  return parsed.data;
}

/** The loaded config with --config-file laid over it, validated like any config file (problems name the file). */
export function configWith(loaded: LoadedConfig, file: string | undefined): Config {
  if (file === undefined) return loaded.config;
  const read = readConfigFile(file);
  if (read.kind === 'missing') throw new UsageError(`--config-file: no such file ${file}`);
  if (read.kind === 'unreadable') throw new UsageError(`--config-file: ${read.problem}`);
  return configOver(loaded.config, read.value, `in ${file}`);
}

export function wholeOption(name: string, text: string, min: number): number {
  if (!/^\d+$/.test(text) || Number(text) < min) {
    throw new UsageError(`${name}: expected a whole number ≥ ${min}, got "${text}"`);
  }
  return Number(text);
}

function bySymbol(rows: readonly DailyBar[]): Map<StockCode, DailyBar[]> {
  const bars = new Map<StockCode, DailyBar[]>();
  for (const b of rows) {
    const list = bars.get(b.symbol) ?? [];
    list.push(b);
    bars.set(b.symbol, list);
  }
  return bars;
}

/** The `name` column of a bars CSV, for the report (data import does not keep it). */
function namesOf(text: string): Record<string, string> {
  const [head, ...rows] = readCsvRecords(text).records;
  const cols = head?.fields.map((f) => f.trim().toLowerCase()) ?? [];
  const [s, n] = [cols.indexOf('symbol'), cols.indexOf('name')];
  const names: Record<string, string> = {};
  if (s < 0 || n < 0) return names;
  for (const r of rows) {
    const name = r.fields[n]?.trim();
    if (name) names[r.fields[s]?.trim() ?? ''] = name;
  }
  return names;
}

/** The bars CSV of `kis-trader data import` (docs/data.md), read the same way. */
function csvBars(path: string): { bars: Map<StockCode, DailyBar[]>; names: Record<string, string> } {
  const text = readFileSync(path, 'utf8');
  const parsed = parseBarsCsv(text);
  if (!parsed.ok) {
    const more = parsed.total > parsed.errors.length ? `\n  … ${parsed.total - parsed.errors.length} more` : '';
    const list = `${parsed.errors.join('\n  ')}${more}`;
    throw new UsageError(`--csv ${path}: ${parsed.total} problem(s), nothing run:\n  ${list}`);
  }
  return { bars: bySymbol(parsed.bars), names: namesOf(text) };
}

/**
 * `sim`: with the sim source, its market as data (the fills follow its intraday paths, docs/backtest.md
 * §2; pathsOf makes them wherever the point runs).
 */
export type Bars = { bars: Map<StockCode, DailyBar[]>; names: Record<string, string>; sim?: SimMarketSpec };

/** The simulator's synthetic market (seed and size from sim.seed / sim.symbols unless given). */
function simBars(io: BarsIo, opts: SourceOptions, config: Config, from: TradingDate, to: TradingDate): Bars {
  const seed = opts.seed === undefined ? config.sim.seed : wholeOption('--seed', opts.seed, 0);
  const symbols = opts.symbols === undefined ? config.sim.symbols : wholeOption('--symbols', opts.symbols, 1);
  const file = resolve(io.root, config.market.calendarFile);
  const calendar = loadCalendar(file, config.market.sessions);
  const { bars, names } = syntheticMarketBars({ seed, symbols, from, to, calendar });
  const read = readConfigFile(file);
  if (read.kind !== 'ok') throw new Error(`${file}: changed while it was read`);
  return { bars, names, sim: { seed, symbols, to, calendar: read.value, sessions: config.market.sessions } };
}

export function barsFrom(io: BarsIo, opts: SourceOptions, config: Config, from: TradingDate, to: TradingDate): Bars {
  if (opts.source !== 'sim' && (opts.seed !== undefined || opts.symbols !== undefined)) {
    throw new UsageError('--seed and --symbols go with --source sim');
  }
  if (opts.source === 'sim') return simBars(io, opts, config, from, to);
  if (opts.source === 'csv') {
    if (opts.csv === undefined) throw new UsageError('--source csv needs --csv FILE');
    const path = resolve(io.cwd, opts.csv);
    if (!existsSync(path)) throw new UsageError(`--csv: no such file ${path}`);
    return csvBars(path);
  }
  if (opts.source !== 'db') throw new UsageError(`--source: expected db, csv or sim, got "${opts.source}"`);
  if (opts.csv !== undefined) throw new UsageError('--csv goes with --source csv');
  return { bars: bySymbol(io.withReadStore((store) => store.bars.allUpTo(to))), names: {} };
}

/** Both rankings are read: a sweep's point may scan other kinds than the base config. */
const KINDS = ['volume', 'fluctuation'] as const;

/**
 * The universe of `--universe` (docs/backtest.md §3): with `snapshots`, of each day of the period that
 * has recorded scans, the last of each ranking up to the close, read from the trade log without the
 * raw responses. The backtest keeps the configured kinds and checks the time again (universe.ts latestRecorded).
 */
export function universeFrom(io: BarsIo, opts: SourceOptions, from: TradingDate, to: TradingDate): BacktestUniverse {
  const mode = opts.universe ?? (opts.source === 'db' ? 'snapshots' : 'rebuilt');
  if (!(UNIVERSE_MODES as readonly string[]).includes(mode)) {
    throw new UsageError(`--universe: expected ${UNIVERSE_MODES.join(', ')}, got "${mode}"`);
  }
  if (mode !== 'snapshots') return { mode: mode as UniverseMode };
  if (opts.source !== 'db') {
    throw new UsageError('--universe snapshots goes with --source db (the trade log\'s recorded scans)');
  }
  const recorded = io.withReadStore((store) => {
    const byDate = new Map<TradingDate, RankingSnapshot[]>();
    for (const date of store.scans.datesBetween(from, to)) {
      const day = KINDS.flatMap((kind) => store.scans.latestBefore(date, kind, closeInstant(date)) ?? []);
      if (day.length > 0) byDate.set(date, day);
    }
    return byDate;
  });
  return { mode, recorded };
}

/** The universe a run used, for the title of the report (docs/backtest.md §3). */
export function universeText(u: UniverseReport): string {
  if (u.mode === 'all') return 'universe: every symbol, unranked (--universe all)';
  if (u.mode === 'rebuilt') return `universe: rankings rebuilt from bars on ${u.rebuiltDays} days (--universe rebuilt)`;
  const missing = u.candidatesWithoutBar > 0 ? `, ${u.candidatesWithoutBar} recorded candidates without a bar` : '';
  return `universe: recorded scans on ${u.snapshotDays} days, rankings rebuilt from bars on ${u.rebuiltDays} days`
    + `${missing} (--universe snapshots)`;
}
