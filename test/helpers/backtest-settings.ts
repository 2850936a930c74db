import { defaultConfig, jobSettings } from '../../src/config/index.js';
import type { Config } from '../../src/config/index.js';
import { krw } from '../../src/domain/index.js';
import { resolveStrategies } from '../../src/runtime/index.js';
import type { BacktestSettings } from '../../src/backtest/index.js';
import { DEFAULT_SLIPPAGE_TICKS } from '../../src/backtest/index.js';

/** The backtest settings of a config (the defaults, changed by `edit`), resolved as the CLI does. */
export async function backtestSettings(edit: (c: Config) => void = () => {}, extra: Partial<BacktestSettings> = {}): Promise<BacktestSettings> {
  const config = structuredClone(defaultConfig());
  edit(config);
  const jobs = jobSettings(config);
  return {
    strategies: await resolveStrategies(jobs.strategies, process.cwd()),
    signals: jobs.signals, slippageTicks: DEFAULT_SLIPPAGE_TICKS, initialCash: krw(100_000_000), ...extra,
  };
}
