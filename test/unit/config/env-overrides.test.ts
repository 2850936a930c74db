import { describe, expect, it } from 'vitest';
import { configSchema } from '../../../src/config/index.js';
import { readEnvOverrides } from '../../../src/config/env-overrides.js';

function overrides(env: Record<string, string>) {
  return readEnvOverrides(env, configSchema);
}

describe('KIS_TRADER__SECTION__KEY overrides', () => {
  it('maps SCREAMING_SNAKE segments onto camelCase keys, at any depth', () => {
    const layer = overrides({
      KIS_TRADER__RISK__MAX_POSITIONS: '3',
      KIS_TRADER__KIS__PAPER_TLS__MODE: 'pin-name',
      KIS_TRADER__KIS__RATE__PAPER_CALLS_PER_SEC: '1.5',
      KIS_TRADER__DATA_DIR: '/var/lib/kis',
    });
    expect(layer.problems).toEqual([]);
    expect(layer.value).toEqual({
      risk: { maxPositions: 3 },
      kis: { paperTls: { mode: 'pin-name' }, rate: { paperCallsPerSec: 1.5 } },
      dataDir: '/var/lib/kis',
    });
  });

  it('writes a strategy id with underscores for its dashes, and its params in camelCase', () => {
    const layer = overrides({
      KIS_TRADER__STRATEGIES__MOMENTUM_VOLUME__PARAMS__MIN_CHANGE_PCT: '2.5',
      KIS_TRADER__STRATEGIES__MOMENTUM_VOLUME__EXITS__TRAIL_ATR_MULTIPLE: '2',
      KIS_TRADER__STRATEGIES__GAP2__ENABLED: 'false',
    });
    expect(layer.problems).toEqual([]);
    expect(layer.value).toEqual({
      strategies: {
        'momentum-volume': { params: { minChangePct: 2.5 }, exits: { trailAtrMultiple: 2 } },
        gap2: { enabled: false },
      },
    });
  });

  it('ignores variables without the double-underscore prefix', () => {
    expect(overrides({ KIS_TRADER_MODE: 'paper', KIS_APP_KEY: 'x', PATH: '/bin' }).value).toEqual({});
  });

  it('parses JSON where it parses and keeps other text as a string', () => {
    const layer = overrides({
      KIS_TRADER__SCAN__TOP_N: '12',
      KIS_TRADER__SCAN__EXCLUDE: '["005930","000660"]',
      KIS_TRADER__MARKET__SESSIONS__AFTER_HOURS: 'null',
      KIS_TRADER__MARKET__SESSIONS__POST_CLOSE: '{"start":"15:40","end":"15:50"}',
      KIS_TRADER__FOO__BAR: 'plain text',
    });
    expect(layer.value).toEqual({
      scan: { topN: 12, exclude: ['005930', '000660'] },
      market: { sessions: { afterHours: null, postClose: { start: '15:40', end: '15:50' } } },
      foo: { bar: 'plain text' },
    });
  });

  it('keeps digits as text where the schema wants a string', () => {
    const layer = overrides({ KIS_TRADER__SCAN__MARKET_CODE: '0001', KIS_TRADER__STORE__PATH: '123' });
    expect(layer.value).toEqual({ scan: { marketCode: '0001' }, store: { path: '123' } });
  });

  it('accepts comma-separated lists', () => {
    expect(overrides({ KIS_TRADER__SCAN__EXCLUDE: '005930, 000660' }).value).toEqual({ scan: { exclude: ['005930', '000660'] } });
  });

  it('reads booleans with z.stringbool semantics, so "false" is false', () => {
    const cases: [string, boolean][] = [['true', true], ['false', false], ['1', true], ['0', false], ['yes', true], ['off', false]];
    for (const [raw, expected] of cases) {
      expect(overrides({ KIS_TRADER__LOG__PRETTY: raw }).value).toEqual({ log: { pretty: expected } });
    }
  });

  it('reports a boolean it cannot read, naming the variable', () => {
    const layer = overrides({ KIS_TRADER__REDIS__EMBEDDED__ENABLED: 'maybe' });
    expect(layer.value).toEqual({});
    expect(layer.problems).toEqual([
      'redis.embedded.enabled: expected a boolean (true/false, 1/0, yes/no, on/off), got "maybe" (from KIS_TRADER__REDIS__EMBEDDED__ENABLED)',
    ]);
  });

  it('lets a deeper variable refine a whole-section JSON value', () => {
    const layer = overrides({
      KIS_TRADER__RISK__MAX_POSITIONS: '2',
      KIS_TRADER__RISK: '{"maxPositions":4,"maxOrdersPerDay":9}',
    });
    expect(layer.value).toEqual({ risk: { maxPositions: 2, maxOrdersPerDay: 9 } });
  });

  it('rejects malformed variable names', () => {
    expect(overrides({ KIS_TRADER__RISK____MAX: '1' }).problems).toHaveLength(1);
  });
});
