import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { spawnCli, tempDir } from '../../helpers/cli.js';
import { ROOT } from '../../helpers/daemon.js';

/**
 * `kis-trader data import | list | fetch` as an operator runs them: the CLI spawned from another
 * directory, the installation named by KIS_TRADER_HOME, its sim trade log in data/.
 */
function home(): { root: string; log: string; env: Record<string, string> } {
  const root = tempDir('kis-home-');
  cpSync(join(ROOT, 'config'), join(root, 'config'), { recursive: true });
  mkdirSync(join(root, 'data'));
  return { root, log: join(root, 'data', 'sim.sqlite'), env: { KIS_TRADER_HOME: root } };
}

type Row = { symbol: string; date: string; open: number; high: number; low: number; close: number; volume: number; value: number; fetched_at: number };

function rows(log: string): Row[] {
  const db = new Database(log, { readonly: true });
  try {
    return db.prepare('SELECT * FROM daily_bars ORDER BY symbol, date').all() as Row[];
  } finally {
    db.close();
  }
}

/** a spreadsheet's export: byte order mark, CRLF, quoted names */
const GOOD = '\ufeffsymbol,name,date,open,high,low,close,volume\r\n'
  + '005930,"삼성전자, 보통주",2026-12-01,70000,71000,69800,70500,1000\r\n'
  + '005930,삼성전자,2026-12-02,70500,72000,70100,71900,2000\r\n'
  + '000660,SK하이닉스,20261201,150000,151000,149500,150500,300\r\n'
  + '000660,SK하이닉스,20261202,150500,153000,150000,152000,400\r\n';

describe('kis-trader data import and list', () => {
  it('imports a valid file into a new trade log, lists it, and replaces existing bars only with --force', async () => {
    const h = home();
    const cwd = tempDir('kis-cwd-');
    writeFileSync(join(cwd, 'bars.csv'), GOOD);

    const none = await spawnCli(['data', 'list'], cwd, h.env);
    expect(none.code).toBe(1);
    expect(none.err).toContain(`no trade log at ${h.log}`);

    const first = await spawnCli(['data', 'import', 'bars.csv'], cwd, h.env);
    expect(first.err).toBe('');
    expect(first.code).toBe(0);
    expect(first.out).toContain(`imported 4 daily bars of 2 symbols from ${join(cwd, 'bars.csv')} into sim · ${h.log}`);
    expect(first.out).toContain('traded value: estimated as close × volume');
    const stored = rows(h.log);
    expect(stored.map(({ fetched_at: _, ...r }) => r)).toEqual([
      { symbol: '000660', date: '20261201', open: 150000, high: 151000, low: 149500, close: 150500, volume: 300, value: 150500 * 300 },
      { symbol: '000660', date: '20261202', open: 150500, high: 153000, low: 150000, close: 152000, volume: 400, value: 152000 * 400 },
      { symbol: '005930', date: '20261201', open: 70000, high: 71000, low: 69800, close: 70500, volume: 1000, value: 70500 * 1000 },
      { symbol: '005930', date: '20261202', open: 70500, high: 72000, low: 70100, close: 71900, volume: 2000, value: 71900 * 2000 },
    ]);

    const list = await spawnCli(['data', 'list'], cwd, h.env);
    expect(list.err).toBe('');
    expect(list.code).toBe(0);
    expect(list.out).toContain(`daily bars in sim · ${h.log}: 2 symbols, 4 bars`);
    expect(list.out).toMatch(/│ 000660 │ 2\s+│ 20261201 │ 20261202 │/);
    expect(list.out).toMatch(/│ 005930 │ 2\s+│ 20261201 │ 20261202 │/);
    const json = await spawnCli(['data', 'list', '--json'], cwd, h.env);
    expect(JSON.parse(json.out)).toEqual([
      { symbol: '000660', bars: 2, first: '20261201', last: '20261202' },
      { symbol: '005930', bars: 2, first: '20261201', last: '20261202' },
    ]);

    // one new bar and one changed one: without --force nothing is written
    writeFileSync(join(cwd, 'more.csv'), 'symbol,date,open,high,low,close,volume,value\n'
      + '005930,20261202,70500,72000,70100,72000,2500,180000000\n005930,20261203,72000,73000,71000,72500,100,7250000\n');
    const refused = await spawnCli(['data', 'import', 'more.csv'], cwd, h.env);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain(`data import: 1 of the 2 bars in ${join(cwd, 'more.csv')} would replace bars already in sim · ${h.log}; nothing written (--force replaces them)`);
    expect(rows(h.log)).toEqual(stored);

    const forced = await spawnCli(['data', 'import', join(cwd, 'more.csv'), '--force'], h.root, h.env);
    expect(forced.err).toBe('');
    expect(forced.code).toBe(0);
    expect(forced.out).toContain('imported 2 daily bars of 1 symbol');
    expect(forced.out).toContain('(1 replaced)');
    expect(forced.out).not.toContain('estimated');
    const after = rows(h.log);
    expect(after).toHaveLength(5);
    expect(after.find((r) => r.symbol === '005930' && r.date === '20261202')).toMatchObject({ close: 72000, volume: 2500, value: 180000000 });
  }, 60_000);

  it('writes nothing from a file with any bad row, naming line, column, value and what is expected', async () => {
    const h = home();
    const cwd = tempDir('kis-cwd-');
    writeFileSync(join(cwd, 'bars.csv'), GOOD);
    expect((await spawnCli(['data', 'import', 'bars.csv'], cwd, h.env)).code).toBe(0);
    const before = rows(h.log);

    const bad = 'symbol,date,open,high,low,close,volume\n'
      + '035420,20261201,200000,201000,199000,200500,10\n'
      + '035420,2026/12/02,200000,201000,199000,200500,10\n'
      + Array.from({ length: 11 }, (_, i) => `035420,202612${String(i + 3).padStart(2, '0')},200000,199000,201000,200500,10\n`).join('')
      + '035420,20261220,"200,000",201000,199000,200500,10\n'
      + Array.from({ length: 10 }, (_, i) => `35420,202612${String(i + 21).padStart(2, '0')},200000,201000,199000,200500,10\n`).join('');
    writeFileSync(join(cwd, 'bad.csv'), bad);
    const r = await spawnCli(['data', 'import', 'bad.csv', '--force'], cwd, h.env);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    const lines = r.err.trimEnd().split('\n');
    expect(lines[0]).toBe(`data import: ${join(cwd, 'bad.csv')}: 23 problems, nothing written:`);
    expect(lines[1]).toBe('  line 3, column date: expected YYYYMMDD or YYYY-MM-DD, got "2026/12/02"');
    expect(lines[2]).toBe('  line 4, column high: 199,000 is below low 201,000');
    expect(lines[13]).toBe('  line 15, column open: "200,000" has thousands separators, which are not allowed: write 200000');
    expect(lines[14]).toBe('  line 16, column symbol: expected six characters like 005930, got "35420" (a spreadsheet drops leading zeros: keep the column as text)');
    expect(lines).toHaveLength(1 + 20 + 1);
    expect(lines[21]).toBe('  … and 3 more (the first 20 are shown)');
    expect(rows(h.log)).toEqual(before);

    const missing = await spawnCli(['data', 'import', 'nope.csv'], cwd, h.env);
    expect(missing.code).toBe(1);
    expect(missing.err).toBe(`data import: cannot read ${join(cwd, 'nope.csv')}: no such file\n`);
  }, 60_000);
});

describe('kis-trader data fetch', () => {
  it('in sim mode fetches from the simulator into the trade log, one progress line a symbol off a terminal, and fails on a bad symbol', async () => {
    const h = home();
    const cwd = tempDir('kis-cwd-');
    const r = await spawnCli(['data', 'fetch', '--symbols', '005930, 000660,5930,005930', '--days', '120'], cwd, h.env);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`daily bars fetched into sim · ${h.log}: 2 of 3 symbols, newest 120 trading days`);
    expect(r.out).toMatch(/│ 005930 │ 120\s+│ \d{8} │ \d{8} │/);
    const progress = r.err.trimEnd().split('\n');
    expect(progress).toHaveLength(4);
    expect(progress[0]).toMatch(/^\[1\/3\] 005930: 120 bars \d{8}\.\.\d{8}$/);
    expect(progress[1]).toMatch(/^\[2\/3\] 000660: 120 bars \d{8}\.\.\d{8}$/);
    expect(progress[2]).toBe('[3/3] 5930: failed: DOMAIN_INVALID_SYMBOL: stock code must be six characters like 005930, got "5930"');
    expect(progress[3]).toBe('data fetch: 1 of 3 symbols failed: 5930');
    expect(progress.join('\n')).not.toContain('\r');
    const stored = rows(h.log);
    expect(stored).toHaveLength(240);

    const list = await spawnCli(['data', 'list', '--json'], cwd, h.env);
    expect(list.code).toBe(0);
    expect((JSON.parse(list.out) as Array<{ symbol: string; bars: number }>).map((s) => [s.symbol, s.bars])).toEqual([['000660', 120], ['005930', 120]]);

    const usage = await spawnCli(['data', 'fetch', '--symbols', '005930', '--days', '0'], cwd, h.env);
    expect(usage.code).toBe(2);
    expect(usage.err).toBe('data fetch: --days must be a whole number from 1 to 10000, got "0"\n');
  }, 60_000);
});
