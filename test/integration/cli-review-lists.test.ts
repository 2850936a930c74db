import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { createManualClock, krw, shares } from '../../src/domain/index.js';
import { registerExportCommand } from '../../src/cli/export-command.js';
import { registerTradeLogCommands } from '../../src/cli/trade-log-commands.js';
import { openStore, openStoreReadOnly } from '../../src/store/index.js';
import type { Store } from '../../src/store/index.js';
import { tempDir } from '../helpers/cli.js';
import { at, DAY1, DAY2, SAMSUNG, writeDay1, writeDay2 } from '../helpers/review-book.js';
import { createTempStore } from '../helpers/temp-store.js';

/**
 * The review CLI's lists and `export` (issue 11) in-process over a hand-written book
 * (test/helpers/review-book.ts) plus an order and a decision whose text is Korean with a comma
 * and quotes, read through the read-only store as `kis-trader` opens it.
 */
const REASON = '돌파 매수, "거래량" 급증';
const RULE = '거래량 급증, 돌파';

interface Book { path: string; store: Store; korean: number }

function book(): Book {
  const t = createTempStore({ clock: createManualClock(at(DAY2, '153000')) });
  const { store } = t;
  writeDay1(store);
  writeDay2(store);
  const decisionId = store.decisions.insert({
    at: at(DAY2, '110000'), tradingDate: DAY2, symbol: SAMSUNG, kind: 'entry', strategy: 'breakout', inputs: { detail: '1.2 % < 2 %' },
    rule: RULE, guards: [{ guard: 'halt', ok: true }], outcome: 'order', intentKey: null, configHash: 'cfg-b',
  });
  const korean = store.orders.insertIntent({
    intentKey: `i.breakout.${SAMSUNG}.buy.${DAY2}.entry2`, symbol: SAMSUNG, side: 'buy', type: 'limit', qty: shares(1_200), price: krw(71_000),
    tradingDate: DAY2, decisionId, configHash: 'cfg-b', reason: REASON,
  }, at(DAY2, '110001')).order.id;
  for (const [date, equity] of [[DAY1, 10_000_000], [DAY2, 9_990_000]] as const) {
    store.dailySummaries.upsert({
      tradingDate: date, at: at(date, '153500'), equity: krw(equity), cash: krw(0), realisedPnl: krw(0), unrealisedPnl: krw(0), commission: krw(0),
      tax: krw(0), orders: 0, fills: 0, decisions: 0, entriesDecided: 0, marks: {}, configHash: 'cfg-a',
    });
  }
  return { path: t.path, store, korean };
}

interface Run { out: string; err: string; code: number | null }

async function run(b: Book, args: string[], cwd = tmpdir()): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const program = new Command().exitOverride();
  const clock = createManualClock(at(DAY2, '153000'));
  const io = {
    out: (s: string) => void out.push(s), err: (s: string) => void err.push(s),
    exit: (code: number): never => { throw Object.assign(new Error(`exit ${code}`), { exitCode: code }); },
    clock, source: `sim · ${b.path}`, cwd,
    withStore<T>(fn: (s: Store) => T): T {
      const s = openStore({ path: b.path, synchronous: 'FULL', clock });
      try { return fn(s); } finally { s.close(); }
    },
    withReadStore<T>(fn: (s: Store) => T): T {
      const s = openStoreReadOnly({ path: b.path, clock });
      try { return fn(s); } finally { s.close(); }
    },
  };
  registerTradeLogCommands(program, io);
  registerExportCommand(program, io);
  let code: number | null = 0;
  try {
    await program.parseAsync(['node', 'kis-trader', ...args]);
  } catch (e) {
    code = (e as { exitCode?: number }).exitCode ?? null;
    if (code === null) throw e;
  }
  return { out: out.join('\n'), err: err.join('\n'), code };
}

const csvLines = (text: string): string[] => text.split('\n');

describe('list commands: --from/--to, --csv', () => {
  it('lists a range of days with the date in the time column, thousands separators, and today by default', async () => {
    const b = book();
    const range = await run(b, ['orders', '--from', '2026-12-01', '--to', DAY2]);
    expect(range.code).toBe(0);
    expect(range.out).toContain(`orders from ${DAY1} to ${DAY2}: 4 (sim · ${b.path})`);
    expect(range.out).toMatch(/│ 12-01 10:01:00 │/);
    expect(range.out).toMatch(/│ 1,200 +│ 71,000 +│ pending/);
    const today = await run(b, ['orders']);
    expect(today.out).toContain(`orders on ${DAY2}: 2`);
    const day1 = await run(b, ['fills', '--date', DAY1]);
    expect(day1.out).toContain(`fills on ${DAY1}: 3`);
    expect(day1.out).toMatch(/│ 10:01:00 │/);
    expect((await run(b, ['decisions', '--to', DAY1])).out).toContain(`decisions through ${DAY1}: 5`);
    expect((await run(b, ['decisions', '--from', DAY2])).out).toContain(`decisions from ${DAY2}: 3`);
  });

  it('prints CSV for a pipe: header, plain numbers, KST times, quoted Korean text, no BOM', async () => {
    const b = book();
    const orders = await run(b, ['orders', '--date', DAY2, '--csv']);
    expect(orders.code).toBe(0);
    const lines = csvLines(orders.out);
    expect(lines[0]).toBe('id,trading_date,created_at,created_kst,origin,strategy,symbol,side,type,qty,price,status,filled_qty,venue_order_id,'
      + 'reason,reject_code,reject_message,rule,outcome,decision_id,config_hash');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toContain(`,2026-12-02 11:00:01,daemon,breakout,005930,buy,limit,1200,71000,pending,0,,"돌파 매수, ""거래량"" 급증",,,"${RULE}",order,`);
    expect(orders.out.startsWith('\ufeff')).toBe(false);
    expect(orders.out).not.toContain('\r');

    const fills = csvLines((await run(b, ['fills', '--from', DAY1, '--to', DAY2, '--csv'])).out);
    expect(fills[0]).toBe('id,fill_key,order_id,symbol,side,qty,price,value,commission,tax,trading_date,at,at_kst');
    expect(fills).toHaveLength(6);
    expect(fills[4]).toMatch(/^\d+,20261202\.0000000001\.3,\d+,005930,sell,3,72000,216000,32,388,20261202,\d+,2026-12-02 10:01:00$/);

    const decisions = csvLines((await run(b, ['decisions', '--date', DAY2, '--csv'])).out);
    expect(decisions[0]).toBe('id,trading_date,at,at_kst,strategy,symbol,kind,rule,detail,outcome,failed_guards,intent_key,config_hash,inputs');
    expect(decisions[3]).toContain(`,2026-12-02 11:00:00,breakout,005930,entry,"${RULE}",1.2 % < 2 %,order,,,cfg-b,"{""detail"":""1.2 % < 2 %""}"`);

    const positions = csvLines((await run(b, ['positions', '--all', '--csv'])).out);
    expect(positions[0]).toBe('symbol,strategy,qty,avg_price,cost,mark,unrealised_pnl,return_pct,realised_pnl,marked_kst');
    expect(positions).toHaveLength(3);
  });

  it('a bad date names the option and the value; --date with --from/--to and --json with --csv are refused (exit 2)', async () => {
    const b = book();
    const bad = await run(b, ['orders', '--from', '2026-13-01']);
    expect(bad.code).toBe(2);
    expect(bad.err).toBe('orders: --from: expected YYYYMMDD or YYYY-MM-DD, got "2026-13-01"');
    const both = await run(b, ['fills', '--date', DAY1, '--to', DAY2]);
    expect(both.code).toBe(2);
    expect(both.err).toContain('--date cannot be combined with --from/--to');
    expect(both.err).toContain(`--date ${DAY1} and --to ${DAY2}`);
    const reversed = await run(b, ['decisions', '--from', DAY2, '--to', DAY1]);
    expect(reversed.code).toBe(2);
    expect(reversed.err).toBe(`decisions: --from ${DAY2} is after --to ${DAY1}`);
    const formats = await run(b, ['positions', '--json', '--csv']);
    expect(formats.code).toBe(2);
    expect(formats.err).toContain('--json and --csv cannot be combined');
  });
});

describe('kis-trader export', () => {
  const count = (b: Book, sql: string): number => (b.store.db.prepare(sql).pluck().get() as number);

  it('writes four spreadsheet CSVs (BOM, header, CRLF, quoted Korean text intact) with their row counts', async () => {
    const b = book();
    const dir = join(tempDir('kis-export-'), 'new', 'out');
    const r = await run(b, ['export', '--out', dir]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const expected = {
      orders: count(b, 'SELECT count(*) FROM orders'), fills: count(b, 'SELECT count(*) FROM fills'),
      round_trips: count(b, 'SELECT count(*) FROM v_round_trips'), daily_pnl: count(b, 'SELECT count(*) FROM v_daily_pnl'),
    };
    expect(expected).toEqual({ orders: 4, fills: 5, round_trips: 2, daily_pnl: 2 });
    expect(r.out.split('\n')).toEqual([
      `exporting in the whole log (sim · ${b.path}) to ${dir}`,
      'orders.csv: 4 rows', 'fills.csv: 5 rows', 'round_trips.csv: 2 rows', 'daily_pnl.csv: 2 rows',
    ]);
    expect(readdirSync(dir).sort()).toEqual(['daily_pnl.csv', 'fills.csv', 'orders.csv', 'round_trips.csv']);
    for (const [name, rows] of Object.entries(expected)) {
      const bytes = readFileSync(join(dir, `${name}.csv`));
      // UTF-8 BOM, then CRLF after the header and every row
      expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const text = bytes.toString('utf8').slice(1);
      expect(text.endsWith('\r\n')).toBe(true);
      expect(text.split('\r\n')).toHaveLength(rows + 2);
      expect(text.replaceAll('\r\n', '')).not.toContain('\n');
    }
    const orders = readFileSync(join(dir, 'orders.csv'), 'utf8').split('\r\n');
    expect(orders[0]).toBe('\ufeffid,trading_date,created_at,created_kst,origin,strategy,symbol,side,type,qty,price,status,filled_qty,'
      + 'venue_order_id,reason,reject_code,reject_message,rule,outcome,decision_id,config_hash');
    expect(orders[4]).toMatch(new RegExp(`^${b.korean},20261202,\\d+,2026-12-02 11:00:01,daemon,breakout,005930,buy,limit,1200,71000,pending,0,,`
      + `"돌파 매수, ""거래량"" 급증",,,"거래량 급증, 돌파",order,\\d+,cfg-b$`));
    const trips = readFileSync(join(dir, 'round_trips.csv'), 'utf8').split('\r\n');
    const header = trips[0]!.slice(1).split(',');
    // every column of the view, each *_at with its KST twin after it
    expect(header.slice(0, 7)).toEqual(['entry_order_id', 'symbol', 'strategy', 'status', 'opened_at', 'opened_kst', 'closed_at']);
    expect(header).toContain('closed_kst');
    expect(header).toContain('trading_date');
    const samsung = trips[1]!.split(',');
    expect(samsung[header.indexOf('symbol')]).toBe('005930');
    expect(samsung[header.indexOf('opened_kst')]).toBe('2026-12-01 10:01:00');
    expect(samsung[header.indexOf('closed_qty')]).toBe('5');
    expect(readFileSync(join(dir, 'daily_pnl.csv'), 'utf8').split('\r\n')[2]).toMatch(/^20261202,/);
  });

  it('filters by trading date (round trips by the day they opened), refuses to overwrite without --force, naming the files', async () => {
    const b = book();
    const dir = tempDir('kis-export-');
    writeFileSync(join(dir, 'fills.csv'), 'mine');
    writeFileSync(join(dir, 'daily_pnl.csv'), 'mine too');
    const refused = await run(b, ['export', '--out', dir, '--from', DAY2]);
    expect(refused.code).toBe(1);
    expect(refused.err).toBe(`export: ${join(dir, 'fills.csv')}, ${join(dir, 'daily_pnl.csv')} exist: refusing to overwrite (--force replaces them)`);
    expect(readFileSync(join(dir, 'fills.csv'), 'utf8')).toBe('mine');
    expect(existsSync(join(dir, 'orders.csv'))).toBe(false);

    const r = await run(b, ['export', '--out', 'sub', '--from', DAY2, '--force'], dir);
    expect(r.code).toBe(0);
    expect(r.out.split('\n').slice(1)).toEqual(['orders.csv: 2 rows', 'fills.csv: 2 rows', 'round_trips.csv: 0 rows', 'daily_pnl.csv: 1 row']);
    const forced = await run(b, ['export', '--out', dir, '--to', DAY1, '--force']);
    expect(forced.out.split('\n').slice(1)).toEqual(['orders.csv: 2 rows', 'fills.csv: 3 rows', 'round_trips.csv: 2 rows', 'daily_pnl.csv: 1 row']);
    expect(readFileSync(join(dir, 'fills.csv'), 'utf8').split('\r\n')).toHaveLength(5);
    expect(readdirSync(dir).filter((f) => f.endsWith('.partial'))).toEqual([]);

    const bad = await run(b, ['export', '--out', dir, '--to', '2026-02-30']);
    expect(bad.code).toBe(2);
    expect(bad.err).toBe('export: --to: expected YYYYMMDD or YYYY-MM-DD, got "2026-02-30"');
  });
});
