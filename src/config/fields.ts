import { z } from 'zod';
import { stockCode, tradingDate } from '../domain/index.js';

/**
 * Reusable field builders for the config schema. Custom messages are written in the
 * `path: reason` voice the loader prints, so they read well after the key path.
 */

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;

/** A KST wall-clock time 'HH:MM'. */
export function clockTime(defaultValue: string) {
  return z.string().regex(HHMM, { error: 'expected a KST time HH:MM (00:00–23:59)' }).default(defaultValue);
}

/** An interval of the KRX day; `end` must come after `start` (checked in cross-checks). */
export function session(defaults: { start: string; end: string } | null) {
  return z.strictObject({
    start: z.string().regex(HHMM, { error: 'expected a KST time HH:MM (00:00–23:59)' }),
    end: z.string().regex(HHMM, { error: 'expected a KST time HH:MM (00:00–23:59)' }),
  }).nullable().default(defaults);
}

function isValid(parse: (v: string) => unknown, value: string): boolean {
  try {
    parse(value);
    return true;
  } catch {
    return false;
  }
}

/** Same rule as domain stockCode(), so config and domain never disagree on what a code is. */
export const stockCodeField = z.string().refine((v) => isValid(stockCode, v), {
  error: 'expected a six-character KRX stock code like 005930',
});

export const tradingDateField = z.string().refine((v) => isValid(tradingDate, v), {
  error: 'expected a KST trading date YYYYMMDD',
});

/** Integer won; money is never fractional (docs/architecture.md §5). */
export function won(defaultValue: number, max = Number.MAX_SAFE_INTEGER) {
  return z.int().min(0).max(max).default(defaultValue);
}

export function ms(defaultValue: number, min = 1, max = 600_000) {
  return z.int().min(min).max(max).default(defaultValue);
}

export function minutes(defaultValue: number, min: number, max: number) {
  return z.int().min(min).max(max).default(defaultValue);
}

/** A percent that may carry decimals (e.g. 0.5); consumers convert to bp with explicit rounding. */
export function percent(defaultValue: number, min: number, max: number) {
  return z.number().min(min).max(max).default(defaultValue);
}

export function httpUrl() {
  return z.url({ protocol: /^https?$/, error: 'expected an http(s) URL like https://host:port' });
}

export function wsUrl() {
  return z.url({ protocol: /^wss?$/, error: 'expected a WebSocket URL like ws://host:port' });
}

export function redisUrl() {
  return z.url({ protocol: /^rediss?$/, error: 'expected a redis:// or rediss:// URL' });
}
