import { epochMs, formatKst } from '../domain/index.js';

/**
 * CSV as RFC 4180 writes it (docs: https://www.rfc-editor.org/rfc/rfc4180): a header row, fields
 * quoted when they hold a comma, a double quote, CR or LF, quotes inside doubled. Numbers are
 * plain (no thousands separators), so a spreadsheet reads them as numbers.
 *
 * Two renderings: a file gets a UTF-8 byte order mark and CRLF line ends, which is what makes a
 * spreadsheet (Excel above all) read the Korean names as UTF-8; standard output gets neither,
 * because a BOM on the first line and a CR on every line break `| head`, `grep` and `cut`.
 */
export const BOM = '\ufeff';

export type CsvCell = string | number | boolean | null | undefined;

/**
 * A text that a spreadsheet would run as a formula (=, +, -, @ first, or a tab or CR first) gets a
 * leading apostrophe, which the spreadsheet shows as text: a symbol name or a rule in the trade log
 * can come from a user's module or config. Numbers, and text that reads as a plain number, stay.
 */
const FORMULA = /^[=+\-@\t\r]/;
const NUMERIC = /^[+-]?\d+(\.\d+)?$/;

export function csvField(value: CsvCell): string {
  if (value === null || value === undefined) return '';
  let s = String(value);
  if (typeof value === 'string' && FORMULA.test(s) && !NUMERIC.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

const lines = (header: readonly string[], rows: readonly (readonly CsvCell[])[]): string[] =>
  [header, ...rows].map((r) => r.map(csvField).join(','));

/** A whole file: BOM, CRLF after every record (the last one too). */
export function csvFile(header: readonly string[], rows: readonly (readonly CsvCell[])[]): string {
  return BOM + lines(header, rows).map((l) => `${l}\r\n`).join('');
}

/** For standard output: no BOM, records joined by LF, no line end after the last (the caller's out() adds it). */
export function csvText(header: readonly string[], rows: readonly (readonly CsvCell[])[]): string {
  return lines(header, rows).join('\n');
}

/** An instant as a spreadsheet reads a date-time: `2026-12-01 10:01:00`, in KST (the column name says so). */
export function kstCell(t: number | null | undefined): string {
  return typeof t === 'number' ? formatKst(epochMs(t)).slice(0, 19) : '';
}

/**
 * Every epoch-ms column (`at`, or a name ending in `_at`) gets a KST twin right after it:
 * `at` → `at_kst`, `created_at` → `created_kst`. The epoch column stays, for exact sorting and joins.
 */
export function withKstTwins(columns: readonly string[], rows: readonly (readonly unknown[])[]): { header: string[]; rows: CsvCell[][] } {
  const twin = (c: string): string | null => (c === 'at' ? 'at_kst' : c.endsWith('_at') ? `${c.slice(0, -3)}_kst` : null);
  const header = columns.flatMap((c) => { const t = twin(c); return t === null ? [c] : [c, t]; });
  const out = rows.map((r) => columns.flatMap((c, i) => {
    const v = cell(r[i]);
    return twin(c) === null ? [v] : [v, kstCell(typeof v === 'number' ? v : null)];
  }));
  return { header, rows: out };
}

/** SQLite gives numbers, strings, null (and a BigInt or Buffer only for what the trade log never stores). */
function cell(v: unknown): CsvCell {
  if (v === null || v === undefined || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return v.toString();
  return JSON.stringify(v);
}
