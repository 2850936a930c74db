import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configSchema, defaultConfig, loadConfig } from '../../../src/config/index.js';
import { PAPER_ENV } from './config-dir.js';

const repoConfig = new URL('../../../config/', import.meta.url);

function readJson(name: string): unknown {
  return JSON.parse(readFileSync(new URL(name, repoConfig), 'utf8'));
}

describe('config/default.json', () => {
  it('equals the defaults of the schema, key for key', () => {
    expect(readJson('default.json')).toStrictEqual(defaultConfig());
  });

  it('parses unchanged through the schema', () => {
    expect(configSchema.parse(readJson('default.json'))).toStrictEqual(defaultConfig());
  });

  it('holds the documented KIS limits and risk defaults', () => {
    const d = defaultConfig();
    expect(d.mode).toBe('sim');
    expect(d.kis.rate).toEqual({
      liveCallsPerSec: 18, paperCallsPerSec: 1.8,
      adaptive: { cutFactor: 0.7, cutAtMostEveryMs: 1_000, climbPctPerSec: 20 },
    });
    expect(d.kis.paperTls.mode).toBe('verify');
    // optional at KIS (docs/kis-wire.md §3.4): sent unless the operator turns it off
    expect(d.kis.useHashkey).toBe(true);
    expect(d.risk).toEqual({
      maxPositions: 5, maxPositionPct: 10, maxOrderValue: 5_000_000, maxDailyLossPct: 3,
      maxOrdersPerDay: 20, minCashReserve: 0, reentryCooldownMinutes: 120,
    });
    expect(d.market.taxTable.map((t) => t.from)).toEqual(['20240101', '20250101', '20260101']);
  });
});

describe('the shipped mode files', () => {
  const dir = new URL('.', repoConfig).pathname;

  it('load in sim mode without secrets', () => {
    const loaded = loadConfig({ dir, env: {}, argvMode: 'sim' });
    expect(loaded.secrets).toBeNull();
    expect(loaded.config.schedule.scanEveryMinutes).toBe(1);
  });

  it('load in paper mode with the three secrets and a watch list', () => {
    const loaded = loadConfig({ dir, env: PAPER_ENV, argvMode: 'paper' });
    expect(loaded.config.kis.watchlist.length).toBeGreaterThan(0);
    expect(loaded.secrets?.account).toEqual({ number: '50012345', product: '01' });
  });

  it('load in live mode with confirmation, tighter than the defaults', () => {
    const loaded = loadConfig({ dir, env: { ...PAPER_ENV, KIS_LIVE_CONFIRM: 'I_UNDERSTAND' }, argvMode: 'live' });
    expect(loaded.config.mode).toBe('live');
    expect(loaded.config.risk.maxPositions).toBeLessThan(defaultConfig().risk.maxPositions);
    expect(loaded.config.risk.maxOrderValue).toBeLessThan(defaultConfig().risk.maxOrderValue);
  });

  it('give each mode its own trade log and Redis prefix', () => {
    const env = { ...PAPER_ENV, KIS_LIVE_CONFIRM: 'I_UNDERSTAND' };
    const all = (['sim', 'paper', 'live'] as const).map((m) => loadConfig({ dir, env, argvMode: m }).config);
    expect(new Set(all.map((c) => c.store.path)).size).toBe(3);
    expect(new Set(all.map((c) => c.redis.prefix)).size).toBe(3);
  });
});
