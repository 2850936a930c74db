import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { createCalendar, parseCalendarData } from '../../../src/market/index.js';

const shipped: unknown = JSON.parse(readFileSync(new URL('../../../config/krx-calendar.json', import.meta.url), 'utf8'));

describe('config/krx-calendar.json', () => {
  it('parses, covers 2026 (§11.7) and 2027 (marked unverified), with their special sessions', () => {
    const data = parseCalendarData(shipped);
    expect(data.coveredYears).toEqual([2026, 2027]);
    expect(data.holidays.filter((h) => h.date.startsWith('2026'))).toHaveLength(17);
    // Constitution Day is a public holiday again (law promulgated February 2026), after docs/kis-wire.md §11.7 was written
    expect(data.holidays.find((h) => h.date === '20260717')?.reason).toMatch(/Constitution Day/);
    expect(data.holidays.find((h) => h.date === '20270719')?.reason).toMatch(/Constitution Day.*UNVERIFIED/);
    expect(data.holidays[0]).toEqual({ date: '20260101', reason: "New Year's Day" });
    const y2027 = data.holidays.filter((h) => h.date.startsWith('2027'));
    expect(y2027.length).toBeGreaterThan(10);
    for (const h of y2027) expect(h.reason).toMatch(/UNVERIFIED/);
    expect(data.specialSessions.map((s) => [s.date, s.open, s.close])).toEqual([
      ['20260102', '10:00', undefined],
      ['20261119', '10:00', '16:30'],
      ['20270104', '10:00', undefined],
    ]);
    expect(data.specialSessions[1]!.reason).toMatch(/uncertain/i);
    expect(() => createCalendar(data)).not.toThrow();
  });
});

const valid = {
  coveredYears: [2026],
  holidays: [
    { date: '2026-01-01', reason: "New Year's Day" },
    { date: '20260216', reason: 'Seollal' },
  ],
  specialSessions: [{ date: '2026-01-02', open: '10:00', reason: 'first day' }],
};

/** `valid` with one change made by `edit` on a deep copy */
function variant(edit: (d: Record<string, unknown> & typeof valid) => void): unknown {
  const copy = structuredClone(valid) as Record<string, unknown> & typeof valid;
  edit(copy);
  return copy;
}

describe('parseCalendarData', () => {
  it('accepts ISO and compact dates and returns compact TradingDates', () => {
    const data = parseCalendarData(valid);
    expect(data.holidays.map((h) => h.date)).toEqual(['20260101', '20260216']);
    expect(data.specialSessions).toEqual([{ date: '20260102', open: '10:00', reason: 'first day' }]);
  });

  it.each([
    ['not an object', [], /expected an object/],
    ['holidays missing', variant((d) => { delete (d as Partial<typeof valid>).holidays; }), /"holidays" must be an array/],
    ['unknown top-level key', variant((d) => { d.holiday = []; }), /top level: unknown key "holiday"/],
    ['coveredYears empty', variant((d) => { d.coveredYears = []; }), /coveredYears" must list at least one year/],
    ['coveredYears not a year', variant((d) => { (d.coveredYears as unknown[]) = [2026, '2027']; }), /coveredYears\[1\] must be a year/],
    ['coveredYears duplicated', variant((d) => { d.coveredYears = [2026, 2026]; }), /coveredYears\[1\]: 2026 is listed twice/],
    ['holiday not an object', variant((d) => { (d.holidays as unknown[])[1] = '2026-02-16'; }), /holidays\[1\] must be an object/],
    ['holiday date impossible', variant((d) => { d.holidays[1]!.date = '2026-02-30'; }), /holidays\[1\]\.date is not a calendar day: "2026-02-30"/],
    ['holiday date a number', variant((d) => { (d.holidays[0] as Record<string, unknown>).date = 20260101; }), /holidays\[0\]\.date must be a string/],
    ['holiday outside coveredYears', variant((d) => { d.holidays[1]!.date = '2027-01-01'; }), /holidays\[1\]\.date 2027-01-01: year 2027 is not in coveredYears/],
    ['holiday duplicated', variant((d) => { d.holidays[1]!.date = '2026-01-01'; }), /holidays\[1\]\.date 20260101 is listed twice/],
    ['holiday reason empty', variant((d) => { d.holidays[0]!.reason = ' '; }), /holidays\[0\]\.reason must be a non-empty string/],
    ['holiday key typo', variant((d) => { (d.holidays[0] as Record<string, unknown>).resaon = 'x'; }), /holidays\[0\]: unknown key "resaon"/],
    ['special open malformed', variant((d) => { d.specialSessions[0]!.open = '25:00'; }), /specialSessions\[0\]\.open must be 'HH:MM', got "25:00"/],
    ['special close not a string', variant((d) => { (d.specialSessions[0] as Record<string, unknown>).close = 1630; }), /specialSessions\[0\]\.close must be a string/],
    ['special open after close', variant((d) => { (d.specialSessions[0] as Record<string, unknown>).close = '09:30'; }), /specialSessions\[0\]: open 10:00 must be before close 09:30/],
    ['special without hours', variant((d) => { delete (d.specialSessions[0] as Record<string, unknown>).open; }), /specialSessions\[0\] must set open, close or both/],
    ['special on a holiday', variant((d) => { d.specialSessions[0]!.date = '2026-02-16'; }), /specialSessions\[0\]\.date 20260216 is also a holiday/],
    ['special key typo', variant((d) => { (d.specialSessions[0] as Record<string, unknown>).opne = '10:00'; }), /specialSessions\[0\]: unknown key "opne"/],
  ])('rejects %s, naming the entry', (_name, input, message) => {
    expect(() => parseCalendarData(input)).toThrow(expect.objectContaining({ code: 'MARKET_CALENDAR_INVALID' }));
    expect(() => parseCalendarData(input)).toThrow(message);
  });
});
