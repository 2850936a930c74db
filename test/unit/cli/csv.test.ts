import { describe, expect, it } from 'vitest';
import { epochMs, kstInstant, tradingDate } from '../../../src/domain/index.js';
import { BOM, csvField, csvFile, csvText, kstCell, withKstTwins } from '../../../src/cli/csv.js';

describe('csv', () => {
  it('quotes a field only when it holds a comma, a quote, CR or LF, doubling the quotes inside', () => {
    expect(csvField('plain text')).toBe('plain text');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\rhere')).toBe('"cr\rhere"');
    expect(csvField('삼성전자, 우선주')).toBe('"삼성전자, 우선주"');
    expect(csvField(1234567)).toBe('1234567');
    expect(csvField(-12.5)).toBe('-12.5');
    expect(csvField(null)).toBe('');
    expect(csvField(undefined)).toBe('');
  });

  it('keeps a text that a spreadsheet would run as a formula as text, and numbers as numbers', () => {
    expect(csvField('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
    expect(csvField('+1 tick')).toBe("'+1 tick");
    expect(csvField('-2 % stop')).toBe("'-2 % stop");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField('-14025')).toBe('-14025');
    expect(csvField(-14025)).toBe('-14025');
    expect(csvField('take-profit 3 %')).toBe('take-profit 3 %');
  });

  it('a file: BOM, header, CRLF after every record', () => {
    expect(csvFile(['id', 'name'], [[1, '삼성전자'], [2, 'a "b", c']])).toBe(`${BOM}id,name\r\n1,삼성전자\r\n2,"a ""b"", c"\r\n`);
    expect(csvFile(['id'], [])).toBe(`${BOM}id\r\n`);
  });

  it('standard output: no BOM, LF between records, none after the last', () => {
    expect(csvText(['id', 'name'], [[1, 'x'], [2, 'y,z']])).toBe('id,name\n1,x\n2,"y,z"');
  });

  it('times in KST as a spreadsheet reads them; every epoch-ms column gets a _kst twin after it', () => {
    const t = epochMs(kstInstant(tradingDate('20261201'), '100100'));
    expect(kstCell(t)).toBe('2026-12-01 10:01:00');
    expect(kstCell(null)).toBe('');
    expect(withKstTwins(['id', 'at', 'created_at', 'closed_at', 'format'], [[1, t, t, null, 'x'], [2, t + 1000, t, t, 'y']])).toEqual({
      header: ['id', 'at', 'at_kst', 'created_at', 'created_kst', 'closed_at', 'closed_kst', 'format'],
      rows: [
        [1, t, '2026-12-01 10:01:00', t, '2026-12-01 10:01:00', null, '', 'x'],
        [2, t + 1000, '2026-12-01 10:01:01', t, '2026-12-01 10:01:00', t, '2026-12-01 10:01:00', 'y'],
      ],
    });
  });
});
