import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig, secretValues } from '../../../src/config/index.js';
import { AppError, type ErrorCode } from '../../../src/domain/index.js';
import { configDir, PAPER_ENV } from './config-dir.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()?.();
});

const WATCHLIST = { kis: { watchlist: ['005930'] } };

function load(mode: string, env: Record<string, string>, files: Record<string, unknown> = { 'default.json': WATCHLIST }) {
  const { dir, cleanup } = configDir(files);
  cleanups.push(cleanup);
  return loadConfig({ dir, env, argvMode: mode });
}

function rejected(mode: string, env: Record<string, string>, files?: Record<string, unknown>): { code: ErrorCode; problems: string[]; message: string } {
  try {
    load(mode, env, files);
  } catch (err) {
    if (err instanceof AppError) return { code: err.code, problems: err.details['problems'] as string[], message: err.message };
    throw err;
  }
  throw new Error('expected a rejection');
}

describe('secrets from the environment', () => {
  it('are read in paper mode, the account split into number and product code', () => {
    const { secrets } = load('paper', { ...PAPER_ENV, KIS_HTS_ID: 'trader01' });
    expect(secrets).toEqual({
      appKey: PAPER_ENV.KIS_APP_KEY,
      appSecret: PAPER_ENV.KIS_APP_SECRET,
      account: { number: '50012345', product: '01' },
      htsId: 'trader01',
      ranking: null,
    });
    expect(Object.isFrozen(secrets)).toBe(true);
  });

  it('accept the account without its dash', () => {
    expect(load('paper', { ...PAPER_ENV, KIS_ACCOUNT: '5001234501' }).secrets?.account).toEqual({ number: '50012345', product: '01' });
  });

  it('name each missing variable in paper mode', () => {
    const r = rejected('paper', { KIS_APP_SECRET: 'x1234' });
    expect(r.code).toBe<ErrorCode>('CONFIG_SECRET_MISSING');
    expect(r.problems).toEqual([
      'KIS_APP_KEY: missing; paper mode needs it in the environment',
      'KIS_ACCOUNT: missing; paper mode needs it in the environment',
    ]);
  });

  it('treat blank values as missing', () => {
    const r = rejected('live', { ...PAPER_ENV, KIS_APP_KEY: '  ', KIS_LIVE_CONFIRM: 'I_UNDERSTAND' });
    expect(r.problems).toEqual(['KIS_APP_KEY: missing; live mode needs it in the environment']);
  });

  it('reject a malformed account without echoing it', () => {
    const r = rejected('paper', { ...PAPER_ENV, KIS_ACCOUNT: '987654321' });
    expect(r.code).toBe<ErrorCode>('CONFIG_INVALID');
    expect(r.problems).toEqual(['KIS_ACCOUNT: expected 8 digits, a dash and 2 digits like 12345678-01']);
    expect(r.message).not.toContain('987654321');
  });

  it('never appear in problem messages', () => {
    const r = rejected('live', PAPER_ENV);
    for (const value of Object.values(PAPER_ENV)) expect(r.message).not.toContain(value);
  });
});

describe('live mode', () => {
  it('refuses to load without KIS_LIVE_CONFIRM=I_UNDERSTAND', () => {
    const r = rejected('live', PAPER_ENV);
    expect(r.code).toBe<ErrorCode>('CONFIG_LIVE_NOT_CONFIRMED');
    expect(r.problems).toEqual(['KIS_LIVE_CONFIRM: live mode trades real money; set KIS_LIVE_CONFIRM=I_UNDERSTAND to confirm']);
    expect(rejected('live', { ...PAPER_ENV, KIS_LIVE_CONFIRM: 'yes' }).code).toBe<ErrorCode>('CONFIG_LIVE_NOT_CONFIRMED');
  });

  it('reports missing secrets and the missing confirmation together, under the secret code', () => {
    const r = rejected('live', {});
    expect(r.code).toBe<ErrorCode>('CONFIG_SECRET_MISSING');
    expect(r.problems).toHaveLength(4);
    expect(r.problems[3]).toMatch(/^KIS_LIVE_CONFIRM:/);
  });

  it('loads with secrets and the confirmation', () => {
    const loaded = load('live', { ...PAPER_ENV, KIS_LIVE_CONFIRM: 'I_UNDERSTAND' });
    expect(loaded.config.mode).toBe('live');
    expect(loaded.secrets?.appKey).toBe(PAPER_ENV.KIS_APP_KEY);
  });
});

describe('paper ranking keys', () => {
  const rankingEnv = { KIS_RANKING_APP_KEY: 'liveKey0001', KIS_RANKING_APP_SECRET: 'liveSecret0001' };

  it('are read when both are set', () => {
    expect(load('paper', { ...PAPER_ENV, ...rankingEnv }).secrets?.ranking).toEqual({ appKey: 'liveKey0001', appSecret: 'liveSecret0001' });
  });

  it('must come in pairs', () => {
    const r = rejected('paper', { ...PAPER_ENV, KIS_RANKING_APP_KEY: 'liveKey0001' });
    expect(r.problems).toEqual(['KIS_RANKING_APP_SECRET: missing; set both ranking variables or neither']);
  });

  it('are required when rankings come from live read-only keys', () => {
    const files = { 'default.json': { kis: { paperRankingSource: 'live-readonly' } } };
    const r = rejected('paper', PAPER_ENV, files);
    expect(r.code).toBe<ErrorCode>('CONFIG_SECRET_MISSING');
    expect(r.problems[0]).toMatch(/^KIS_RANKING_APP_KEY: missing; kis\.paperRankingSource "live-readonly" needs/);
    expect(load('paper', { ...PAPER_ENV, ...rankingEnv }, files).secrets?.ranking).not.toBeNull();
  });

  it('are unnecessary with a watch list, which must then list a code', () => {
    const r = rejected('paper', PAPER_ENV, { 'default.json': {} });
    expect(r.problems).toEqual([
      'kis.watchlist: paper mode takes rankings from the watch list (kis.paperRankingSource "watchlist"), so list at least one code',
    ]);
  });
});

describe('secretValues', () => {
  it('lists every printed form of every secret for the log scrubber', () => {
    const { secrets } = load('paper', { ...PAPER_ENV, KIS_HTS_ID: 'trader01' });
    expect(secretValues(secrets)).toEqual(expect.arrayContaining([
      PAPER_ENV.KIS_APP_KEY, PAPER_ENV.KIS_APP_SECRET, '50012345-01', '5001234501', '50012345', 'trader01',
    ]));
    expect(secretValues(null)).toEqual([]);
  });
});
