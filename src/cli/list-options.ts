import { parseIsoOrCompactDate, tradingDate } from '../domain/index.js';
import type { TradingDate } from '../domain/index.js';
import type { DateRange } from '../store/index.js';

/**
 * The options every list command shares: a range of trading dates and the output format.
 * Usage errors are values, so the command prints them and exits 2 like commander does.
 */
export interface DateRangeOptions { date?: string; from?: string; to?: string }
export interface FormatOptions { json?: boolean; csv?: boolean }

export type { DateRange };

export const DATE_HELP = 'YYYYMMDD or YYYY-MM-DD';

/** A bound the SQL BETWEEN can take for an open side (trading dates are 'YYYYMMDD' strings). */
export const EARLIEST = tradingDate('19000101');
export const LATEST = tradingDate('99991231');

export function parseDate(option: string, value: string): { date: TradingDate } | { error: string } {
  try {
    return { date: parseIsoOrCompactDate(value) };
  } catch {
    return { error: `${option}: expected ${DATE_HELP}, got "${value}"` };
  }
}

/**
 * --date D is --from D --to D; --from alone runs on without an end, --to alone from the start of
 * the log; none: `fallback` (today for the lists, everything for export).
 */
export function dateRange(opts: DateRangeOptions, fallback: DateRange): { range: DateRange } | { error: string } {
  if (opts.date !== undefined && (opts.from !== undefined || opts.to !== undefined)) {
    const others = [opts.from === undefined ? '' : `--from ${opts.from}`, opts.to === undefined ? '' : `--to ${opts.to}`].filter(Boolean).join(' ');
    return { error: `--date cannot be combined with --from/--to (--date D is --from D --to D), got --date ${opts.date} and ${others}` };
  }
  const parsed: Record<'date' | 'from' | 'to', TradingDate | null> = { date: null, from: null, to: null };
  for (const k of ['date', 'from', 'to'] as const) {
    const v = opts[k];
    if (v === undefined) continue;
    const d = parseDate(`--${k}`, v);
    if ('error' in d) return d;
    parsed[k] = d.date;
  }
  if (parsed.date !== null) return { range: { from: parsed.date, to: parsed.date } };
  if (parsed.from === null && parsed.to === null) return { range: fallback };
  if (parsed.from !== null && parsed.to !== null && parsed.from > parsed.to) {
    return { error: `--from ${parsed.from} is after --to ${parsed.to}` };
  }
  return { range: { from: parsed.from, to: parsed.to } };
}

/** For a heading: "on 20261201", "from 20261201 to 20261202", "from 20261201", "through 20261202", "in the whole log". */
export function describeRange(r: DateRange): string {
  if (r.from !== null && r.from === r.to) return `on ${r.from}`;
  if (r.from !== null && r.to !== null) return `from ${r.from} to ${r.to}`;
  if (r.from !== null) return `from ${r.from}`;
  if (r.to !== null) return `through ${r.to}`;
  return 'in the whole log';
}

export const bounds = (r: DateRange): [TradingDate, TradingDate] => [r.from ?? EARLIEST, r.to ?? LATEST];

export function formatError(opts: FormatOptions): string | null {
  return opts.json && opts.csv ? '--json and --csv cannot be combined: choose one' : null;
}

export const CSV_HELP = 'print CSV (header row; plain numbers; times in KST; no BOM, LF line ends, for pipes: `export` writes spreadsheet files)';
