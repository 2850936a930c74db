import { describe, expect, it } from 'vitest';
import { parseBarsCsv } from '../../../src/backtest/index.js';

const HEAD = 'symbol,date,open,high,low,close,volume,name';

describe('CSV bars', () => {
  it('reads both date forms, any column order, names and a computed traded value', () => {
    const { bars, names } = parseBarsCsv([
      HEAD, '005930,20250102,70000,71000,69500,70500,1000,삼성전자', '005930,2025-01-03,70500,72000,70000,71900,2000,삼성전자', '',
    ].join('\r\n'));
    expect(bars.get('005930' as never)?.map((b) => [b.date, b.close, b.value])).toEqual([['20250102', 70_500, 70_500_000], ['20250103', 71_900, 143_800_000]]);
    expect(names).toEqual({ '005930': '삼성전자' });
    const reordered = parseBarsCsv('date,symbol,close,open,low,high,volume,value\n20250102,000660,100,100,90,110,5,777\n');
    expect(reordered.bars.get('000660' as never)?.[0]).toMatchObject({ open: 100, high: 110, low: 90, close: 100, volume: 5, value: 777 });
  });

  it.each([
    ['005930,20250102,70000,71000,69500,70500,1x00,A', 'line 2, column 7 (volume): expected a whole number, got "1x00"'],
    ['005930,2025/01/02,70000,71000,69500,70500,1000,A', 'line 2, column 2 (date): expected YYYYMMDD or YYYY-MM-DD, got "2025/01/02"'],
    ['5930,20250102,70000,71000,69500,70500,1000,A', 'line 2, column 1 (symbol): stock code must be six characters'],
    ['005930,20250102,70000,69000,69500,70500,1000,A', 'line 2, column 4 (high): high 69000 is below open, low or close'],
    ['005930,20250102,70000,71000,69500,70500,1000', 'line 2, column 8 (line): expected 8 fields, got 7'],
    ['005930,20250102,,71000,69500,70500,1000,A', 'line 2, column 3 (open): empty'],
  ])('names the line and column of %s', (row, message) => {
    expect(() => parseBarsCsv(`${HEAD}\n${row}\n`)).toThrow(message);
  });

  it('names a bad header column and a repeated bar', () => {
    expect(() => parseBarsCsv('symbol,date,open,high,low,close,vol\n')).toThrow('line 1, column 7 (vol): unknown column');
    expect(() => parseBarsCsv('symbol,date,open,high,low,close\n')).toThrow('line 1, column 7 (volume): missing column');
    const twice = `${HEAD}\n005930,20250102,1,1,1,1,1,A\n005930,2025-01-02,1,1,1,1,1,A\n`;
    expect(() => parseBarsCsv(twice)).toThrow('line 3, column 2 (date): a second bar for 005930 on 20250102');
  });
});
