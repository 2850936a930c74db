import { AppError } from './errors.js';

/**
 * Instants are UTC epoch milliseconds; trading dates are 'YYYYMMDD' strings in KST, as KIS
 * writes them (docs/architecture.md §5). Korea has no daylight saving time, so KST is a fixed UTC+9 and
 * all conversions here are arithmetic, independent of the process TZ.
 *
 * This file is the only place in the pure folders allowed to read the wall clock.
 */
export type EpochMs = number & { readonly __brand: 'EpochMs' };
export type TradingDate = string & { readonly __brand: 'TradingDate' };

export const KST_OFFSET_MS = 9 * 3_600_000;
export const DAY_MS = 86_400_000;

export function epochMs(value: number): EpochMs {
  if (!Number.isSafeInteger(value)) throw new AppError('DOMAIN_INVALID_DATE', `not an epoch-ms instant: ${value}`);
  return value as EpochMs;
}

const DATE_RE = /^(\d{4})(\d{2})(\d{2})$/;

export function tradingDate(value: string): TradingDate {
  const m = DATE_RE.exec(value);
  if (!m) throw new AppError('DOMAIN_INVALID_DATE', `trading date must be YYYYMMDD, got "${value}"`);
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = Date.UTC(y, mo - 1, d);
  const back = new Date(t);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) {
    throw new AppError('DOMAIN_INVALID_DATE', `no such calendar day: "${value}"`);
  }
  return value as TradingDate;
}

/** Accepts 'YYYY-MM-DD' or 'YYYYMMDD' and nothing else ('2026-1201' is a typo, not a date). */
export function parseIsoOrCompactDate(value: string): TradingDate {
  if (!/^\d{8}$/.test(value) && !/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    throw new AppError('DOMAIN_INVALID_DATE', `expected YYYYMMDD or YYYY-MM-DD, got "${value}"`);
  }
  return tradingDate(value.replaceAll('-', ''));
}

export interface KstParts {
  date: TradingDate;
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** 0 = Sunday … 6 = Saturday */
  weekday: number;
  /** seconds since 00:00 KST */
  secondOfDay: number;
}

export function kstParts(t: EpochMs): KstParts {
  const d = new Date(t + KST_OFFSET_MS);
  const year = d.getUTCFullYear();
  const month = d.getUTCMonth() + 1;
  const day = d.getUTCDate();
  const hour = d.getUTCHours();
  const minute = d.getUTCMinutes();
  const second = d.getUTCSeconds();
  const date = `${year}${String(month).padStart(2, '0')}${String(day).padStart(2, '0')}` as TradingDate;
  return { date, year, month, day, hour, minute, second, weekday: d.getUTCDay(), secondOfDay: hour * 3600 + minute * 60 + second };
}

/** kstParts(t).secondOfDay without building the date: volume projections ask for it on every evaluation. */
export function kstSecondOfDay(t: EpochMs): number {
  const ms = (t + KST_OFFSET_MS) % DAY_MS;
  return Math.floor((ms < 0 ? ms + DAY_MS : ms) / 1000);
}

export function kstDateOf(t: EpochMs): TradingDate {
  return kstParts(t).date;
}

/** The instant of `date` at `hhmmss` KST (e.g. KIS ORD_TMD '140215'). */
export function kstInstant(date: TradingDate, hhmmss = '000000'): EpochMs {
  const m = /^(\d{2}):?(\d{2}):?(\d{2})?$/.exec(hhmmss);
  if (!m) throw new AppError('DOMAIN_INVALID_DATE', `time must be HHMMSS, got "${hhmmss}"`);
  const [h, mi, s] = [Number(m[1]), Number(m[2]), Number(m[3] ?? '0')];
  if (h > 23 || mi > 59 || s > 59) throw new AppError('DOMAIN_INVALID_DATE', `no such time of day: "${hhmmss}"`);
  const dm = DATE_RE.exec(date);
  if (!dm) throw new AppError('DOMAIN_INVALID_DATE', `trading date must be YYYYMMDD, got "${date}"`);
  return epochMs(Date.UTC(Number(dm[1]), Number(dm[2]) - 1, Number(dm[3]), h, mi, s) - KST_OFFSET_MS);
}

/** 'HH:MM' or 'HH:MM:SS' → seconds since midnight. */
export function parseClockTime(value: string): number {
  const m = /^(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value);
  if (!m) throw new AppError('DOMAIN_INVALID_DATE', `time of day must be HH:MM, got "${value}"`);
  const [h, mi, s] = [Number(m[1]), Number(m[2]), Number(m[3] ?? '0')];
  if (h > 24 || mi > 59 || s > 59 || (h === 24 && (mi > 0 || s > 0))) {
    throw new AppError('DOMAIN_INVALID_DATE', `no such time of day: "${value}"`);
  }
  return h * 3600 + mi * 60 + s;
}

export function addDays(date: TradingDate, days: number): TradingDate {
  return kstDateOf(epochMs(kstInstant(date) + days * DAY_MS));
}

/** 0 = Sunday … 6 = Saturday */
export function weekdayOf(date: TradingDate): number {
  return kstParts(kstInstant(date, '120000')).weekday;
}

export function formatDate(date: TradingDate): string {
  return `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}`;
}

export function formatKst(t: EpochMs): string {
  const p = kstParts(t);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${formatDate(p.date)} ${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)} KST`;
}

/** Everything that needs "now" receives a Clock. */
export interface Clock {
  now(): EpochMs;
}

export const systemClock: Clock = { now: () => Date.now() as EpochMs };

export interface ManualClock extends Clock {
  set(t: EpochMs): void;
  advance(ms: number): void;
}

/** A clock that moves only when told to: for tests and the backtester. */
export function createManualClock(start: EpochMs): ManualClock {
  let t = start;
  return {
    now: () => t,
    set: (next) => { t = next; },
    advance: (ms) => { t = epochMs(t + ms); },
  };
}

/**
 * A clock that runs `speed` times faster than `base`, starting at `start` when created.
 * The simulator and sim mode use it to place a day of trading at any hour.
 */
export function createShiftedClock(base: Clock, start: EpochMs, speed = 1): Clock {
  const origin = base.now();
  return { now: () => epochMs(start + Math.floor((base.now() - origin) * speed)) };
}
