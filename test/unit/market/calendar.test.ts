import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { tradingDate } from '../../../src/domain/index.js';
import { DEFAULT_SESSION_TIMES, createCalendar, parseCalendarData } from '../../../src/market/index.js';
import type { SessionTimes } from '../../../src/market/index.js';

const data = parseCalendarData(JSON.parse(readFileSync(new URL('../../../config/krx-calendar.json', import.meta.url), 'utf8')));
const cal = createCalendar(data);
const d = tradingDate;

describe('2026 calendar from config/krx-calendar.json', () => {
  // docs/kis-wire.md §11.7, typed out here independently of the config file
  it.each([
    '20260101', '20260216', '20260217', '20260218', '20260302', '20260501', '20260505', '20260525',
    '20260603', '20260717', '20260817', '20260924', '20260925', '20261005', '20261009', '20261225', '20261231',
  ])('holiday %s is closed', (date) => {
    expect(cal.isTradingDay(d(date))).toBe(false);
  });

  it.each(['20260103', '20260104', '20260214', '20260215', '20260606', '20261226', '20261227'])('weekend %s is closed', (date) => {
    expect(cal.isTradingDay(d(date))).toBe(false);
  });

  it.each(['20260102', '20260105', '20260213', '20260219', '20260604', '20261119', '20261230'])('weekday %s is open', (date) => {
    expect(cal.isTradingDay(d(date))).toBe(true);
  });

  it.each([
    ['20260213', '20260219'], // Fri before Seollal → Thu after
    ['20260214', '20260219'],
    ['20260101', '20260102'],
    ['20260227', '20260303'], // 3/2 substitute holiday
    ['20260923', '20260928'], // Chuseok Thu–Fri + weekend
    ['20261002', '20261006'],
    ['20261229', '20261230'],
    ['20260716', '20260720'], // Constitution Day (Fri), a public holiday again since February 2026
  ])('next trading day after %s is %s', (from, next) => {
    expect(cal.nextTradingDay(d(from))).toBe(next);
  });

  it.each([
    ['20260219', '20260213'],
    ['20260216', '20260213'],
    ['20260105', '20260102'],
    ['20260303', '20260227'],
    ['20260928', '20260923'],
    ['20261231', '20261230'],
    ['20260720', '20260716'],
  ])('previous trading day before %s is %s', (from, prev) => {
    expect(cal.previousTradingDay(d(from))).toBe(prev);
  });

  it.each([
    ['isTradingDay 2028-01-04', () => cal.isTradingDay(d('20280104'))],
    ['isTradingDay 2025-12-30', () => cal.isTradingDay(d('20251230'))],
    ['nextTradingDay after the last covered session', () => cal.nextTradingDay(d('20271230'))],
    ['previousTradingDay before the first 2026 session', () => cal.previousTradingDay(d('20260102'))],
  ])('refuses an uncovered year: %s', (_name, call) => {
    expect(call).toThrow(expect.objectContaining({ code: 'MARKET_CALENDAR_OUT_OF_RANGE' }));
    expect(call).toThrow(/config\/krx-calendar\.json.*broker holiday sync/);
  });
});

describe('year boundary within the covered range', () => {
  const twoYears = createCalendar(parseCalendarData({
    coveredYears: [2025, 2026],
    holidays: [
      { date: '2025-12-25', reason: 'Christmas' },
      { date: '2025-12-31', reason: 'year-end closing day' },
      { date: '2026-01-01', reason: "New Year's Day" },
    ],
    specialSessions: [],
  }));

  it('steps over the year-end closing day and New Year both ways', () => {
    expect(twoYears.nextTradingDay(d('20251230'))).toBe('20260102');
    expect(twoYears.previousTradingDay(d('20260102'))).toBe('20251230');
    expect(twoYears.nextTradingDay(d('20251224'))).toBe('20251226');
  });
});

describe('broker overlay (chk-holiday opnd_yn)', () => {
  const overlaid = cal.withHolidays([
    { date: d('20260604'), open: false }, // a temporary holiday the file does not know
    { date: d('20260603'), open: true }, // the broker says open on a listed holiday
    { date: d('20280104'), open: true }, // a day in an uncovered year
  ]);

  it('wins over the file in both directions and answers for uncovered days it lists', () => {
    expect(overlaid.isTradingDay(d('20260604'))).toBe(false);
    expect(overlaid.isTradingDay(d('20260603'))).toBe(true);
    expect(overlaid.isTradingDay(d('20280104'))).toBe(true);
    expect(overlaid.nextTradingDay(d('20260602'))).toBe('20260603');
    expect(overlaid.nextTradingDay(d('20260603'))).toBe('20260605');
  });

  it('leaves the original calendar unchanged, and a later overlay replaces an earlier one', () => {
    expect(cal.isTradingDay(d('20260604'))).toBe(true);
    expect(cal.isTradingDay(d('20260603'))).toBe(false);
    expect(overlaid.withHolidays([{ date: d('20260604'), open: true }]).isTradingDay(d('20260604'))).toBe(true);
  });
});

describe('sessionTimesFor', () => {
  it('gives the defaults on an ordinary day', () => {
    expect(cal.sessionTimesFor(d('20260105'))).toEqual(DEFAULT_SESSION_TIMES);
  });

  it('shifts the opening side on the first trading day (10:00 open)', () => {
    expect(cal.sessionTimesFor(d('20260102'))).toEqual({ ...DEFAULT_SESSION_TIMES, openingAuctionStart: '09:30', open: '10:00' });
  });

  it('shifts the whole day on CSAT day (10:00–16:30)', () => {
    expect(cal.sessionTimesFor(d('20261119'))).toEqual({
      preMarket: null,
      openingAuctionStart: '09:30',
      open: '10:00',
      closingAuctionStart: '16:20',
      close: '16:30',
      postClose: { start: '16:40', end: '17:00' },
      afterHours: { start: '17:00', end: '19:00' },
    });
  });

  it('shifts configured pre-market and after-market sessions too', () => {
    const times2026: SessionTimes = {
      ...DEFAULT_SESSION_TIMES,
      preMarket: { start: '07:00', end: '08:00' },
      afterHours: { start: '16:00', end: '20:00' },
    };
    const t = createCalendar(data, times2026).sessionTimesFor(d('20261119'));
    expect(t.preMarket).toEqual({ start: '08:00', end: '09:00' });
    expect(t.afterHours).toEqual({ start: '17:00', end: '21:00' });
  });

  it.each([
    ['open after closing auction', { ...DEFAULT_SESSION_TIMES, open: '15:25' }],
    ['malformed time', { ...DEFAULT_SESSION_TIMES, close: '3:30pm' }],
    ['post-close before close', { ...DEFAULT_SESSION_TIMES, postClose: { start: '15:10', end: '16:00' } }],
    ['pre-market overlapping the auction', { ...DEFAULT_SESSION_TIMES, preMarket: { start: '08:00', end: '08:45' } }],
    ['empty after-hours', { ...DEFAULT_SESSION_TIMES, afterHours: { start: '18:00', end: '18:00' } }],
  ])('createCalendar rejects session times with %s', (_name, times) => {
    expect(() => createCalendar(data, times)).toThrow(expect.objectContaining({ code: 'MARKET_INVALID_SESSION_TIMES' }));
  });

  it('createCalendar rejects a special session whose shifted hours are impossible', () => {
    const bad = parseCalendarData({ coveredYears: [2026], holidays: [], specialSessions: [{ date: '2026-03-03', close: '09:05', reason: 'x' }] });
    expect(() => createCalendar(bad)).toThrow(expect.objectContaining({ code: 'MARKET_CALENDAR_INVALID' }));
    expect(() => createCalendar(bad)).toThrow('20260303');
  });
});
