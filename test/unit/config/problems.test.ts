import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/index.js';
import { AppError, type ErrorCode } from '../../../src/domain/index.js';
import { configDir } from './config-dir.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()?.();
});

function rejection(files: Record<string, unknown>, env: Record<string, string> = {}, argvMode?: string) {
  const { dir, cleanup } = configDir(files);
  cleanups.push(cleanup);
  try {
    loadConfig({ dir, env, argvMode });
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    return { dir, code: err.code, problems: err.details['problems'] as string[], message: err.message };
  }
  throw new Error('expected loadConfig to reject the config');
}

describe('invalid values are reported as path: reason', () => {
  it('suggests the nearest key for a typo', () => {
    const r = rejection({ 'local.json': { risk: { maxPositons: 3 } } });
    expect(r.code).toBe<ErrorCode>('CONFIG_INVALID');
    expect(r.problems).toEqual([
      `risk.maxPositons: unrecognized key (did you mean maxPositions?) (in ${r.dir}/local.json)`,
    ]);
  });

  it('names the keys of issue 13 when their values are wrong', () => {
    const r = rejection({ 'local.json': { kis: { useHashkey: 'no' }, daemon: { signalConcurrency: 'fast' } } });
    expect(r.problems).toHaveLength(2);
    expect(r.problems.find((p) => p.startsWith('daemon.signalConcurrency: '))).toBeDefined();
    expect(r.problems.find((p) => p.startsWith('kis.useHashkey: '))).toMatch(/boolean/);
    expect(rejection({ 'local.json': { daemon: { signalConcurrency: 0 } } }).problems[0]).toMatch(/^daemon\.signalConcurrency: /);
  });

  it('suggests nothing for a key that resembles none', () => {
    const r = rejection({ 'default.json': { risk: { wibble: 1 } } });
    expect(r.problems).toEqual([`risk.wibble: unrecognized key (in ${r.dir}/default.json)`]);
  });

  it('catches a misspelt section too', () => {
    const r = rejection({ 'default.json': { strategie: {} } });
    expect(r.problems[0]).toMatch(/^strategie: unrecognized key \(did you mean strategies\?\)/);
    // the section of the single-strategy config before issue 10 points to its successor
    const old = rejection({ 'default.json': { strategy: { minChangePct: 2 } } });
    expect(old.problems[0]).toMatch(/^strategy: unrecognized key: replaced by strategies .*schedule\.flattenBeforeCloseMinutes/);
  });

  it('names the expected and the received type', () => {
    const r = rejection({ 'default.json': { scan: { topN: '10' } } });
    expect(r.problems).toEqual([`scan.topN: expected a number, got string (in ${r.dir}/default.json)`]);
  });

  it('names the WebSocket keys: a URL that is not ws://, a limit past KIS\'s 41', () => {
    const r = rejection({ 'default.json': { kis: { websocket: { url: 'http://127.0.0.1:21000', maxRegistrations: 42 } } } });
    expect(r.problems).toEqual([
      `kis.websocket.url: expected a WebSocket URL like ws://host:port, got "http://127.0.0.1:21000" (in ${r.dir}/default.json)`,
      `kis.websocket.maxRegistrations: must be at most 41 (in ${r.dir}/default.json)`,
    ]);
  });

  it('rejects fractional money', () => {
    const r = rejection({ 'default.json': { risk: { maxOrderValue: 1000.5 } } });
    expect(r.problems[0]).toMatch(/^risk\.maxOrderValue: expected an integer, got 1000\.5/);
  });

  it('rejects a negative quantity', () => {
    const r = rejection({ 'default.json': { scan: { minTradedValue: -1 }, risk: { maxOrderValue: -5 } } });
    expect(r.problems).toContain(`scan.minTradedValue: must be at least 0 (in ${r.dir}/default.json)`);
    expect(r.problems).toContain(`risk.maxOrderValue: must be greater than 0 (in ${r.dir}/default.json)`);
  });

  it('refuses to loosen a risk limit past its allowed range', () => {
    const r = rejection({ 'local.json': { risk: { maxDailyLossPct: 25, maxPositions: 50 } } });
    expect(r.problems).toEqual([
      `risk.maxPositions: must be at most 20 (risk limits may only be tightened beyond the default within the allowed range) (in ${r.dir}/local.json)`,
      `risk.maxDailyLossPct: must be at most 10 (risk limits may only be tightened beyond the default within the allowed range) (in ${r.dir}/local.json)`,
    ]);
  });

  it('accepts a tightened risk limit', () => {
    const { dir, cleanup } = configDir({ 'local.json': { risk: { maxDailyLossPct: 1, maxPositions: 1 } } });
    cleanups.push(cleanup);
    expect(loadConfig({ dir, env: {} }).config.risk).toMatchObject({ maxDailyLossPct: 1, maxPositions: 1 });
  });

  it('lists the allowed values of an enum', () => {
    const r = rejection({ 'default.json': { orders: { entryType: 'lmit' } } });
    expect(r.problems[0]).toMatch(/^orders\.entryType: expected one of "limit", "market", got "lmit"/);
  });

  it('explains format rules and shows the offending text', () => {
    const r = rejection({ 'default.json': { schedule: { preOpenAt: '8:40' }, kis: { watchlist: ['5930'] } } });
    expect(r.problems).toContain(`schedule.preOpenAt: expected a KST time HH:MM (00:00–23:59), got "8:40" (in ${r.dir}/default.json)`);
    expect(r.problems).toContain(`kis.watchlist[0]: expected a six-character KRX stock code like 005930, got "5930" (in ${r.dir}/default.json)`);
  });

  it('names the environment variable a bad value came from', () => {
    const r = rejection({}, { KIS_TRADER__SCAN__TOP_N: '31', KIS_TRADER__RISK__MAX_POSITONS: '3' });
    expect([...r.problems].sort()).toEqual([
      'risk.maxPositons: unrecognized key (did you mean maxPositions?) (from KIS_TRADER__RISK__MAX_POSITONS)',
      'scan.topN: must be at most 30 (from KIS_TRADER__SCAN__TOP_N)',
    ]);
  });

  it('reports rules that span keys once the keys themselves are valid', () => {
    const r = rejection({
      'default.json': {
        scan: { minPrice: 9000, maxPrice: 8000 },
        market: { sessions: { open: '15:25' } },
        kis: { paperTls: { mode: 'pin-fingerprint' } },
      },
    });
    expect(r.problems).toEqual([
      'scan.minPrice: must not exceed scan.maxPrice (8000)',
      'market.sessions.closingAuctionStart: must be after market.sessions.open (15:25)',
      'kis.paperTls.fingerprint256: required when kis.paperTls.mode is "pin-fingerprint"',
    ]);
  });

  it('rejects an unknown mode', () => {
    const r = rejection({}, {}, 'demo');
    expect(r.problems).toEqual(['mode: expected one of "sim", "paper", "live", got "demo" (from --mode)']);
  });

  it('lists every problem at once, across files and env', () => {
    const r = rejection(
      { 'default.json': { scan: { topN: 0 } }, 'local.json': { risk: { maxPositons: 3 } } },
      { KIS_TRADER__LOG__LEVEL: 'loud' },
    );
    expect(r.problems).toHaveLength(3);
    expect(r.message).toContain('3 problems');
    for (const p of r.problems) expect(r.message).toContain(p);
  });
});

describe('secrets in files', () => {
  it('are an error naming the variable to use instead', () => {
    const r = rejection({ 'local.json': { kis: { appKey: 'PSxxxx', appSecret: 'yyyy', account: '12345678-01' } } });
    expect(r.code).toBe<ErrorCode>('CONFIG_INVALID');
    expect(r.problems).toEqual([
      `kis.appKey: secrets belong in the environment (KIS_APP_KEY), not in config files (found in ${r.dir}/local.json)`,
      `kis.appSecret: secrets belong in the environment (KIS_APP_SECRET), not in config files (found in ${r.dir}/local.json)`,
      `kis.account: secrets belong in the environment (KIS_ACCOUNT), not in config files (found in ${r.dir}/local.json)`,
    ]);
  });

  it('never echo the secret value', () => {
    const r = rejection({ 'default.json': { kis: { app_secret: 'TOPSECRETVALUE' } } });
    expect(r.message).not.toContain('TOPSECRETVALUE');
    expect(r.problems[0]).toMatch(/^kis\.app_secret: secrets belong in the environment \(KIS_APP_SECRET\)/);
  });

  it('are an error in KIS_TRADER__ overrides too', () => {
    const r = rejection({}, { KIS_TRADER__KIS__APP_KEY: 'PSxxxx' });
    expect(r.problems).toEqual(['kis.appKey: secrets belong in the environment (KIS_APP_KEY), not in KIS_TRADER__ overrides']);
  });
});

describe('unreadable files', () => {
  it('reports invalid JSON with the file, line and column', () => {
    const r = rejection({ 'local.json': '{\n  "risk": {\n    "maxPositions": 3,\n  }\n}\n' });
    expect(r.code).toBe<ErrorCode>('CONFIG_UNREADABLE');
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatch(new RegExp(`^${r.dir}/local\\.json: invalid JSON at line 4, column 3 \\(`));
  });

  it('reports a JSON error even where Node gives no position', () => {
    const r = rejection({ 'sim.json': '{"a": }' });
    expect(r.problems[0]).toMatch(/sim\.json: invalid JSON at line 1, column 7/);
  });

  it('reports a file that is not a JSON object', () => {
    const r = rejection({ 'sim.json': '[1, 2]' });
    expect(r.problems).toEqual([`${r.dir}/sim.json: expected a JSON object at the top level`]);
  });

  it('reports a missing default.json', () => {
    const r = rejection({ 'default.json': undefined });
    expect(r.code).toBe<ErrorCode>('CONFIG_UNREADABLE');
    expect(r.problems).toEqual([`${r.dir}/default.json: missing (is this the config directory? see --config-dir / KIS_TRADER_HOME)`]);
  });

  it('reports a file that exists but cannot be read', () => {
    const { dir, cleanup } = configDir({});
    cleanups.push(cleanup);
    mkdirSync(join(dir, 'local.json'));
    const err = (() => {
      try {
        loadConfig({ dir, env: {} });
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe<ErrorCode>('CONFIG_UNREADABLE');
    expect((err as AppError).details['problems']).toEqual([`${dir}/local.json: cannot read the file (EISDIR)`]);
  });

  it('still checks the other layers when one is unreadable', () => {
    const r = rejection({ 'local.json': '{oops', 'sim.json': { risk: { maxPositons: 1 } } });
    expect(r.code).toBe<ErrorCode>('CONFIG_UNREADABLE');
    expect(r.problems).toHaveLength(2);
    expect(r.problems[1]).toMatch(/^risk\.maxPositons: unrecognized key/);
  });
});

describe('session times that market/ would refuse at start', () => {
  it('are reported by the loader, naming the key', () => {
    const r = rejection({ 'local.json': { market: { sessions: { preMarket: { start: '08:30', end: '08:40' }, afterHours: { start: '15:00', end: '18:00' } } } } });
    expect(r.code).toBe<ErrorCode>('CONFIG_INVALID');
    expect(r.problems).toEqual(expect.arrayContaining([
      expect.stringMatching(/^market\.sessions\.preMarket\.end: must not be after market\.sessions\.openingAuctionStart \(08:30\)/),
      expect.stringMatching(/^market\.sessions\.afterHours\.start: must not be before market\.sessions\.close \(15:30\)/),
    ]));
  });
});
