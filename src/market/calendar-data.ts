import { AppError, parseClockTime, parseIsoOrCompactDate } from '../domain/index.js';
import type { TradingDate } from '../domain/index.js';

/** A trading day with moved hours; the rest of the day shifts with it (see shiftSessionTimes). */
export interface SpecialSession {
  date: TradingDate;
  /** 'HH:MM' KST, e.g. '10:00' on the first trading day of the year */
  open?: string;
  /** 'HH:MM' KST, e.g. '16:30' on CSAT day */
  close?: string;
  reason: string;
}

export interface Holiday {
  date: TradingDate;
  reason: string;
}

/** The contents of config/krx-calendar.json (dates there may be 'YYYY-MM-DD' or 'YYYYMMDD'). */
export interface CalendarData {
  holidays: Holiday[];
  specialSessions: SpecialSession[];
  /** years whose holidays are complete in this data; other years are refused, never guessed */
  coveredYears: number[];
}

function fail(message: string): never {
  throw new AppError('MARKET_CALENDAR_INVALID', `calendar data: ${message}`);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Unknown keys are errors, as with z.strictObject elsewhere: a typo like "opne" must not be ignored. */
function checkKeys(obj: Record<string, unknown>, allowed: readonly string[], where: string): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) fail(`${where}: unknown key "${key}" (allowed: ${allowed.join(', ')})`);
  }
}

function arrayField(obj: Record<string, unknown>, key: string): unknown[] {
  const v = obj[key];
  if (!Array.isArray(v)) fail(`"${key}" must be an array`);
  return v;
}

function dateField(entry: Record<string, unknown>, where: string, years: ReadonlySet<number>): TradingDate {
  const v = entry.date;
  if (typeof v !== 'string') fail(`${where}.date must be a string 'YYYY-MM-DD', got ${JSON.stringify(v)}`);
  let d: TradingDate;
  try {
    d = parseIsoOrCompactDate(v);
  } catch {
    fail(`${where}.date is not a calendar day: "${v}"`);
  }
  const year = Number(d.slice(0, 4));
  if (!years.has(year)) fail(`${where}.date ${v}: year ${year} is not in coveredYears`);
  return d;
}

function reasonField(entry: Record<string, unknown>, where: string): string {
  const v = entry.reason;
  if (typeof v !== 'string' || v.trim() === '') fail(`${where}.reason must be a non-empty string`);
  return v;
}

function timeField(entry: Record<string, unknown>, key: 'open' | 'close', where: string): string | undefined {
  const v = entry[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') fail(`${where}.${key} must be a string 'HH:MM', got ${JSON.stringify(v)}`);
  try {
    parseClockTime(v);
  } catch {
    fail(`${where}.${key} must be 'HH:MM', got "${v}"`);
  }
  return v;
}

function parseCoveredYears(obj: Record<string, unknown>): number[] {
  const raw = arrayField(obj, 'coveredYears');
  if (raw.length === 0) fail('"coveredYears" must list at least one year');
  const years: number[] = [];
  raw.forEach((y, i) => {
    if (typeof y !== 'number' || !Number.isInteger(y) || y < 2000 || y > 2100) {
      fail(`coveredYears[${i}] must be a year like 2026, got ${JSON.stringify(y)}`);
    }
    if (years.includes(y)) fail(`coveredYears[${i}]: ${y} is listed twice`);
    years.push(y);
  });
  return years;
}

/**
 * Validates config/krx-calendar.json by hand (market/ may not import zod, docs/architecture.md §4). Every
 * error names the entry index and field. Dates come back as compact TradingDates.
 */
export function parseCalendarData(json: unknown): CalendarData {
  if (!isRecord(json)) fail('expected an object with holidays, specialSessions and coveredYears');
  // "comment" lets the file say where its dates come from; JSON has no comments
  checkKeys(json, ['holidays', 'specialSessions', 'coveredYears', 'comment'], 'top level');
  const coveredYears = parseCoveredYears(json);
  const years = new Set(coveredYears);

  const seen = new Set<string>();
  const holidays = arrayField(json, 'holidays').map((raw, i): Holiday => {
    const where = `holidays[${i}]`;
    if (!isRecord(raw)) fail(`${where} must be an object {date, reason}`);
    checkKeys(raw, ['date', 'reason'], where);
    const date = dateField(raw, where, years);
    if (seen.has(date)) fail(`${where}.date ${date} is listed twice`);
    seen.add(date);
    return { date, reason: reasonField(raw, where) };
  });

  const special = new Set<string>();
  const specialSessions = arrayField(json, 'specialSessions').map((raw, i): SpecialSession => {
    const where = `specialSessions[${i}]`;
    if (!isRecord(raw)) fail(`${where} must be an object {date, open?, close?, reason}`);
    checkKeys(raw, ['date', 'open', 'close', 'reason'], where);
    const date = dateField(raw, where, years);
    if (seen.has(date)) fail(`${where}.date ${date} is also a holiday`);
    if (special.has(date)) fail(`${where}.date ${date} is listed twice`);
    special.add(date);
    const open = timeField(raw, 'open', where);
    const close = timeField(raw, 'close', where);
    if (open === undefined && close === undefined) fail(`${where} must set open, close or both`);
    if (open !== undefined && close !== undefined && parseClockTime(open) >= parseClockTime(close)) {
      fail(`${where}: open ${open} must be before close ${close}`);
    }
    const s: SpecialSession = { date, reason: reasonField(raw, where) };
    if (open !== undefined) s.open = open;
    if (close !== undefined) s.close = close;
    return s;
  });

  return { holidays, specialSessions, coveredYears };
}
