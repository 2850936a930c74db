import { describe, expect, it } from 'vitest';
import { tradingDate } from '../../../src/domain/index.js';
import { bounds, dateRange, describeRange, EARLIEST, formatError, LATEST } from '../../../src/cli/list-options.js';

const D1 = tradingDate('20261201');
const D2 = tradingDate('20261202');
const TODAY = { from: D2, to: D2 };

describe('list date options', () => {
  it('--date D is --from D --to D; nothing is the fallback; YYYY-MM-DD is accepted', () => {
    expect(dateRange({ date: '20261201' }, TODAY)).toEqual({ range: { from: D1, to: D1 } });
    expect(dateRange({}, TODAY)).toEqual({ range: TODAY });
    expect(dateRange({ from: '2026-12-01', to: '20261202' }, TODAY)).toEqual({ range: { from: D1, to: D2 } });
    expect(dateRange({ from: '20261201' }, TODAY)).toEqual({ range: { from: D1, to: null } });
    expect(dateRange({ to: '2026-12-02' }, TODAY)).toEqual({ range: { from: null, to: D2 } });
  });

  it('names the option and the value of a bad date, and refuses --date with --from/--to or a reversed range', () => {
    expect(dateRange({ from: '2026-13-01' }, TODAY)).toEqual({ error: '--from: expected YYYYMMDD or YYYY-MM-DD, got "2026-13-01"' });
    expect(dateRange({ to: '20260230' }, TODAY)).toEqual({ error: '--to: expected YYYYMMDD or YYYY-MM-DD, got "20260230"' });
    expect(dateRange({ date: 'today' }, TODAY)).toEqual({ error: '--date: expected YYYYMMDD or YYYY-MM-DD, got "today"' });
    expect(dateRange({ from: '2026-1-01' }, TODAY)).toEqual({ error: '--from: expected YYYYMMDD or YYYY-MM-DD, got "2026-1-01"' });
    expect(dateRange({ date: '20261201', from: '20261201' }, TODAY))
      .toEqual({ error: '--date cannot be combined with --from/--to (--date D is --from D --to D), got --date 20261201 and --from 20261201' });
    expect(dateRange({ from: '20261202', to: '20261201' }, TODAY)).toEqual({ error: '--from 20261202 is after --to 20261201' });
  });

  it('describes the range for a heading and bounds an open side for SQL', () => {
    expect(describeRange({ from: D1, to: D1 })).toBe('on 20261201');
    expect(describeRange({ from: D1, to: D2 })).toBe('from 20261201 to 20261202');
    expect(describeRange({ from: D1, to: null })).toBe('from 20261201');
    expect(describeRange({ from: null, to: D2 })).toBe('through 20261202');
    expect(describeRange({ from: null, to: null })).toBe('in the whole log');
    expect(bounds({ from: null, to: D2 })).toEqual([EARLIEST, D2]);
    expect(bounds({ from: D1, to: null })).toEqual([D1, LATEST]);
  });

  it('--json and --csv exclude each other', () => {
    expect(formatError({ json: true, csv: true })).toContain('--json and --csv cannot be combined');
    expect(formatError({ csv: true })).toBeNull();
  });
});
