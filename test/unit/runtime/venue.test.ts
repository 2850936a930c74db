import { describe, expect, it } from 'vitest';
import { configSchema, defaultConfig } from '../../../src/config/index.js';
import type { Config, Secrets } from '../../../src/config/index.js';
import { chooseVenue, rateBudgetOptions } from '../../../src/runtime/index.js';
import { SIM_DEFAULT_CREDENTIALS } from '../../../src/sim/index.js';

const secrets = {
  appKey: 'PSabcdefghijklmnopqrstuvwxyz0123456', appSecret: 's'.repeat(180),
  account: { number: '12345678', product: '01' },
} as unknown as Secrets;

function config(over: Record<string, unknown>): Config {
  return configSchema.parse(over);
}

describe('chooseVenue: the one choice of where to trade, for the daemon and the CLI', () => {
  it('paper: KIS paper host, the account from the secrets, the paper certificate options', () => {
    const v = chooseVenue(config({
      mode: 'paper', kis: { paperTls: { mode: 'pin-name', serverName: 'openapivts.koreainvestment.com' } },
    }), secrets);
    expect(v).toMatchObject({
      kisEnv: 'paper', baseUrl: defaultConfig().kis.paperBaseUrl,
      credentials: { appKey: secrets.appKey, account: '12345678-01' },
      tls: { mode: 'pin-name', serverName: 'openapivts.koreainvestment.com' },
      ratePerSec: defaultConfig().kis.rate.paperCallsPerSec,
    });
    expect(v.budgetKey.startsWith(`${defaultConfig().redis.prefix}:budget:`)).toBe(true);
  });

  it('sim: the simulator credentials, no host of KIS, no paper certificate options even for a paper-shaped simulator', () => {
    const v = chooseVenue(config({
      mode: 'sim', sim: { env: 'paper' }, kis: { paperTls: { mode: 'pin-name', serverName: 'x' } },
    }), null);
    expect(v).toMatchObject({ kisEnv: 'paper', baseUrl: null, tls: null, credentials: SIM_DEFAULT_CREDENTIALS });
  });

  it('live without keys is refused', () => {
    expect(() => chooseVenue(config({ mode: 'live' }), null)).toThrow(/needs KIS_APP_KEY/);
  });
});

describe('rateBudgetOptions: kis.rate.adaptive reaches the shared budget', () => {
  it('passes the cut factor and window, and the climb as a share of the venue\'s rate', () => {
    const c = config({ kis: { rate: { adaptive: { cutFactor: 0.5, cutAtMostEveryMs: 2_000, climbPctPerSec: 10 } } } });
    expect(rateBudgetOptions(c, 'kis:budget:x', 18)).toEqual({
      key: 'kis:budget:x', ratePerSec: 18, penaltyFactor: 0.5, cutAtMostEveryMs: 2_000, climbPerSec: 1.8,
    });
    expect(rateBudgetOptions(defaultConfig(), 'k', 1.8))
      .toMatchObject({ penaltyFactor: 0.7, cutAtMostEveryMs: 1_000, climbPerSec: 0.36 });
  });
});
