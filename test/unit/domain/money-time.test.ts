import { describe, expect, it } from 'vitest';
import {
  addDays, applyPpm, epochMs, formatKst, kstDateOf, kstInstant, kstParts, kstSecondOfDay, krw, makeFillKey, makeIntentKey, parseClockTime, parseIsoOrCompactDate, ppm,
  shares, stockCode, tradingDate, weekdayOf,
} from '../../../src/domain/index.js';

describe('integer money', () => {
  it.each([[1.5], [Number.NaN], [2 ** 53]])('krw(%s) throws', (v) => {
    expect(() => krw(v)).toThrow(expect.objectContaining({ code: 'DOMAIN_INVALID_MONEY' }));
  });
  it('shares must be whole and non-negative; ppm within [0, 1e6]', () => {
    expect(() => shares(-1)).toThrow(/non-negative/);
    expect(() => shares(0.5)).toThrow(/whole/);
    expect(shares(0)).toBe(0);
    expect(() => ppm(1_000_001)).toThrow(/ppm/);
  });
  it.each([
    // amount, ppm, rounding, expected
    [1_000_000, 141, 'floor', 141],
    [999_999, 141, 'floor', 140], // 140.99986
    [999_999, 141, 'ceil', 141],
    [999_999, 141, 'half-up', 141],
    [3_546, 2000, 'half-up', 7], // 7.092
    [3_750, 2000, 'half-up', 8], // 7.5 rounds up
    [-3_750, 2000, 'half-up', -8], // away from zero
    [-3_750, 2000, 'floor', -8],
    [-3_750, 2000, 'ceil', -7],
    // amount × rate passes 2^53 here: computed in BigInt, so no float rounding creeps in
    [Number.MAX_SAFE_INTEGER, 999_999, 'floor', 9_007_190_247_541_736],
  ] as const)('applyPpm(%s, %s, %s) = %s', (amount, rate, rounding, expected) => {
    expect(applyPpm(krw(amount), ppm(rate), rounding)).toBe(expected);
  });
});

describe('KST time', () => {
  it('maps instants to KST dates and back, independent of the process TZ', () => {
    const t = kstInstant(tradingDate('20261126'), '140215');
    expect(t).toBe(Date.UTC(2026, 10, 26, 5, 2, 15));
    expect(kstParts(t)).toMatchObject({ date: '20261126', hour: 14, minute: 2, second: 15, weekday: 4, secondOfDay: 50535 });
    expect(kstDateOf(epochMs(Date.UTC(2026, 10, 26, 15, 0, 0)))).toBe('20261127'); // 00:00 KST next day
    expect(formatKst(t)).toBe('2026-11-26 14:02:15 KST');
  });
  it('validates dates and times', () => {
    expect(() => tradingDate('20260230')).toThrow(/no such calendar day/);
    expect(() => tradingDate('2026-11-26')).toThrow(/YYYYMMDD/);
    expect(() => kstInstant(tradingDate('20261126'), '246000')).toThrow(/no such time/);
    expect(parseClockTime('15:30')).toBe(55_800);
    expect(() => parseClockTime('9:00')).toThrow(/HH:MM/);
  });
  it('gives the second of the KST day as kstParts does, without building the date', () => {
    for (const t of [0, 1, 999, 1_000, 53_999_999, 54_000_000, -1, -86_400_001, Date.UTC(2026, 10, 26, 5, 2, 15), 4_102_444_799_999]) {
      expect(kstSecondOfDay(epochMs(t)), String(t)).toBe(kstParts(epochMs(t)).secondOfDay);
    }
  });
  it('adds days across month and year ends and knows the weekday', () => {
    expect(addDays(tradingDate('20261231'), 1)).toBe('20270101');
    expect(addDays(tradingDate('20260301'), -1)).toBe('20260228');
    expect(weekdayOf(tradingDate('20261128'))).toBe(6);
  });
});

describe('ids', () => {
  it('intent keys are deterministic and safe as BullMQ job ids (no ":", not all digits)', () => {
    const parts = { strategy: 'momentum volume', symbol: stockCode('005930'), side: 'buy' as const, date: tradingDate('20261126'), signal: 'exit:1' };
    const key = makeIntentKey(parts);
    expect(key).toBe(makeIntentKey({ ...parts }));
    expect(key).toBe('i.momentum-volume.005930.buy.20261126.exit-1');
    expect(key).not.toMatch(/:/);
    expect(makeFillKey(tradingDate('20261126'), '0000013178', 1200)).toBe('20261126.0000013178.1200');
    expect(() => stockCode('5930')).toThrow(/six characters/);
  });
});

describe('parseIsoOrCompactDate', () => {
  it('takes YYYYMMDD or YYYY-MM-DD and refuses anything in between, naming it', () => {
    expect(parseIsoOrCompactDate('20261201')).toBe('20261201');
    expect(parseIsoOrCompactDate('2026-12-01')).toBe('20261201');
    expect(() => parseIsoOrCompactDate('2026-1201')).toThrow('expected YYYYMMDD or YYYY-MM-DD, got "2026-1201"');
    expect(() => parseIsoOrCompactDate('2026/12/01')).toThrow('expected YYYYMMDD or YYYY-MM-DD, got "2026/12/01"');
    expect(() => parseIsoOrCompactDate('2026-02-30')).toThrow('no such calendar day');
  });
});
