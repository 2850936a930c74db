import { describe, expect, it } from 'vitest';
import { MAX_CSV_ERRORS, parseBarsCsv, readCsvRecords } from '../../../src/cli/bars-csv.js';
import type { BarsCsvResult } from '../../../src/cli/bars-csv.js';

const HEADER = 'symbol,date,open,high,low,close,volume';

function errorsOf(r: BarsCsvResult): string[] {
  if (r.ok) throw new Error(`expected errors, got ${r.bars.length} bars`);
  return r.errors;
}

function barsOf(r: BarsCsvResult) {
  if (!r.ok) throw new Error(`expected bars, got: ${r.errors.join('; ')}`);
  return r.bars;
}

/** a file of the header and these rows, LF line ends */
const file = (...rows: string[]): string => [HEADER, ...rows].join('\n');

describe('readCsvRecords (RFC 4180 framing)', () => {
  it('reads quoted fields: commas, doubled quotes and line breaks inside, and numbers each record by the line it starts on', () => {
    const r = readCsvRecords('a,b,c\n"x, y","say ""hi""","two\nlines"\n1,2,3\n');
    expect(r.errors).toEqual([]);
    expect(r.records).toEqual([
      { line: 1, fields: ['a', 'b', 'c'] },
      { line: 2, fields: ['x, y', 'say "hi"', 'two\nlines'] },
      { line: 4, fields: ['1', '2', '3'] },
    ]);
  });

  it('takes CRLF and LF alike, skips a byte order mark and blank lines, and a last line without a line end', () => {
    const r = readCsvRecords('\ufeffa,b\r\n1,2\r\n\r\n3,4\n  \n5,6');
    expect(r.errors).toEqual([]);
    expect(r.records).toEqual([
      { line: 1, fields: ['a', 'b'] }, { line: 2, fields: ['1', '2'] }, { line: 4, fields: ['3', '4'] }, { line: 6, fields: ['5', '6'] },
    ]);
  });

  it('an empty last field and empty fields stay fields', () => {
    expect(readCsvRecords('a,,c,\n').records).toEqual([{ line: 1, fields: ['a', '', 'c', ''] }]);
    expect(readCsvRecords('"",x\n').records).toEqual([{ line: 1, fields: ['', 'x'] }]);
    expect(readCsvRecords('a\n""\n').records).toEqual([{ line: 1, fields: ['a'] }, { line: 2, fields: [''] }]);
  });

  it('names the line of a stray quote, of text after a closing quote and of a quoted field never closed', () => {
    expect(readCsvRecords('a,b\n1,ab"c\n').errors).toEqual([
      'line 2, field 2: a quote inside an unquoted field; quote the whole field and double the quote ("a""b")',
    ]);
    expect(readCsvRecords('a,b\n"x"y,2\n').errors).toEqual([
      'line 2, field 1: text after a closing quote; a quoted field ends at its quote (a quote inside is written "")',
    ]);
    expect(readCsvRecords('a,b\n1,2\n3,"open\n4,5\n').errors).toEqual(['line 3: a quoted field is not closed before the end of the file']);
  });
});

describe('parseBarsCsv', () => {
  it('reads bars in any column order, with YYYYMMDD and YYYY-MM-DD dates, trimming spaces around fields', () => {
    const bars = barsOf(parseBarsCsv('date,symbol,close,open,high,low,volume\n20261201,005930,70500,70000,71000,69800,1234567\n'
      + '2026-12-02, 000660 ,150000,150000,151000,149500,0\n'));
    expect(bars).toEqual([
      { symbol: '005930', date: '20261201', open: 70000, high: 71000, low: 69800, close: 70500, volume: 1234567, value: 70500 * 1234567 },
      { symbol: '000660', date: '20261202', open: 150000, high: 151000, low: 149500, close: 150000, volume: 0, value: 0 },
    ]);
  });

  it('takes the value column when it is there (an empty cell is estimated), and ignores name', () => {
    const r = parseBarsCsv('symbol,name,date,open,high,low,close,volume,value\n'
      + '005930,"삼성전자, 보통주",20261201,70000,71000,69800,70500,10,705123\n005930,삼성전자,20261202,70000,71000,69800,70000,10,\n');
    expect(barsOf(r).map((b) => b.value)).toEqual([705123, 700000]);
    expect(r.ok && r.valueEstimated).toBe(true);
    expect(r.ok && r.symbols).toBe(1);
    const exact = parseBarsCsv('symbol,date,open,high,low,close,volume,value\n005930,20261201,70000,71000,69800,70500,10,705123\n');
    expect(exact.ok && exact.valueEstimated).toBe(false);
  });

  it('reads a spreadsheet export: BOM, CRLF, header names in capitals, every field quoted', () => {
    const text = '\ufeff"Symbol","Date","Open","High","Low","Close","Volume"\r\n"005930","2026-12-01","70000","71000","69800","70500","1000"\r\n';
    expect(barsOf(parseBarsCsv(text))).toEqual([
      { symbol: '005930', date: '20261201', open: 70000, high: 71000, low: 69800, close: 70500, volume: 1000, value: 70500000 },
    ]);
  });

  it('names the line, the column, the value and what is expected for each bad field', () => {
    const errors = errorsOf(parseBarsCsv(file(
      '005930,20261201,70000,71000,69800,70500,100',
      '005930,2026/12/01,70000,71000,69800,70500,100',
      '5930,20261202,70000,71000,69800,70500,100',
      '00593a,20261203,70000,71000,69800,70500,100',
      '005930,20260231,70000,71000,69800,70500,100',
      '005930,20261204,70000.5,71000,69800,70500,100',
      '005930,20261205,0,71000,69800,70500,100',
      '005930,20261206,70000,71000,69800,70500,-5',
      '005930,20261207,"70,000",71000,69800,70500,100',
      '005930,20261208,70000,71000,69800,,100',
    )));
    expect(errors).toEqual([
      'line 3, column date: expected YYYYMMDD or YYYY-MM-DD, got "2026/12/01"',
      'line 4, column symbol: expected six characters like 005930, got "5930" (a spreadsheet drops leading zeros: keep the column as text)',
      'line 5, column symbol: expected six characters like 005930, got "00593a"',
      'line 6, column date: "20260231" is not a calendar day',
      'line 7, column open: expected a whole number of won > 0, got "70000.5"',
      'line 8, column open: expected a whole number of won > 0, got "0"',
      'line 9, column volume: expected a whole number of shares ≥ 0, got "-5"',
      'line 10, column open: "70,000" has thousands separators, which are not allowed: write 70000',
      'line 11, column close: expected a whole number of won > 0, got ""',
    ]);
  });

  it('checks low ≤ open, close ≤ high', () => {
    const errors = errorsOf(parseBarsCsv(file(
      '005930,20261201,70000,69900,70100,70000,100',
      '005930,20261202,69000,71000,69800,70500,100',
      '005930,20261203,70000,71000,69800,71500,100',
      '005930,20261204,70000,71000,69800,69700,100',
      '005930,20261205,71100,71000,69800,70000,100',
    )));
    expect(errors).toEqual([
      'line 2, column high: 69,900 is below low 70,100',
      'line 3, column open: 69,000 is below low 69,800',
      'line 4, column close: 71,500 is above high 71,000',
      'line 5, column close: 69,700 is below low 69,800',
      'line 6, column open: 71,100 is above high 71,000',
    ]);
  });

  it('refuses the same symbol and date twice, naming both lines (dates compared in either spelling)', () => {
    const errors = errorsOf(parseBarsCsv(file(
      '005930,20261201,70000,71000,69800,70500,100',
      '000660,20261201,70000,71000,69800,70500,100',
      '005930,2026-12-01,70000,71000,69800,70500,100',
    )));
    expect(errors).toEqual(['line 4: symbol 005930, date 20261201 already on line 2']);
  });

  it('an unquoted number with thousands separators shows as a field too many, with the reason', () => {
    expect(errorsOf(parseBarsCsv(file('005930,20261201,70000,71,000,69800,70500,100')))).toEqual([
      'line 2: 8 fields, expected 7 like the header (a number written with thousands separators, like 69,900, splits into two fields: write 69900)',
    ]);
    expect(errorsOf(parseBarsCsv(file('005930,20261201,70000')))).toEqual(['line 2: 3 fields, expected 7 like the header']);
  });

  it('checks the header: unknown, repeated and missing columns, an empty file, no rows', () => {
    expect(errorsOf(parseBarsCsv('symbol,date,open,hihg,low,close,volume,close\n'))).toEqual([
      'line 1, column 4: unknown column "hihg"; the columns are symbol,date,open,high,low,close,volume and optionally value, name',
      'line 1, column 8: column "close" appears twice',
      'line 1: missing column high; the header must name symbol,date,open,high,low,close,volume and optionally value, name',
    ]);
    expect(errorsOf(parseBarsCsv('\ufeff'))).toEqual(['the file has no header row; expected symbol,date,open,high,low,close,volume and optionally value, name']);
    expect(errorsOf(parseBarsCsv(`${HEADER}\r\n`))).toEqual(['line 1: only a header, no rows']);
  });

  it('reports a framing problem with the line it is on', () => {
    expect(errorsOf(parseBarsCsv(file('005930,20261201,70000,71000,69800,70500,100', '000660,"20261201,70000,71000,69800,70500,100')))).toEqual([
      'line 3: a quoted field is not closed before the end of the file',
      'line 3: 2 fields, expected 7 like the header',
    ]);
  });

  it('prints the first 20 problems and counts them all', () => {
    const rows = Array.from({ length: 25 }, (_, i) => `005930,2026120${i % 10},70000,71000,69800,70500,x${i}`);
    const r = parseBarsCsv(file(...rows));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toHaveLength(MAX_CSV_ERRORS);
    expect(r.total).toBeGreaterThan(MAX_CSV_ERRORS);
    expect(r.errors[0]).toBe('line 2, column date: "20261200" is not a calendar day');
    expect(r.errors[1]).toBe('line 2, column volume: expected a whole number of shares ≥ 0, got "x0"');
  });

  it('a row with a quoted line break counts its lines, so later errors name the right line', () => {
    const errors = errorsOf(parseBarsCsv('symbol,name,date,open,high,low,close,volume\n005930,"two\nlines",20261201,70000,71000,69800,70500,100\n'
      + '005930,x,20261202,70000,71000,69800,70500,-1\n'));
    expect(errors).toEqual(['line 4, column volume: expected a whole number of shares ≥ 0, got "-1"']);
  });
});
