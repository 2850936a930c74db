import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { changedKeys, loadConfig, needsRestart, redactConfig, reloadConfig } from '../../../src/config/index.js';
import { configDir, PAPER_ENV } from './config-dir.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()?.();
});

function dirWith(files: Record<string, unknown>): string {
  const { dir, cleanup } = configDir(files);
  cleanups.push(cleanup);
  return dir;
}

describe('changedKeys', () => {
  it('names leaf paths, and an array by its own path', () => {
    const a = { scan: { topN: 30, rankings: ['volume'] }, strategy: { minChangePct: 2, lookbackDays: 20 } };
    const b = { scan: { topN: 10, rankings: ['volume', 'fluctuation'] }, strategy: { minChangePct: 2, lookbackDays: 20 } };
    expect(changedKeys(a, b)).toEqual(['scan.rankings', 'scan.topN']);
    expect(changedKeys(a, a)).toEqual([]);
  });

  it('names a key present on one side only, and a whole section that appeared', () => {
    expect(changedKeys({ risk: { a: 1 } }, { risk: { a: 1, b: 2 }, strategies: { x: { y: 1 } } })).toEqual(['risk.b', 'strategies']);
  });
});

describe('needsRestart', () => {
  it('restart-only prefixes, with the watch list and ranking source hot', () => {
    for (const key of ['mode', 'dataDir', 'store.path', 'redis.prefix', 'log.level', 'sim.speed', 'daemon.role',
      'schedule.scanEveryMinutes', 'market.commissionPpm', 'kis.liveBaseUrl', 'kis.timeouts.connectMs', 'secrets']) {
      expect(needsRestart(key), key).toBe(true);
    }
    for (const key of ['scan.topN', 'strategy.minChangePct', 'risk.maxPositions', 'orders.entryType', 'kis.watchlist',
      'kis.paperRankingSource', 'strategies.momentum.minChangePct', 'storeroom.x', 'modes']) {
      expect(needsRestart(key), key).toBe(false);
    }
  });
});

describe('reloadConfig', () => {
  it('reports no change when nothing changed', () => {
    const dir = dirWith({});
    const current = loadConfig({ dir, env: {} });
    expect(reloadConfig(current, { dir, env: {} })).toEqual({ status: 'unchanged' });
  });

  it('applies a change of hot keys, naming each key', () => {
    const dir = dirWith({});
    const current = loadConfig({ dir, env: {} });
    writeFileSync(join(dir, 'local.json'), JSON.stringify({ risk: { maxPositions: 2 }, scan: { topN: 7 }, kis: { watchlist: ['005930'] } }));
    const result = reloadConfig(current, { dir, env: {} });
    expect(result.status).toBe('applied');
    if (result.status !== 'applied') return;
    expect(result.loaded.config.risk.maxPositions).toBe(2);
    expect(result.loaded.hash).not.toBe(current.hash);
    expect(result.changed).toEqual(['kis.watchlist', 'risk.maxPositions', 'scan.topN']);
  });

  it('refuses the whole change when one key needs a restart', () => {
    const dir = dirWith({});
    const current = loadConfig({ dir, env: {} });
    writeFileSync(join(dir, 'local.json'), JSON.stringify({ risk: { maxPositions: 2 }, store: { synchronous: 'NORMAL' } }));
    const result = reloadConfig(current, { dir, env: {} });
    expect(result.status).toBe('restart-required');
    if (result.status !== 'restart-required') return;
    expect(result.changed).toEqual(['risk.maxPositions', 'store.synchronous']);
    expect(result.restartKeys).toEqual(['store.synchronous']);
  });

  it('counts changed credentials as a change that needs a restart', () => {
    const dir = dirWith({ 'default.json': { kis: { watchlist: ['005930'] } } });
    const current = loadConfig({ dir, env: PAPER_ENV, argvMode: 'paper' });
    const result = reloadConfig(current, { dir, env: { ...PAPER_ENV, KIS_APP_SECRET: 'anotherSECRET0003' }, argvMode: 'paper' });
    expect(result.status).toBe('restart-required');
    if (result.status !== 'restart-required') return;
    expect(result.restartKeys).toEqual(['secrets']);
    expect(result.loaded.hash).toBe(current.hash);
  });

  it('rejects an invalid file and leaves the caller on the old config', () => {
    const dir = dirWith({});
    const current = loadConfig({ dir, env: {} });
    writeFileSync(join(dir, 'local.json'), JSON.stringify({ risk: { maxPositons: 2 } }));
    const result = reloadConfig(current, { dir, env: {} });
    expect(result.status).toBe('rejected');
    if (result.status !== 'rejected') return;
    expect(result.error.code).toBe('CONFIG_INVALID');
    expect(current.config.risk.maxPositions).toBe(5);
  });
});

describe('redactConfig', () => {
  it('shows secrets only as [set] or [missing]', () => {
    const dir = dirWith({ 'default.json': { kis: { watchlist: ['005930'] } } });
    const loaded = loadConfig({ dir, env: PAPER_ENV, argvMode: 'paper' });
    const view = redactConfig(loaded.config, PAPER_ENV);
    expect(view.secrets).toEqual({
      KIS_APP_KEY: '[set]', KIS_APP_SECRET: '[set]', KIS_ACCOUNT: '[set]', KIS_HTS_ID: '[missing]',
      KIS_RANKING_APP_KEY: '[missing]', KIS_RANKING_APP_SECRET: '[missing]',
    });
    const text = JSON.stringify(view);
    for (const value of Object.values(PAPER_ENV)) expect(text).not.toContain(value);
  });

  it('masks passwords in URLs', () => {
    const dir = dirWith({});
    const loaded = loadConfig({ dir, env: { REDIS_URL: 'redis://admin:hunter2pw@10.0.0.5:6379/0' } });
    const view = redactConfig(loaded.config, {});
    expect(view.config.redis.url).toBe('redis://admin:[REDACTED]@10.0.0.5:6379/0');
    expect(loaded.config.redis.url).toBe('redis://admin:hunter2pw@10.0.0.5:6379/0');
  });
});
