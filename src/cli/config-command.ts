import { isAbsolute, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { canonicalJson, defaultConfig, loadConfig, redactConfig, strategySlices, type LoadedConfig } from '../config/index.js';
import { AppError, isAppError } from '../domain/index.js';
import { resolveStrategies } from '../runtime/index.js';

export interface ConfigCommandIo {
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** the config directory when --dir is not given; default <cwd>/config */
  configDir?: string;
  out: (s: string) => void;
  err: (s: string) => void;
  exit: (code: number) => never;
  /** checks of the files the config names (the calendar), beyond the schema; problems as lines */
  checkFiles?: (loaded: LoadedConfig) => string[];
}

/** EX_CONFIG from sysexits.h; pm2 `stop_exit_codes: [78]` keeps a bad config from crash-looping (docs/stack.md §8). */
export const EXIT_CONFIG = 78;

const CONFIG_CODES = new Set(['CONFIG_INVALID', 'CONFIG_UNREADABLE', 'CONFIG_SECRET_MISSING', 'CONFIG_LIVE_NOT_CONFIRMED']);

interface CommonOptions {
  dir?: string;
  mode?: string;
}

function load(io: ConfigCommandIo, options: CommonOptions): LoadedConfig {
  const dir = options.dir === undefined
    ? (io.configDir ?? join(io.cwd, 'config'))
    : isAbsolute(options.dir) ? options.dir : resolve(io.cwd, options.dir);
  try {
    return loadConfig({ dir, env: io.env, argvMode: options.mode });
  } catch (err) {
    if (err instanceof AppError && CONFIG_CODES.has(err.code)) {
      const problems = Array.isArray(err.details['problems']) ? (err.details['problems'] as string[]) : [err.message];
      io.err(`config rejected (${err.code}), ${problems.length} problem${problems.length === 1 ? '' : 's'}:`);
      for (const problem of problems) io.err(problem);
      return io.exit(EXIT_CONFIG);
    }
    throw err;
  }
}

/**
 * The strategies as the daemon would resolve them (built-in or module, params through their own
 * schema), against the installation `cwd` names; module paths are relative to it, as at start.
 */
async function checkStrategies(loaded: LoadedConfig, root: string): Promise<Awaited<ReturnType<typeof resolveStrategies>> | string[]> {
  try {
    return await resolveStrategies(strategySlices(loaded.config), root);
  } catch (err) {
    if (isAppError(err, 'CONFIG_INVALID') && Array.isArray(err.details['problems'])) return err.details['problems'] as string[];
    throw err;
  }
}

function flatten(value: unknown, prefix: string, out: Map<string, unknown>): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, child] of Object.entries(value)) flatten(child, prefix === '' ? key : `${prefix}.${key}`, out);
  } else {
    out.set(prefix, value);
  }
}

function printSources(io: ConfigCommandIo, loaded: LoadedConfig): void {
  io.out('sources:');
  for (const source of loaded.sources) io.out(`  ${source}`);
}

function show(io: ConfigCommandIo, loaded: LoadedConfig, json: boolean): void {
  const redacted = redactConfig(loaded.config, io.env);
  if (json) {
    const view = { mode: loaded.config.mode, hash: loaded.hash, sources: loaded.sources, ...redacted };
    io.out(JSON.stringify(view, null, 2));
    return;
  }
  io.out(`mode ${loaded.config.mode}, hash ${loaded.hash}`);
  printSources(io, loaded);
  const current = new Map<string, unknown>();
  const defaults = new Map<string, unknown>();
  flatten(redacted.config, '', current);
  flatten(defaultConfig(), '', defaults);
  io.out('config (* = differs from the default):');
  for (const [key, value] of current) {
    const changed = canonicalJson(value) !== canonicalJson(defaults.get(key));
    io.out(`${changed ? '*' : ' '} ${key} = ${JSON.stringify(value)}`);
  }
  io.out('secrets (from the environment or .env):');
  for (const [name, status] of Object.entries(redacted.secrets)) io.out(`  ${name} = ${status}`);
}

/** `kis-trader config check|show`: validate the layered config, or print it without secrets. */
export function registerConfigCommands(program: Command, io: ConfigCommandIo): void {
  const config = program.command('config').description('validate or print the effective configuration');

  config
    .command('check')
    .description(`validate config/*.json, the environment and the strategies; exit ${EXIT_CONFIG} listing every problem`)
    .option('--dir <dir>', 'config directory')
    .option('--mode <mode>', 'sim | paper | live (default: KIS_TRADER_MODE, then the mode key)')
    .action(async (options: CommonOptions) => {
      const loaded = load(io, options);
      const strategies = await checkStrategies(loaded, io.cwd);
      const problems = [...(io.checkFiles?.(loaded) ?? []), ...strategies.filter((s) => typeof s === 'string')];
      if (problems.length > 0) {
        io.err(`config rejected (CONFIG_INVALID), ${problems.length} problem${problems.length === 1 ? '' : 's'}:`);
        for (const problem of problems) io.err(problem);
        io.exit(EXIT_CONFIG);
      }
      io.out(`config OK (mode ${loaded.config.mode}, hash ${loaded.hash})`);
      printSources(io, loaded);
      io.out('strategies:');
      for (const s of strategies) if (typeof s !== 'string') io.out(`  ${s.id}: ${s.use}, reads ${s.barsNeeded} completed daily bars`);
    });

  config
    .command('show')
    .description('print the merged config and its hash; secrets only as [set]/[missing]')
    .option('--dir <dir>', 'config directory')
    .option('--mode <mode>', 'sim | paper | live (default: KIS_TRADER_MODE, then the mode key)')
    .option('--json', 'print JSON')
    .action((options: CommonOptions & { json?: boolean }) => {
      show(io, load(io, options), options.json === true);
    });
}
