import { join } from 'node:path';
import type { ErrorCode, Mode } from '../domain/index.js';
import { AppError } from '../domain/index.js';
import { crossCheck } from './cross-checks.js';
import { readEnvOverrides } from './env-overrides.js';
import { readConfigFile } from './files.js';
import { configHash } from './hash.js';
import { deepFreeze, deepMerge, valueAt, type PlainObject } from './merge.js';
import { formatIssues, showValue } from './problems.js';
import { riskCeilingProblems } from './risk-ceiling.js';
import { configSchema, modeSchema, type Config } from './schema.js';
import { readSecrets, stripSecretKeys, type Env, type Secrets } from './secrets.js';

export interface LoadOptions {
  /** the config directory holding default.json, <mode>.json and local.json */
  dir: string;
  /** the process environment, passed in so the loader reads no globals */
  env: Env;
  /** `--mode` from the command line; beats KIS_TRADER_MODE */
  argvMode?: string | undefined;
  /**
   * 'trade' (default): the daemon, which sends orders, so live mode needs KIS_LIVE_CONFIRM.
   * 'read': a command that only reads (trade log, quotes, balance) needs no confirmation and no
   * keys: the commands that send orders check the confirmation, and those that call KIS find the
   * secrets null (cli/compose.ts connectKis refuses then).
   */
  purpose?: 'trade' | 'read';
}

export interface LoadedConfig {
  config: Config;
  /** null in sim mode, which uses the simulator's built-in credentials */
  secrets: Secrets | null;
  hash: string;
  /** the files and environment variables that contributed, in merge order */
  sources: string[];
}

interface Origin {
  label: string;
  path: readonly string[];
}

type Category = 'unreadable' | 'invalid' | 'secret' | 'confirm';

/** The most fundamental problem names the error, so callers can branch on one code. */
const CODE_ORDER: [Category, ErrorCode][] = [
  ['unreadable', 'CONFIG_UNREADABLE'],
  ['invalid', 'CONFIG_INVALID'],
  ['secret', 'CONFIG_SECRET_MISSING'],
  ['confirm', 'CONFIG_LIVE_NOT_CONFIRMED'],
];

class Problems {
  readonly list: { category: Category; text: string }[] = [];
  add(category: Category, ...texts: string[]): void {
    for (const text of texts) this.list.push({ category, text });
  }
  throwIfAny(sources: string[]): void {
    if (this.list.length === 0) return;
    const present = new Set(this.list.map((p) => p.category));
    const code = CODE_ORDER.find(([c]) => present.has(c))?.[1] ?? 'CONFIG_INVALID';
    const problems = this.list.map((p) => p.text);
    const noun = problems.length === 1 ? 'problem' : 'problems';
    throw new AppError(code, `configuration rejected (${problems.length} ${noun}):\n  ${problems.join('\n  ')}`, {
      details: { problems, sources },
    });
  }
}

function modeKey(layer: PlainObject | null): string | undefined {
  const mode = layer?.['mode'];
  return typeof mode === 'string' ? mode : undefined;
}

function selectMode(options: LoadOptions, defaults: PlainObject | null, local: PlainObject | null, problems: Problems): Mode | null {
  const candidates: [string | undefined, string][] = [
    [options.argvMode, '--mode'],
    [options.env['KIS_TRADER_MODE'], 'env KIS_TRADER_MODE'],
    [options.env['KIS_TRADER__MODE'], 'env KIS_TRADER__MODE'],
    [modeKey(local), 'local.json'],
    [modeKey(defaults), 'default.json'],
  ];
  const chosen = candidates.find(([value]) => value !== undefined && value.trim() !== '');
  if (chosen === undefined) return 'sim';
  const parsed = modeSchema.safeParse(chosen[0]?.trim());
  if (parsed.success) return parsed.data;
  problems.add('invalid', `mode: expected one of "sim", "paper", "live", got ${showValue(chosen[0])} (from ${chosen[1]})`);
  return null;
}

/**
 * Loads the effective config: default.json → <mode>.json → local.json → KIS_TRADER__* env →
 * REDIS_URL, validated as a whole, plus the secrets the mode needs. Every problem found is
 * reported at once, so one `config check` run shows everything to fix.
 */
export function loadConfig(options: LoadOptions): LoadedConfig {
  const problems = new Problems();
  const fileLayer = (name: string, required: boolean): { path: string; value: PlainObject } | null => {
    const read = readConfigFile(join(options.dir, name));
    if (read.kind === 'missing') {
      if (required) problems.add('unreadable', `${read.path}: missing (is this the config directory? see --config-dir / KIS_TRADER_HOME)`);
      return null;
    }
    if (read.kind === 'unreadable') {
      problems.add('unreadable', read.problem);
      return null;
    }
    const stripped = stripSecretKeys(read.value, `not in config files (found in ${read.path})`);
    problems.add('invalid', ...stripped.problems);
    return { path: read.path, value: stripped.value };
  };

  const defaults = fileLayer('default.json', true);
  // local.json is read before the mode file because its `mode` key may choose the mode.
  const local = fileLayer('local.json', false);
  const mode = selectMode(options, defaults?.value ?? null, local?.value ?? null, problems);
  const modeFile = mode === null ? null : fileLayer(`${mode}.json`, false);
  const files = [defaults, modeFile, local].filter((f) => f !== null);
  const sources = files.map((f) => f.path);

  const envLayer = readEnvOverrides(options.env, configSchema);
  problems.add('invalid', ...envLayer.problems);
  sources.push(...envLayer.overrides.map((o) => `env ${o.name}`));
  const envStripped = stripSecretKeys(envLayer.value, 'not in KIS_TRADER__ overrides');
  problems.add('invalid', ...envStripped.problems);

  let merged: PlainObject = {};
  for (const layer of [...files.map((f) => f.value), envStripped.value]) merged = deepMerge(merged, layer);
  const redisUrl = options.env['REDIS_URL']?.trim();
  if (redisUrl !== undefined && redisUrl !== '') {
    merged = deepMerge(merged, { redis: { url: redisUrl } });
    sources.push('env REDIS_URL');
  }
  // The selected mode is authoritative; a `mode` key in a later layer cannot contradict it.
  if (mode === null) delete merged['mode'];
  else merged['mode'] = mode;

  const origins: Origin[] = [
    ...(redisUrl !== undefined && redisUrl !== '' ? [{ label: 'from REDIS_URL', path: ['redis', 'url'] }] : []),
    ...[...envLayer.overrides].reverse().map((o) => ({ label: `from ${o.name}`, path: o.path })),
  ];
  const fileOrigins = [...files].reverse();
  const originOf = (path: readonly (string | number)[]): string | undefined => {
    const env = origins.find((o) => o.path.every((k, i) => path[i] === k));
    if (env !== undefined) return env.label;
    const file = fileOrigins.find((f) => valueAt(f.value, path) !== undefined);
    return file === undefined ? undefined : `in ${file.path}`;
  };

  if (modeFile !== null) problems.add('invalid', ...riskCeilingProblems(modeFile, merged, originOf));

  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) {
    problems.add('invalid', ...formatIssues(parsed.error.issues, merged, configSchema, originOf));
  } else {
    problems.add('invalid', ...crossCheck(parsed.data));
  }

  let secrets: Secrets | null = null;
  if (mode !== null) {
    const rankingSource = parsed.success ? parsed.data.kis.paperRankingSource : null;
    const read = readSecrets(options.env, mode, rankingSource);
    for (const p of read.problems) {
      // a read command needs no confirmation, and keys only where it talks to KIS (which checks for them)
      if (options.purpose === 'read' && (p.kind === 'not-confirmed' || p.kind === 'missing')) continue;
      problems.add(p.kind === 'missing' ? 'secret' : p.kind === 'invalid' ? 'invalid' : 'confirm', p.text);
    }
    secrets = read.secrets;
  }

  problems.throwIfAny(sources);
  if (!parsed.success) throw new Error('unreachable: a failed parse always adds problems');
  const config = deepFreeze(structuredClone(parsed.data));
  return { config, secrets, hash: configHash(config), sources };
}
