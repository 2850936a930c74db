import { krw, parseIsoOrCompactDate, shares, stockCode } from '../domain/index.js';
import type { DailyBar, TradingDate } from '../domain/index.js';
import { BOM } from './csv.js';

/**
 * Daily bars from a CSV file, for `kis-trader data import` (docs/data.md). Pure: text in, bars or
 * error messages out; nothing is written unless every row is valid.
 *
 * The file: a header row, then one bar a row. Columns (any order, names case-insensitive):
 * `symbol,date,open,high,low,close,volume`, optionally `value` (traded value in won) and `name`
 * (read for the reader's sake, not stored). Dates YYYYMMDD or YYYY-MM-DD; prices whole won;
 * numbers without thousands separators. RFC 4180 framing (https://www.rfc-editor.org/rfc/rfc4180):
 * fields may be quoted, quotes inside doubled, a quoted field may span lines; CRLF or LF line
 * ends; a UTF-8 byte order mark (what a spreadsheet writes) is skipped; blank lines are skipped.
 */
export const BAR_CSV_COLUMNS = ['symbol', 'date', 'open', 'high', 'low', 'close', 'volume'] as const;
export const BAR_CSV_OPTIONAL_COLUMNS = ['value', 'name'] as const;
/** how many problems a failed import prints; the rest are counted */
export const MAX_CSV_ERRORS = 20;

type Column = (typeof BAR_CSV_COLUMNS)[number] | (typeof BAR_CSV_OPTIONAL_COLUMNS)[number];
const KNOWN: readonly string[] = [...BAR_CSV_COLUMNS, ...BAR_CSV_OPTIONAL_COLUMNS];
const COLUMNS_HELP = `${BAR_CSV_COLUMNS.join(',')} and optionally ${BAR_CSV_OPTIONAL_COLUMNS.join(', ')}`;

/** One record and the (1-based) line of the file it starts on. */
export interface CsvRecord {
  line: number;
  fields: string[];
}

/**
 * Splits RFC 4180 text into records. Framing problems (a stray quote, an unclosed quoted field)
 * are reported with their line; the record is still returned as read so the rest can be checked.
 */
export function readCsvRecords(input: string): { records: CsvRecord[]; errors: string[] } {
  const text = input.startsWith(BOM) ? input.slice(BOM.length) : input;
  const records: CsvRecord[] = [];
  const errors: string[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let recordLine = 1;
  let quoted = false;
  let afterQuote = false;
  /** the record's only field was quoted: `""` alone on a line is a record, not a blank line */
  let wasQuoted = false;
  let i = 0;
  const endField = (): void => {
    fields.push(field);
    field = '';
    quoted = false;
    afterQuote = false;
  };
  const endRecord = (): void => {
    endField();
    // a blank line (nothing but spaces, unquoted) is no record
    if (!(fields.length === 1 && fields[0]!.trim() === '' && !wasQuoted)) records.push({ line: recordLine, fields });
    wasQuoted = false;
    fields = [];
  };
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        afterQuote = true;
      } else {
        if (c === '\n') line++;
        field += c;
      }
      i++;
      continue;
    }
    if (c === ',') {
      endField();
    } else if (c === '\r' || c === '\n') {
      endRecord();
      if (c === '\r' && text[i + 1] === '\n') i++;
      line++;
      recordLine = line;
    } else if (c === '"' && field === '' && !afterQuote) {
      quoted = true;
      wasQuoted = true;
    } else if (afterQuote) {
      errors.push(`line ${line}, field ${fields.length + 1}: text after a closing quote; a quoted field ends at its quote (a quote inside is written "")`);
      afterQuote = false;
      field += c;
    } else {
      if (c === '"') errors.push(`line ${line}, field ${fields.length + 1}: a quote inside an unquoted field; quote the whole field and double the quote ("a""b")`);
      field += c;
    }
    i++;
  }
  if (quoted) errors.push(`line ${recordLine}: a quoted field is not closed before the end of the file`);
  if (field !== '' || fields.length > 0 || quoted || afterQuote) endRecord();
  return { records, errors };
}

export type BarsCsvResult =
  | { ok: true; bars: DailyBar[]; symbols: number; valueEstimated: boolean }
  | { ok: false; errors: string[]; total: number };

const won = (n: number): string => n.toLocaleString('en-US');
const quote = (s: string): string => JSON.stringify(s);
const THOUSANDS = /^[+-]?\d{1,3}(,\d{3})+$/;

/** A whole number ≥ `min`, or the reason it is not one. */
function wholeNumber(raw: string, min: number, unit: string): number | string {
  if (THOUSANDS.test(raw)) return `${quote(raw)} has thousands separators, which are not allowed: write ${raw.replaceAll(',', '')}`;
  const expected = `expected a whole number of ${unit} ${min > 0 ? '> 0' : '≥ 0'}, got ${quote(raw)}`;
  if (!/^\d+$/.test(raw)) return expected;
  const n = Number(raw);
  if (!Number.isSafeInteger(n)) return `${raw} is too large for a whole number of ${unit}`;
  return n < min ? expected : n;
}

function symbolProblem(raw: string): string | null {
  if (/^[0-9A-Z]{6}$/.test(raw)) return null;
  const hint = /^\d{1,5}$/.test(raw) ? ' (a spreadsheet drops leading zeros: keep the column as text)' : '';
  return `expected six characters like 005930, got ${quote(raw)}${hint}`;
}

function dateOf(raw: string): { date: TradingDate } | { error: string } {
  try {
    return { date: parseIsoOrCompactDate(raw) };
  } catch (e) {
    return { error: /no such calendar day/.test(String(e)) ? `${quote(raw)} is not a calendar day` : `expected YYYYMMDD or YYYY-MM-DD, got ${quote(raw)}` };
  }
}

/** The header's columns by index, or its problems. */
function readHeader(rec: CsvRecord): { index: Map<Column, number> } | { errors: string[] } {
  const index = new Map<Column, number>();
  const errors: string[] = [];
  rec.fields.forEach((raw, i) => {
    const name = raw.trim().toLowerCase();
    if (!KNOWN.includes(name)) {
      errors.push(`line ${rec.line}, column ${i + 1}: unknown column ${quote(raw)}; the columns are ${COLUMNS_HELP}`);
    } else if (index.has(name as Column)) {
      errors.push(`line ${rec.line}, column ${i + 1}: column ${quote(name)} appears twice`);
    } else {
      index.set(name as Column, i);
    }
  });
  const missing = BAR_CSV_COLUMNS.filter((c) => !index.has(c));
  if (missing.length > 0) errors.push(`line ${rec.line}: missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}; the header must name ${COLUMNS_HELP}`);
  return errors.length > 0 ? { errors } : { index };
}

/** Checks every row and returns all bars, or the first MAX_CSV_ERRORS problems and how many there were. */
export function parseBarsCsv(text: string): BarsCsvResult {
  const { records, errors } = readCsvRecords(text);
  const fail = (all: string[]): BarsCsvResult => ({ ok: false, errors: all.slice(0, MAX_CSV_ERRORS), total: all.length });
  const [head, ...rows] = records;
  if (head === undefined) return fail([...errors, `the file has no header row; expected ${COLUMNS_HELP}`]);
  const header = readHeader(head);
  if ('errors' in header) return fail([...errors, ...header.errors]);
  if (rows.length === 0) return fail([...errors, `line ${head.line}: only a header, no rows`]);
  const { index } = header;
  const bars: DailyBar[] = [];
  const seen = new Map<string, number>();
  const hasValue = index.has('value');
  let estimated = !hasValue;
  for (const rec of rows) {
    if (rec.fields.length !== head.fields.length) {
      const hint = rec.fields.length > head.fields.length ? ' (a number written with thousands separators, like 69,900, splits into two fields: write 69900)' : '';
      errors.push(`line ${rec.line}: ${rec.fields.length} fields, expected ${head.fields.length} like the header${hint}`);
      continue;
    }
    const raw = (c: Column): string => rec.fields[index.get(c)!]!.trim();
    const rowErrors: string[] = [];
    const problem = (c: Column, message: string): void => { rowErrors.push(`line ${rec.line}, column ${c}: ${message}`); };
    const symbol = raw('symbol');
    const symbolBad = symbolProblem(symbol);
    if (symbolBad !== null) problem('symbol', symbolBad);
    const dated = dateOf(raw('date'));
    if ('error' in dated) problem('date', dated.error);
    const num = (c: Column, min: number, unit: string): number | null => {
      const v = wholeNumber(raw(c), min, unit);
      if (typeof v === 'string') {
        problem(c, v);
        return null;
      }
      return v;
    };
    const [open, high, low, close] = (['open', 'high', 'low', 'close'] as const).map((c) => num(c, 1, 'won'));
    const volume = num('volume', 0, 'shares');
    let value: number | null = null;
    if (hasValue && raw('value') !== '') value = num('value', 0, 'won');
    if (high != null && low != null) {
      if (high < low) {
        problem('high', `${won(high)} is below low ${won(low)}`);
      } else {
        for (const [c, v] of [['open', open], ['close', close]] as const) {
          if (v == null) continue;
          if (v < low) problem(c, `${won(v)} is below low ${won(low)}`);
          else if (v > high) problem(c, `${won(v)} is above high ${won(high)}`);
        }
      }
    }
    if (symbolBad === null && 'date' in dated) {
      const key = `${symbol} ${dated.date}`;
      const first = seen.get(key);
      if (first !== undefined) rowErrors.push(`line ${rec.line}: symbol ${symbol}, date ${dated.date} already on line ${first}`);
      else seen.set(key, rec.line);
    }
    errors.push(...rowErrors);
    if (rowErrors.length > 0 || errors.length > 0 || !('date' in dated)) continue;
    if (open == null || high == null || low == null || close == null || volume == null) continue;
    // No traded value in the file: close × volume stands in for it (docs/data.md), as the
    // ranking rebuilt from bars needs one.
    if (value === null) {
      value = close * volume;
      estimated = true;
      if (!Number.isSafeInteger(value)) {
        errors.push(`line ${rec.line}, column volume: ${won(volume)} × close ${won(close)} is too large for a traded value`);
        continue;
      }
    }
    bars.push({
      symbol: stockCode(symbol), date: dated.date, open: krw(open), high: krw(high), low: krw(low), close: krw(close),
      volume: shares(volume), value: krw(value),
    });
  }
  if (errors.length > 0) return fail(errors);
  return { ok: true, bars, symbols: new Set(bars.map((b) => b.symbol)).size, valueEstimated: estimated };
}
