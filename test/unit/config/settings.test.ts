import { describe, expect, it } from 'vitest';
import { defaultConfig, jobSettings } from '../../../src/config/index.js';
import { basisPoints } from '../../../src/domain/index.js';

describe('job settings from the config', () => {
  it('turns percents into basis points once, rounding binary noise to the nearest point', () => {
    expect(basisPoints(0.29)).toBe(29);
    expect(basisPoints(0.125)).toBe(13);
    expect(basisPoints(-0.125)).toBe(-12);
    expect(basisPoints(-3)).toBe(-300);
  });

  it('gives each job its slice in the units it works in', () => {
    const config = defaultConfig();
    const s = jobSettings(config);
    expect(s.signals.strategy.minChangeBp).toBe(basisPoints(config.strategy.minChangePct));
    expect(s.signals.limits.maxDailyLossBp).toBe(basisPoints(config.risk.maxDailyLossPct));
    expect(s.signals.maxPositionBp).toBe(basisPoints(config.risk.maxPositionPct));
    expect(s.orders).toEqual({
      maxIntentAgeMs: config.orders.maxIntentAgeSeconds * 1000, unknownGraceMs: config.orders.unknownGraceSeconds * 1000,
      cancelUnfilledAfterMs: config.orders.cancelUnfilledAfterMinutes * 60_000,
    });
    expect(s.scan.scans).toBe(config.daemon.role === 'all');
  });
});
