import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/index.js';
import { configDir } from './config-dir.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()?.();
});

function dirWith(files: Record<string, unknown>): string {
  const { dir, cleanup } = configDir(files);
  cleanups.push(cleanup);
  return dir;
}

describe('layer order: default.json → <mode>.json → local.json → env', () => {
  const files = {
    'default.json': { risk: { maxPositions: 2, maxOrdersPerDay: 11, maxPositionPct: 5, minCashReserve: 1 } },
    'sim.json': { risk: { maxOrdersPerDay: 12, maxPositionPct: 6, minCashReserve: 2 } },
    'local.json': { risk: { maxPositionPct: 5.5, minCashReserve: 3 } },
  };

  it('lets each layer override only the keys it sets', () => {
    const { config } = loadConfig({ dir: dirWith(files), env: { KIS_TRADER__RISK__MIN_CASH_RESERVE: '4' } });
    expect(config.risk.maxPositions).toBe(2);
    expect(config.risk.maxOrdersPerDay).toBe(12);
    expect(config.risk.maxPositionPct).toBe(5.5);
    expect(config.risk.minCashReserve).toBe(4);
    expect(config.risk.maxDailyLossPct).toBe(3);
  });

  it('lists the sources in merge order', () => {
    const dir = dirWith(files);
    const { sources } = loadConfig({ dir, env: { KIS_TRADER__RISK__MIN_CASH_RESERVE: '4', REDIS_URL: 'redis://127.0.0.1:6390' } });
    expect(sources).toEqual([
      `${dir}/default.json`, `${dir}/sim.json`, `${dir}/local.json`,
      'env KIS_TRADER__RISK__MIN_CASH_RESERVE', 'env REDIS_URL',
    ]);
  });

  it('merges objects deeply but replaces arrays whole', () => {
    const dir = dirWith({
      'default.json': { scan: { exclude: ['005930', '000660'] }, kis: { timeouts: { connectMs: 1000 } } },
      'sim.json': { scan: { exclude: ['035420'] }, kis: { timeouts: { bodyMs: 2000 } } },
    });
    const { config } = loadConfig({ dir, env: {} });
    expect(config.scan.exclude).toEqual(['035420']);
    expect(config.kis.timeouts).toEqual({ connectMs: 1000, headersMs: 5000, bodyMs: 2000, totalMs: 10000 });
  });

  it('lets a layer null out an optional session', () => {
    const dir = dirWith({ 'sim.json': { market: { sessions: { afterHours: null } } } });
    expect(loadConfig({ dir, env: {} }).config.market.sessions.afterHours).toBeNull();
  });

  it('takes REDIS_URL over redis.url from the files', () => {
    const dir = dirWith({ 'local.json': { redis: { url: 'redis://10.0.0.1:6379' } } });
    expect(loadConfig({ dir, env: {} }).config.redis.url).toBe('redis://10.0.0.1:6379');
    expect(loadConfig({ dir, env: { REDIS_URL: 'redis://10.0.0.2:6379' } }).config.redis.url).toBe('redis://10.0.0.2:6379');
  });

  it('works without mode and local files', () => {
    const loaded = loadConfig({ dir: dirWith({}), env: {} });
    expect(loaded.config.mode).toBe('sim');
    expect(loaded.sources).toHaveLength(1);
  });
});

describe('mode selection', () => {
  const files = {
    'default.json': { mode: 'sim' },
    'sim.json': { dataDir: 'from-sim' },
    'paper.json': { dataDir: 'from-paper', kis: { watchlist: ['005930'] } },
    'live.json': { dataDir: 'from-live' },
  };
  const paperEnv = { KIS_APP_KEY: 'k1234', KIS_APP_SECRET: 's1234', KIS_ACCOUNT: '12345678-01' };

  it('defaults to the mode key of default.json, then sim', () => {
    expect(loadConfig({ dir: dirWith(files), env: {} }).config.dataDir).toBe('from-sim');
    expect(loadConfig({ dir: dirWith({ 'default.json': {} }), env: {} }).config.mode).toBe('sim');
  });

  it('lets local.json choose the mode and its mode file', () => {
    const dir = dirWith({ ...files, 'local.json': { mode: 'paper' } });
    const { config } = loadConfig({ dir, env: paperEnv });
    expect(config.mode).toBe('paper');
    expect(config.dataDir).toBe('from-paper');
  });

  it('prefers KIS_TRADER_MODE over the files and --mode over KIS_TRADER_MODE', () => {
    const dir = dirWith({ ...files, 'local.json': { mode: 'live' } });
    expect(loadConfig({ dir, env: { ...paperEnv, KIS_TRADER_MODE: 'paper' } }).config.dataDir).toBe('from-paper');
    expect(loadConfig({ dir, env: { KIS_TRADER_MODE: 'paper' }, argvMode: 'sim' }).config.mode).toBe('sim');
  });

  it('ignores a contradicting mode key inside a mode file', () => {
    const dir = dirWith({ 'sim.json': { mode: 'live' } });
    expect(loadConfig({ dir, env: {} }).config.mode).toBe('sim');
  });
});

describe('the loaded config', () => {
  it('is deeply frozen', () => {
    const { config } = loadConfig({ dir: dirWith({}), env: {} });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.risk)).toBe(true);
    expect(Object.isFrozen(config.market.taxTable[0])).toBe(true);
    expect(() => {
      (config.risk as { maxPositions: number }).maxPositions = 99;
    }).toThrow(TypeError);
  });

  it('needs no secrets in sim mode and ignores any present', () => {
    const loaded = loadConfig({ dir: dirWith({}), env: { KIS_APP_KEY: 'whatever' } });
    expect(loaded.secrets).toBeNull();
  });
});

function rejection(dir: string, env: Record<string, string> = {}): string[] {
  try {
    loadConfig({ dir, env });
  } catch (err) {
    return (err as { details: { problems: string[] } }).details.problems;
  }
  return [];
}

describe("the mode file's risk limits are a ceiling (README: they can only be tightened)", () => {
  const modeFile = { 'sim.json': { risk: { maxPositions: 3, maxOrderValue: 1_000_000, minCashReserve: 100_000 } } };

  it('refuses local.json loosening a limit the mode file sets, naming the key and both values', () => {
    const dir = dirWith({ ...modeFile, 'local.json': { risk: { maxOrderValue: 5_000_000 } } });
    const problems = rejection(dir);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('risk.maxOrderValue: 5000000');
    expect(problems[0]).toContain(`${dir}/local.json`);
    expect(problems[0]).toContain(`1000000 in ${dir}/sim.json`);
  });

  it('refuses the environment loosening it too, and a lower cash reserve', () => {
    const dir = dirWith(modeFile);
    const problems = rejection(dir, { KIS_TRADER__RISK__MAX_POSITIONS: '10', KIS_TRADER__RISK__MIN_CASH_RESERVE: '0' });
    expect(problems).toHaveLength(2);
    expect(problems.find((p) => p.startsWith('risk.maxPositions:'))).toContain('from KIS_TRADER__RISK__MAX_POSITIONS');
    expect(problems.find((p) => p.startsWith('risk.minCashReserve:'))).toContain('100000');
  });

  it('lets later layers tighten, and leaves keys the mode file does not set to their schema range', () => {
    const dir = dirWith({ ...modeFile, 'local.json': { risk: { maxPositions: 2, maxOrderValue: 500_000, minCashReserve: 200_000, maxOrdersPerDay: 100 } } });
    const { config } = loadConfig({ dir, env: {} });
    expect(config.risk).toMatchObject({ maxPositions: 2, maxOrderValue: 500_000, minCashReserve: 200_000, maxOrdersPerDay: 100 });
  });
});

describe('scan.excludeNamePatterns are regular expressions, checked as scan/ compiles them', () => {
  it('refuses a pattern that does not compile, naming its index', () => {
    const dir = dirWith({ 'local.json': { scan: { excludeNamePatterns: ['스팩', '(unclosed'] } } });
    const problems = rejection(dir);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^scan\.excludeNamePatterns\[1\]: is not a valid regular expression \(.*\), got "\(unclosed"/);
  });

  it('is reported beside an unrelated problem in the same file, not hidden by it', () => {
    const dir = dirWith({ 'local.json': { risk: { maxPositons: 3 }, scan: { excludeNamePatterns: ['(unclosed'] } } });
    const problems = rejection(dir);
    expect(problems.some((p) => p.startsWith('risk.maxPositons'))).toBe(true);
    expect(problems.some((p) => p.startsWith('scan.excludeNamePatterns[0]'))).toBe(true);
  });

  it('uses the same flags as the scan: an escape only the unicode flag refuses is refused', () => {
    expect(rejection(dirWith({ 'local.json': { scan: { excludeNamePatterns: ['a\\-b'] } } }))).toHaveLength(1);
    expect(rejection(dirWith({ 'local.json': { scan: { excludeNamePatterns: ['[0-9]?우[BC]?$'] } } }))).toEqual([]);
  });
});
