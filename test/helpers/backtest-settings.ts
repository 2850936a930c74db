import { defaultConfig, jobSettings } from '../../src/config/index.js';
import type { Config } from '../../src/config/index.js';
import { krw } from '../../src/domain/index.js';
import { resolveStrategies } from '../../src/runtime/index.js';
import type { BacktestSettings } from '../../src/backtest/index.js';

/** A config a test may edit in place (Config is deeply read-only). */
export type EditableConfig = { -readonly [K in keyof Config]: Editable<Config[K]> };
type Editable<T> = T extends readonly (infer U)[] ? Editable<U>[]
  : T extends object ? { -readonly [K in keyof T]: Editable<T[K]> } : T;

/** The backtest settings of a config (the defaults, changed by `edit`), resolved as the CLI does. */
export async function backtestSettings(
  edit: (c: EditableConfig) => void = () => {}, extra: Partial<BacktestSettings> = {},
): Promise<BacktestSettings> {
  const config = structuredClone(defaultConfig()) as EditableConfig;
  edit(config);
  const jobs = jobSettings(config);
  return {
    strategies: await resolveStrategies(jobs.strategies, process.cwd()),
    signals: jobs.signals, slippageTicks: config.backtest.slippageTicks, initialCash: krw(config.backtest.initialCash),
    scan: { kinds: jobs.scan.kinds, filter: jobs.scan.filter },
    ...extra,
  };
}
