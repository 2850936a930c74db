import { afterEach, describe, expect, it } from 'vitest';
import { canonicalJson, configHash, defaultConfig, loadConfig } from '../../../src/config/index.js';
import { configDir, PAPER_ENV } from './config-dir.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()?.();
});

function loadWith(files: Record<string, unknown>, env: Record<string, string> = {}, argvMode?: string) {
  const { dir, cleanup } = configDir(files);
  cleanups.push(cleanup);
  return loadConfig({ dir, env, argvMode });
}

describe('configHash', () => {
  it('is 16 hex characters', () => {
    expect(configHash(defaultConfig())).toMatch(/^[0-9a-f]{16}$/);
  });

  it('does not depend on key order', () => {
    const a = loadWith({ 'default.json': { risk: { maxPositions: 3, maxOrdersPerDay: 9 }, scan: { topN: 5 } } });
    const b = loadWith({ 'default.json': { scan: { topN: 5 }, risk: { maxOrdersPerDay: 9, maxPositions: 3 } } });
    expect(a.hash).toBe(b.hash);
    expect(canonicalJson({ b: 1, a: { d: 2, c: 3 } })).toBe('{"a":{"c":3,"d":2},"b":1}');
  });

  it('does not depend on which layer set a value', () => {
    const a = loadWith({ 'default.json': { risk: { maxPositions: 3 } } });
    const b = loadWith({ 'local.json': { risk: { maxPositions: 3 } } }, {});
    const c = loadWith({}, { KIS_TRADER__RISK__MAX_POSITIONS: '3' });
    expect(new Set([a.hash, b.hash, c.hash]).size).toBe(1);
  });

  it('ignores secrets', () => {
    const files = { 'default.json': { kis: { watchlist: ['005930'] } } };
    const a = loadWith(files, PAPER_ENV, 'paper');
    const b = loadWith(files, { ...PAPER_ENV, KIS_APP_KEY: 'another-key-0003', KIS_ACCOUNT: '11112222-01' }, 'paper');
    expect(a.hash).toBe(b.hash);
  });

  it('changes when any value changes', () => {
    const base = loadWith({}).hash;
    expect(loadWith({ 'default.json': { risk: { maxPositions: 4 } } }).hash).not.toBe(base);
    expect(loadWith({ 'default.json': { scan: { exclude: ['005930'] } } }).hash).not.toBe(base);
    expect(loadWith({ 'default.json': { risk: { maxPositionPct: 9.5 } } }).hash).not.toBe(base);
  });

  it('equals the hash of the defaults when nothing is overridden', () => {
    expect(loadWith({}).hash).toBe(configHash(defaultConfig()));
  });
});
