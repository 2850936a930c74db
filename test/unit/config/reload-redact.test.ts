import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig, redactConfig, reloadConfig } from '../../../src/config/index.js';
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

describe('reloadConfig', () => {
  it('reports no change when nothing changed', () => {
    const dir = dirWith({});
    const current = loadConfig({ dir, env: {} });
    expect(reloadConfig(current, { dir, env: {} })).toEqual({ status: 'unchanged' });
  });

  it('returns the new config and the sections that need a restart', () => {
    const dir = dirWith({});
    const current = loadConfig({ dir, env: {} });
    writeFileSync(join(dir, 'local.json'), JSON.stringify({ risk: { maxPositions: 2 }, store: { synchronous: 'NORMAL' } }));
    const result = reloadConfig(current, { dir, env: {} });
    expect(result.status).toBe('changed');
    if (result.status !== 'changed') return;
    expect(result.loaded.config.risk.maxPositions).toBe(2);
    expect(result.loaded.hash).not.toBe(current.hash);
    expect(result.restartRequired).toEqual(['store']);
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
