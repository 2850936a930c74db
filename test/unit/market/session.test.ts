import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { epochMs, kstInstant, tradingDate } from '../../../src/domain/index.js';
import {
  DEFAULT_SESSION_TIMES, createCalendar, isOrderTypeAllowed, parseCalendarData, sessionBounds, sessionPhase,
} from '../../../src/market/index.js';
import type { SessionPhase } from '../../../src/market/index.js';

const data = parseCalendarData(JSON.parse(readFileSync(new URL('../../../config/krx-calendar.json', import.meta.url), 'utf8')));
const cal = createCalendar(data);
const at = (date: string, hhmmss: string) => kstInstant(tradingDate(date), hhmmss);

describe('sessionPhase on an ordinary day (Mon 2026-01-05)', () => {
  it.each([
    ['000000', 'closed'],
    ['082959', 'closed'],
    ['083000', 'opening-auction'],
    ['085959', 'opening-auction'],
    ['090000', 'regular'],
    ['120000', 'regular'],
    ['151959', 'regular'],
    ['152000', 'closing-auction'],
    ['152959', 'closing-auction'],
    ['153000', 'closed'],
    ['153959', 'closed'],
    ['154000', 'post-close'],
    ['155959', 'post-close'],
    ['160000', 'after-hours'],
    ['175959', 'after-hours'],
    ['180000', 'closed'],
    ['235959', 'closed'],
  ] as const)('%s KST is %s', (time, phase) => {
    expect(sessionPhase(at('20260105', time), cal)).toBe(phase);
  });

  it('uses half-open intervals down to the millisecond', () => {
    expect(sessionPhase(epochMs(at('20260105', '085959') + 999), cal)).toBe('opening-auction');
    expect(sessionPhase(epochMs(at('20260105', '152959') + 999), cal)).toBe('closing-auction');
  });
});

describe('sessionPhase on closed days', () => {
  it.each([
    ['holiday (Seollal)', '20260216'],
    ['Saturday', '20260103'],
    ['year-end closing day', '20261231'],
  ])('%s is closed at 10:00', (_name, date) => {
    expect(sessionPhase(at(date, '100000'), cal)).toBe('closed');
  });

  it('throws for an uncovered year instead of guessing', () => {
    expect(() => sessionPhase(at('20280104', '100000'), cal)).toThrow(expect.objectContaining({ code: 'MARKET_CALENDAR_OUT_OF_RANGE' }));
  });
});

describe('sessionPhase on special days', () => {
  it.each([
    ['083000', 'closed'],
    ['092959', 'closed'],
    ['093000', 'opening-auction'],
    ['095959', 'opening-auction'],
    ['100000', 'regular'],
    ['151959', 'regular'],
    ['152000', 'closing-auction'],
    ['153000', 'closed'],
  ] as const)('2026-01-02 (first trading day) %s is %s', (time, phase) => {
    expect(sessionPhase(at('20260102', time), cal)).toBe(phase);
  });

  it.each([
    ['092959', 'closed'],
    ['093000', 'opening-auction'],
    ['100000', 'regular'],
    ['153000', 'regular'],
    ['161959', 'regular'],
    ['162000', 'closing-auction'],
    ['162959', 'closing-auction'],
    ['163000', 'closed'],
    ['164000', 'post-close'],
    ['170000', 'after-hours'],
    ['185959', 'after-hours'],
    ['190000', 'closed'],
  ] as const)('2026-11-19 (CSAT day) %s is %s', (time, phase) => {
    expect(sessionPhase(at('20261119', time), cal)).toBe(phase);
  });
});

describe('sessionPhase with the 2026 KRX pre-/after-market configured', () => {
  const cal2026 = createCalendar(data, {
    ...DEFAULT_SESSION_TIMES,
    preMarket: { start: '07:00', end: '08:00' },
    postClose: { start: '15:40', end: '16:00' },
    afterHours: { start: '16:00', end: '20:00' },
  });
  it.each([
    ['065959', 'closed'],
    ['070000', 'pre-market'],
    ['075959', 'pre-market'],
    ['080000', 'closed'],
    ['083000', 'opening-auction'],
    ['195959', 'after-hours'],
    ['200000', 'closed'],
  ] as const)('%s KST is %s', (time, phase) => {
    expect(sessionPhase(at('20260105', time), cal2026)).toBe(phase);
  });
});

describe('sessionBounds', () => {
  it('gives the main-session instants of an ordinary day (09:00 KST = 00:00 UTC)', () => {
    expect(sessionBounds(tradingDate('20260105'), cal)).toEqual({
      openingAuctionStart: Date.UTC(2026, 0, 4, 23, 30),
      open: Date.UTC(2026, 0, 5, 0, 0),
      closingAuctionStart: Date.UTC(2026, 0, 5, 6, 20),
      close: Date.UTC(2026, 0, 5, 6, 30),
    });
  });

  it('follows the special hours of CSAT day', () => {
    const b = sessionBounds(tradingDate('20261119'), cal);
    expect(b.open).toBe(at('20261119', '100000'));
    expect(b.close).toBe(at('20261119', '163000'));
    expect(b.closingAuctionStart).toBe(at('20261119', '162000'));
    expect(b.openingAuctionStart).toBe(at('20261119', '093000'));
  });

  it('refuses a holiday', () => {
    expect(() => sessionBounds(tradingDate('20260101'), cal)).toThrow(expect.objectContaining({ code: 'MARKET_NOT_A_TRADING_DAY' }));
  });
});

describe('isOrderTypeAllowed', () => {
  const allowed: SessionPhase[] = ['opening-auction', 'regular', 'closing-auction'];
  const refused: SessionPhase[] = ['closed', 'pre-market', 'post-close', 'after-hours'];
  it.each(allowed.flatMap((p) => [[p, 'limit'], [p, 'market']] as const))('%s accepts %s', (phase, type) => {
    expect(isOrderTypeAllowed(phase, type)).toBe(true);
  });
  it.each(refused.flatMap((p) => [[p, 'limit'], [p, 'market']] as const))('%s refuses %s', (phase, type) => {
    expect(isOrderTypeAllowed(phase, type)).toBe(false);
  });
});
