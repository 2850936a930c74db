import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { AppError, describeError } from '../domain/index.js';
import { positionOrigins } from '../domain/index.js';
import type { FillRepo, Logger, OrderRepo, Position, PositionOrigin, PositionRepo, StockCode, StrategySlice } from '../domain/index.js';
import { formatIssues } from '../config/index.js';
import { BUILT_IN_STRATEGIES, bindStrategy } from '../signals/index.js';
import type { Strategy, StrategyInstance } from '../signals/index.js';

/**
 * Turns the config's strategy slices into runnable strategies: finds each (built-in, or a module
 * file), parses its params with its own schema, binds them. Every problem of every strategy is
 * reported at once, as `strategies.<id>.…` lines, in a CONFIG_INVALID error (exit 78 at start,
 * the old config kept on a reload). The daemon, `config check` and the backtester go through here.
 */
export async function resolveStrategies(slices: readonly StrategySlice[], root: string): Promise<StrategyInstance[]> {
  const problems: string[] = [];
  const out: StrategyInstance[] = [];
  for (const slice of slices) {
    const at = `strategies.${slice.id}`;
    const found = slice.use === 'module' ? await loadModule(slice.module ?? '', root, `${at}.module`) : builtIn(slice.use, `${at}.use`);
    if (typeof found === 'string') {
      problems.push(found);
      continue;
    }
    const parsed = parseParams(found, slice.params);
    if (Array.isArray(parsed)) {
      problems.push(...parsed.map((line) => `${at}.params${line.startsWith('(root)') ? line.slice('(root)'.length) : `.${line}`}`));
      continue;
    }
    out.push(bindStrategy(slice, found, parsed.data));
  }
  if (problems.length > 0) {
    throw new AppError('CONFIG_INVALID', `invalid strategies:\n  ${problems.join('\n  ')}`, { details: { problems } });
  }
  return out;
}

/**
 * The strategy's own schema over the params, problems as `key: reason` lines. A module's `params`
 * need only have zod's safeParse: its issues are told the plain way when they are not zod's, and a
 * check that throws is a problem, not a crash of `config check`.
 */
function parseParams(strategy: Strategy, params: unknown): { data: unknown } | string[] {
  try {
    const parsed = strategy.params.safeParse(params);
    if (parsed.success) return { data: parsed.data };
    try {
      return formatIssues(parsed.error.issues, params, strategy.params);
    } catch {
      return parsed.error.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`);
    }
  } catch (err) {
    return [`(root): the strategy's params check threw: ${describeError(err)}`];
  }
}

function builtIn(use: string, at: string): Strategy | string {
  const found = BUILT_IN_STRATEGIES.get(use);
  if (found) return found as Strategy;
  return `${at}: unknown strategy ${JSON.stringify(use)}; expected one of ${[...BUILT_IN_STRATEGIES.keys(), 'module'].map((n) => JSON.stringify(n)).join(', ')}`;
}

/**
 * A module strategy: its default export or its export named `strategy` (a Strategy, or a function
 * of `{ z }` returning one), checked for the shape of a Strategy.
 */
async function loadModule(file: string, root: string, at: string): Promise<Strategy | string> {
  const path = isAbsolute(file) ? file : resolve(root, file);
  if (!existsSync(path)) return `${at}: no such file ${path}`;
  let exported: Record<string, unknown>;
  try {
    exported = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (err) {
    const text = describeError(err);
    // A file outside the installation has no node_modules above it (docs/strategies.md, module strategies).
    const hint = /Cannot find (module|package) 'zod'/.test(text) ? '; a module outside the installation cannot import zod: export `({ z }) => strategy` instead' : '';
    return `${at}: ${path} does not load: ${text}${hint}`;
  }
  let candidate = (exported.default ?? exported.strategy) as Partial<Strategy> | StrategyFactory | undefined;
  // A module outside the installation cannot `import 'zod'` (no node_modules above it): it may
  // export a function instead, given the zod kis-trader uses, that returns the strategy.
  if (typeof candidate === 'function') {
    try {
      candidate = await candidate({ z });
    } catch (err) {
      return `${at}: ${path}: its exported function threw: ${describeError(err)}`;
    }
  }
  const missing = shapeProblems(candidate);
  if (missing.length > 0) return `${at}: ${path} must export (default or as \`strategy\`) a Strategy: ${missing.join('; ')}`;
  return candidate as Strategy;
}

type StrategyFactory = (deps: { z: typeof z }) => Partial<Strategy> | Promise<Partial<Strategy>>;

function shapeProblems(s: Partial<Strategy> | undefined): string[] {
  if (s === null || typeof s !== 'object') return ['it exports no object'];
  const out: string[] = [];
  if (typeof s.name !== 'string' || s.name === '') out.push('`name` must be a non-empty string');
  if (typeof s.params?.safeParse !== 'function') out.push('`params` must be a zod schema');
  if (typeof s.barsNeeded !== 'function') out.push('`barsNeeded(params)` must be a function');
  if (typeof s.entry !== 'function') out.push('`entry(snapshot, params)` must be a function');
  if (s.exit !== undefined && typeof s.exit !== 'function') out.push('`exit`, when given, must be a function');
  return out;
}

/**
 * Positions opened by a strategy the config no longer has (removed, renamed, disabled): the first
 * strategy's exits protect them, but their own exit no longer runs. Said at start and after a
 * reload so an operator who removed a strategy knows what it left behind.
 */
export function positionsWithoutStrategy(
  positions: readonly Position[], origins: ReadonlyMap<StockCode, PositionOrigin>, strategies: readonly StrategyInstance[],
): { symbol: StockCode; strategy: string }[] {
  const ids = new Set(strategies.map((s) => s.id));
  return positions.flatMap((p) => {
    const strategy = origins.get(p.symbol)?.strategy ?? null;
    return p.qty > 0 && strategy !== null && !ids.has(strategy) ? [{ symbol: p.symbol, strategy }] : [];
  });
}

/** Logs, at warn, each position positionsWithoutStrategy finds in the trade log. */
export function warnPositionsWithoutStrategy(
  store: { positions: PositionRepo; orders: OrderRepo; fills: FillRepo }, strategies: readonly StrategyInstance[], log: Logger,
): void {
  const exitsOf = strategies[0]?.id ?? 'the first strategy';
  for (const o of positionsWithoutStrategy(store.positions.list(), positionOrigins(store.orders, store.fills), strategies)) {
    log.warn({ symbol: o.symbol, strategy: o.strategy, exitsOf },
      `position ${o.symbol} was opened by strategy ${o.strategy}, which the config no longer has: its own exit no longer runs; ${exitsOf}'s exits protect it`);
  }
}
