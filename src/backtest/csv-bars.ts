import { AppError, isAppError, krw, shares, stockCode, tradingDate } from '../domain/index.js';
import type { DailyBar, StockCode } from '../domain/index.js';

/**
 * Daily bars from CSV (docs/backtest.md, CSV bars): a header row naming the columns, in any order,
 * then one bar per line. Required: symbol, date (YYYYMMDD or YYYY-MM-DD), open, high, low, close,
 * volume; optional: name, value (traded value in won; close × volume when absent). Prices and
 * volumes are whole numbers. Fields are plain (no quoting): a comma never appears in them.
 */
export const CSV_BAR_COLUMNS = ['symbol', 'date', 'open', 'high', 'low', 'close', 'volume'] as const;
const OPTIONAL = ['name', 'value'] as const;

export interface CsvBars {
  bars: Map<StockCode, DailyBar[]>;
  names: Record<string, string>;
}

function fail(line: number, column: number, name: string, reason: string): never {
  throw new AppError('BACKTEST_INVALID_INPUT', `line ${line}, column ${column} (${name}): ${reason}`, { details: { line, column, name } });
}

function header(text: string | undefined): Map<string, number> {
  const cols = (text ?? '').replace(/^\uFEFF/, '').split(',').map((c) => c.trim().toLowerCase());
  const at = new Map<string, number>();
  cols.forEach((c, i) => {
    if (!([...CSV_BAR_COLUMNS, ...OPTIONAL] as readonly string[]).includes(c)) fail(1, i + 1, c, `unknown column; expected ${[...CSV_BAR_COLUMNS, ...OPTIONAL].join(', ')}`);
    if (at.has(c)) fail(1, i + 1, c, 'the column appears twice');
    at.set(c, i);
  });
  for (const c of CSV_BAR_COLUMNS) if (!at.has(c)) fail(1, cols.length + 1, c, `missing column; the header must name ${CSV_BAR_COLUMNS.join(', ')}`);
  return at;
}

function parseLine(fields: string[], at: Map<string, number>, line: number): { bar: DailyBar; name: string | null } {
  const get = (c: string): { text: string; column: number } => {
    const column = at.get(c)! + 1;
    const text = fields[column - 1]?.trim();
    if (text === undefined || text === '') fail(line, column, c, 'empty');
    return { text, column };
  };
  const whole = (c: string): number => {
    const { text, column } = get(c);
    if (!/^\d+$/.test(text)) fail(line, column, c, `expected a whole number, got "${text}"`);
    return Number(text);
  };
  const sym = get('symbol');
  let symbol: StockCode;
  try {
    symbol = stockCode(sym.text);
  } catch (e) {
    fail(line, sym.column, 'symbol', isAppError(e) ? e.message : String(e));
  }
  const d = get('date');
  let date: DailyBar['date'];
  try {
    date = tradingDate(/^\d{4}-\d{2}-\d{2}$/.test(d.text) ? d.text.replaceAll('-', '') : d.text);
  } catch {
    fail(line, d.column, 'date', `expected YYYYMMDD or YYYY-MM-DD, got "${d.text}"`);
  }
  const [open, high, low, close, volume] = (['open', 'high', 'low', 'close', 'volume'] as const).map(whole) as [number, number, number, number, number];
  for (const [c, v] of [['open', open], ['high', high], ['low', low], ['close', close]] as const) {
    if (v < 1) fail(line, at.get(c)! + 1, c, 'a price is at least 1 won');
  }
  if (high < Math.max(open, close, low)) fail(line, at.get('high')! + 1, 'high', `high ${high} is below open, low or close`);
  if (low > Math.min(open, close)) fail(line, at.get('low')! + 1, 'low', `low ${low} is above open or close`);
  const value = at.has('value') ? whole('value') : close * volume;
  const name = at.has('name') ? (fields[at.get('name')!]?.trim() ?? '') : '';
  return {
    bar: { symbol, date, open: krw(open), high: krw(high), low: krw(low), close: krw(close), volume: shares(volume), value: krw(value) },
    name: name === '' ? null : name,
  };
}

/** Bars per symbol (in file order; the backtest sorts them) and the names the file gives. */
export function parseBarsCsv(text: string): CsvBars {
  const lines = text.split(/\r?\n/);
  const at = header(lines[0]);
  const bars = new Map<StockCode, DailyBar[]>();
  const names: Record<string, string> = {};
  const seen = new Set<string>();
  for (let i = 1; i < lines.length; i++) {
    const raw = lines[i]!;
    if (raw.trim() === '') continue;
    const fields = raw.split(',');
    if (fields.length !== at.size) fail(i + 1, Math.min(fields.length, at.size) + 1, 'line', `expected ${at.size} fields, got ${fields.length}`);
    const { bar, name } = parseLine(fields, at, i + 1);
    const key = `${bar.symbol}.${bar.date}`;
    if (seen.has(key)) fail(i + 1, at.get('date')! + 1, 'date', `a second bar for ${bar.symbol} on ${bar.date}`);
    seen.add(key);
    const list = bars.get(bar.symbol) ?? [];
    list.push(bar);
    bars.set(bar.symbol, list);
    if (name !== null) names[bar.symbol] = name;
  }
  return { bars, names };
}
