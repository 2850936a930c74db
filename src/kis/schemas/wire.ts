import { z } from 'zod';
import { BRANCH_NUMBER_WIDTH, canonicalOrderNumber, krw, ORDER_NUMBER_WIDTH, shares, stockCode, stripControlChars, tradingDate } from '../../domain/index.js';
import type { Krw, Shares, StockCode, TradingDate } from '../../domain/index.js';
import { invalidResponse } from '../errors.js';

/**
 * Wire scalars (docs/kis-wire.md §2.4): KIS sends every value as a string — integers, decimals,
 * signed numbers, sometimes with a leading space (" 0.00"), and "" for "no value". These
 * schemas trim, map "" explicitly, and turn numbers into integers; a decimal becomes an integer
 * only through an explicit rounding (decimalInt) so no fraction of a won slips through.
 */
type Result<T> = { ok: true; value: T } | { ok: false; problem: string };
const ok = <T>(value: T): Result<T> => ({ ok: true, value });
const bad = <T>(problem: string): Result<T> => ({ ok: false, problem });

const raw = z.union([z.string(), z.number()]);

function scalar<T>(convert: (s: string) => Result<T>) {
  return raw.transform((v, ctx) => {
    const r = convert(typeof v === 'number' ? String(v) : v.trim());
    if (!r.ok) {
      ctx.addIssue({ code: 'custom', message: r.problem });
      return z.NEVER;
    }
    return r.value;
  });
}

const DECIMAL_RE = /^([+-])?(\d*)(?:\.(\d*))?$/;

/**
 * A decimal string times 10^scale as an integer, rounded half away from zero; null if not a
 * number. BigInt keeps it exact for amounts above 2^53 before the safe-integer check.
 */
export function scaledDecimal(s: string, scale: number): number | null {
  const m = DECIMAL_RE.exec(s);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return null;
  const neg = m[1] === '-';
  const intPart = m[2] === '' ? '0' : (m[2] ?? '0');
  const frac = m[3] ?? '';
  const kept = frac.slice(0, scale).padEnd(scale, '0');
  const nextDigit = frac.length > scale ? Number(frac[scale]) : 0;
  let n = BigInt(intPart + kept);
  if (nextDigit >= 5) n += 1n;
  const v = Number(neg ? -n : n);
  return Number.isSafeInteger(v) ? (v === 0 ? 0 : v) : null;
}

function parseInteger(s: string, emptyAs: number): Result<number> {
  if (s === '') return ok(emptyAs);
  const m = DECIMAL_RE.exec(s);
  if (!m) return bad('expected a numeric string');
  if (/[1-9]/.test(m[3] ?? '')) return bad('expected a whole number, got a fraction');
  const v = scaledDecimal(s, 0);
  return v === null ? bad('expected a numeric string') : ok(v);
}

/** Integer; "" → 0. */
export const int = scalar<number>((s) => parseInteger(s, 0));
/** Integer won; "" → 0. */
export const won = scalar<Krw>((s) => {
  const r = parseInteger(s, 0);
  return r.ok ? ok(krw(r.value)) : bad(r.problem);
});
/** Non-negative share count; "" → 0. */
export const qty = scalar<Shares>((s) => {
  const r = parseInteger(s, 0);
  if (!r.ok) return bad(r.problem);
  return r.value < 0 ? bad('expected a non-negative quantity') : ok(shares(r.value));
});
/**
 * Numbers KIS cannot mean are refused here, never passed on (issue #8 §5: malformed answers
 * printed negative prices and cash): a price is whole won > 0; "0" only where the field says
 * "none" (an empty book level, a market order's ord_unpr, avg_prvs with no fill, §6.2, §7.4).
 */
function nonNegative(problem: string) {
  return (s: string): Result<Krw> => {
    const r = parseInteger(s, 0);
    if (!r.ok) return bad(r.problem);
    return r.value < 0 ? bad(problem) : ok(krw(r.value));
  };
}
/** A price: whole won > 0 (no "" either). */
export const price = scalar<Krw>((s) => {
  if (s === '') return bad('expected a price, got ""');
  const r = nonNegative('expected a positive price')(s);
  if (r.ok && r.value === 0) return bad('expected a positive price, got 0');
  return r;
});
/** A price where "0" (or "") means "none": whole won ≥ 0. */
export const priceOrNone = scalar<Krw>(nonNegative('expected a price ≥ 0 ("0" = none), got a negative one'));
/** An amount KIS never sends negative (cash, traded value, purchase amount): whole won ≥ 0; "" → 0. */
export const amount = scalar<Krw>(nonNegative('expected a non-negative amount'));
/** A decimal price (an average "68450.0000") rounded half-up to whole won, ≥ 0 ("0" = none); "" → 0. */
export const decimalPriceOrNone = scalar<Krw>((s) => {
  if (s === '') return ok(krw(0));
  const v = scaledDecimal(s, 0);
  if (v === null) return bad('expected a decimal string');
  return v < 0 ? bad('expected a price ≥ 0 ("0" = none), got a negative one') : ok(krw(v));
});

/**
 * For a refinement: `value` must lie inside [lower, upper], the day's limits (stck_llam /
 * stck_mxpr, §6.1) carried by the same answer. Reports at `path`, without the values.
 */
export function checkInsideLimits(ctx: z.RefinementCtx, path: PropertyKey[], value: number, lower: number, upper: number): void {
  if (value < lower || value > upper) {
    ctx.addIssue({ code: 'custom', path, message: "price outside the day's limits (stck_llam..stck_mxpr)" });
  }
}

/** A decimal amount (e.g. an average price "68450.0000") rounded half-up to whole won; "" → 0. */
export const decimalWon = scalar<Krw>((s) => {
  if (s === '') return ok(krw(0));
  const v = scaledDecimal(s, 0);
  return v === null ? bad('expected a decimal string') : ok(krw(v));
});
/** A percentage ("-0.46", "29.92") as integer basis points, rounded half away from zero; "" → 0. */
export const percentBp = scalar<number>((s) => {
  if (s === '') return ok(0);
  const v = scaledDecimal(s, 2);
  return v === null ? bad('expected a percentage string') : ok(v);
});
/** A percentage, or null when KIS leaves it blank. */
export const percentBpOrNull = scalar<number | null>((s) => {
  if (s === '') return ok(null);
  const v = scaledDecimal(s, 2);
  return v === null ? bad('expected a percentage string') : ok(v);
});
/** Trimmed text without control characters or terminal escape sequences (names end up on terminals). */
export const text = scalar<string>((s) => ok(stripControlChars(s).trim()));
/** 'YYYYMMDD' (KST) → TradingDate. */
export const date = scalar((s) => (/^\d{8}$/.test(s) ? safe(() => tradingDate(s), 'expected a YYYYMMDD date') : bad<TradingDate>('expected a YYYYMMDD date')));
/** 'YYYYMMDD' or "" → null. */
export const dateOrNull = scalar((s) => (s === '' ? ok<TradingDate | null>(null) : /^\d{8}$/.test(s) ? safe<TradingDate | null>(() => tradingDate(s), 'expected a YYYYMMDD date') : bad<TradingDate | null>('expected a YYYYMMDD date or ""')));
/** 'HHMMSS' (KST) or "" → null. */
export const timeOrNull = scalar((s) => (s === '' ? ok<string | null>(null) : /^([01]\d|2[0-3])[0-5]\d[0-5]\d$/.test(s) ? ok<string | null>(s) : bad<string | null>('expected an HHMMSS time')));
/** 'Y' → true; 'N' / "" → false. */
export const yn = scalar<boolean>((s) => (s === 'Y' || s === 'y' ? ok(true) : s === 'N' || s === 'n' || s === '' ? ok(false) : bad<boolean>('expected Y or N')));
/** An order number (ODNO), padded to ten digits however it arrived (docs/kis-wire.md §7.9). */
export const orderNo = scalar((s) => {
  const v = canonicalOrderNumber(s, ORDER_NUMBER_WIDTH);
  return v === null || /^0+$/.test(v) ? bad<string>('expected an order number (digits, not all zero)') : ok(v);
});
/** A branch number (KRX_FWDG_ORD_ORGNO / ord_gno_brno), padded to five digits. */
export const branchNo = scalar((s) => {
  const v = canonicalOrderNumber(s, BRANCH_NUMBER_WIDTH);
  return v === null ? bad<string>('expected a branch number (digits)') : ok(v);
});
/** orgn_odno: "" or all zeros mean "no original order" (a new order); anything else is padded. */
export const originalOrderNo = scalar((s) => {
  if (s === '' || /^0+$/.test(s)) return ok<string | null>(null);
  const v = canonicalOrderNumber(s, ORDER_NUMBER_WIDTH);
  return v === null ? bad<string | null>('expected an order number, "" or zeros') : ok<string | null>(v);
});
/** A KRX short code. */
export const code = scalar((s) => safe<StockCode>(() => stockCode(s), 'expected a stock code like 005930'));

function safe<T>(fn: () => T, problem: string): Result<T> {
  try {
    return ok(fn());
  } catch {
    return bad(problem);
  }
}

/**
 * KIS mixes key case between sheets and examples (docs/kis-wire.md §2.4, §13.2): lower-case every key
 * so one schema reads `ODNO` and `odno`, `Output` and `output`. Values are left untouched.
 */
export function lowerKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(lowerKeys);
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k.toLowerCase()] = lowerKeys(v);
    return out;
  }
  return value;
}

export function formatPath(path: readonly PropertyKey[]): string {
  let s = '';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : s === '' ? String(p) : `.${String(p)}`;
  return s;
}

export interface ParseContext {
  endpoint: string;
  trId: string | null;
  status: number;
}

/**
 * Validates a body (keys already lower-cased) and returns the typed value, or throws
 * KIS_RESPONSE_INVALID naming the endpoint, the field path and the problem — never the values,
 * which may hold tokens or account numbers.
 */
export function parseWire<S extends z.ZodType>(schema: S, body: unknown, ctx: ParseContext): z.output<S> {
  const r = schema.safeParse(body, { reportInput: false });
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const more = r.error.issues.length > 1 ? ` (+${r.error.issues.length - 1} more)` : '';
  throw invalidResponse(ctx.endpoint, ctx.trId, ctx.status, issue ? formatPath(issue.path) : '', `${issue?.message ?? 'invalid'}${more}`);
}
