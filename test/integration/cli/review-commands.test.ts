import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { epochMs, krw, RISK_KEYS, shares, stockCode } from '../../../src/domain/index.js';
import type { AccountSnapshot } from '../../../src/domain/index.js';
import { registerReviewCommands } from '../../../src/cli/review-commands.js';
import type { Store } from '../../../src/store/index.js';
import { createTempStore } from '../../helpers/temp-store.js';
import { at, DAY1, DAY2, DAY3, writeDay1, writeDay2, writeDay3 } from '../../helpers/review-book.js';

/**
 * `pnl` and `trades` over the hand-written book of test/helpers/review-book.ts (its round trips are
 * worked out in test/integration/store/round-trips.test.ts): breakout's SAMSUNG trip nets 3,524
 * (commission 208, tax 1,268), its HYNIX trip −14,025 (148, 877); gap's 3 SAMSUNG are still held.
 */
function run(store: Store, args: string[], cwd = tmpdir()): { out: string; err: string; code: number } {
  const out: string[] = [];
  const err: string[] = [];
  let code = 0;
  const program = new Command().exitOverride();
  registerReviewCommands(program, {
    out: (s) => out.push(s), err: (s) => err.push(s),
    exit: (c) => { code = c; throw new Error(`exit ${c}`); },
    source: 'test', withStore: (fn) => fn(store), cwd, now: () => at(DAY3, '160000'),
  });
  try {
    program.parse(['node', 'kis-trader', ...args]);
  } catch (e) {
    if (!String(e).includes('exit')) throw e;
  }
  return { out: out.join('\n'), err: err.join('\n'), code };
}

const totalOf = (out: string): Record<string, unknown> => (JSON.parse(out) as { total: Record<string, unknown> }).total;

function book(): Store {
  const { store } = createTempStore();
  writeDay1(store);
  writeDay2(store);
  writeDay3(store);
  const account: AccountSnapshot = {
    holdings: [{ symbol: stockCode('005930'), name: '삼성전자', qty: shares(3), avgPrice: krw(68_000), price: krw(68_500) } as AccountSnapshot['holdings'][number]],
    cash: krw(0), settledCash: krw(0), totalValue: krw(0), at: epochMs(at(DAY3, '153500')),
  };
  store.risk.set(RISK_KEYS.account, account, at(DAY3, '153500'));
  return store;
}

describe('kis-trader pnl', () => {
  it('sums the closed trips by strategy with win rate, averages, profit factor, fees and tax, to the won', () => {
    const r = run(book(), ['pnl', '--by', 'strategy', '--json']);
    const j = JSON.parse(r.out) as { total: Record<string, number | null>; groups: { key: string; summary: Record<string, number | null> }[] };
    // 3,524 − 14,025; PF 3,524 / 14,025 = 0.2513
    expect(j.total).toMatchObject({
      trades: 2, wins: 1, losses: 1, winRateBp: 5000, net: -10_501, avgWin: 3_524, avgLoss: -14_025, profitFactor: 0.25,
      commission: 356, tax: 2_145, open: 1, unrealised: 68_500 * 3 - 204_031,
    });
    expect(j.groups.map((g) => [g.key, g.summary['trades'], g.summary['net']])).toEqual([['breakout', 2, -10_501]]);
  });

  it('prints a table with thousands separators and a total row', () => {
    const r = run(book(), ['pnl', '--by', 'symbol']);
    expect(r.out).toContain('P&L in the whole log, by symbol (test)');
    expect(r.out).toMatch(/│ 000660 +│ 1 +│ 0 +│ 0\.00 % +│ -14,025 /);
    expect(r.out).toMatch(/│ 005930 +│ 1 +│ 1 +│ 100\.00 % +│ 3,524 /);
    expect(r.out).toMatch(/│ total +│ 2 +│ 1 +│ 50\.00 % +│ -10,501 /);
    expect(r.out).toContain('open round trips: 1, unrealised 1,469 won');
  });

  it('counts a trip in the period it closed', () => {
    // closed on day 3: not in a period that ends on day 2 (nor open: "open" is what is held now)
    expect(totalOf(run(book(), ['pnl', '--to', String(DAY2), '--json']).out)).toMatchObject({ trades: 0, net: 0, open: 0 });
    expect(run(book(), ['pnl', '--to', String(DAY1)]).out).toContain('no round trip closed in this period');
    expect(totalOf(run(book(), ['pnl', '--from', '2026-12-03', '--json']).out)).toMatchObject({ trades: 2, net: -10_501 });
  });

  it('names a bad option value and exits 2', () => {
    const bad = run(book(), ['pnl', '--from', '2026-13-01']);
    expect(bad.code).toBe(2);
    expect(bad.err).toBe('--from: expected YYYYMMDD or YYYY-MM-DD, got "2026-13-01"');
    expect(run(book(), ['pnl', '--by', 'year']).err).toContain('--by: expected one of day, week, month, symbol, strategy, got "year"');
    expect(run(book(), ['pnl', '--from', '20261203', '--to', '20261201']).err).toBe('--from 20261203 is after --to 20261201');
  });
});

describe('kis-trader trades', () => {
  it('lists open trips with unrealised P&L at the last mark, and closed ones with their exit rule', () => {
    const store = book();
    const open = run(store, ['trades', '--open']);
    expect(open.out).toContain('round trips in the whole log: 1 (test)');
    expect(open.out).toMatch(/005930 .*│ gap .*│ 68,000 .*│ 1,469 /);
    expect(open.out).toContain("marks: the broker's prices at the last reconcile (2026-12-03 15:35:00 KST)");
    const closed = run(store, ['trades', '--closed', '--symbol', '000660']);
    expect(closed.out).toMatch(/000660 .*│ breakout .*│ 5 .*│ 5 .*│ 100,000 .*│ 97,400 .*│ -14,025 .*│ -2\.80 % .*│ 2d 4h .*│ stop loss/);
    expect(JSON.parse(run(store, ['trades', '--json', '--strategy', 'breakout']).out)).toHaveLength(2);
    expect(run(store, ['trades', '--open', '--closed']).code).toBe(2);
  });
});

describe('--csv', () => {
  it('prints the trips and the P&L rows as CSV for a pipe, numbers plain, times in KST', () => {
    const store = book();
    const trips = run(store, ['trades', '--csv', '--closed', '--symbol', '000660']).out.split('\n');
    expect(trips[0]).toBe('entry_order_id,symbol,name,strategy,status,opened_at,opened_kst,closed_at,closed_kst,holding_seconds,qty,closed_qty,'
      + 'entry_price,exit_price,gross_pnl,commission,tax,net_pnl,return_bp,exit_rule,trading_date,open_qty,open_cost,mark,unrealised_pnl');
    expect(trips.slice(1)).toEqual([
      `2,000660,,breakout,closed,${at(DAY1, '100100')},2026-12-01 10:01:00,${at(DAY3, '143000')},2026-12-03 14:30:00,188940,5,5,`
      + '100000,97400,-13000,148,877,-14025,-280,stop loss,20261201,0,0,,',
    ]);
    const pnl = run(store, ['pnl', '--by', 'strategy', '--csv']).out.split('\n');
    expect(pnl).toEqual([
      'strategy,trades,wins,losses,win_rate_bp,net_pnl,gross_pnl,avg_win,avg_loss,profit_factor,commission,tax',
      'breakout,2,1,1,5000,-10501,-8000,3524,-14025,0.25,356,2145',
      'total,2,1,1,5000,-10501,-8000,3524,-14025,0.25,356,2145',
    ]);
    const both = run(store, ['trades', '--json', '--csv']);
    expect([both.code, both.err]).toEqual([2, '--json and --csv cannot be combined: choose one']);
  });
});

describe('kis-trader report', () => {
  it('writes one self-contained HTML file of the period, owner-only, and refuses to overwrite it', () => {
    const store = book();
    const dir = mkdtempSync(join(tmpdir(), 'kis-report-'));
    try {
      const r = run(store, ['report', '--out', 'r.html'], dir);
      expect(r.code).toBe(0);
      const path = join(dir, 'r.html');
      expect(r.out).toMatch(new RegExp(`^report written: ${path} \\(\\d+ KB\\)$`));
      expect(statSync(path).mode & 0o777).toBe(0o600);
      const html = readFileSync(path, 'utf8');
      // the two closed trips' total and the open one's mark, as pnl prints them
      expect(html).toContain('10,501');
      expect(html).toContain('1,469');
      expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href="http/);
      const again = run(store, ['report', '--out', 'r.html'], dir);
      expect(again.code).toBe(2);
      expect(again.err).toBe(`--out: ${path} exists (--force replaces it)`);
      expect(run(store, ['report', '--out', 'r.html', '--force', '--from', String(DAY1)], dir).code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(existsSync(dir)).toBe(false);
  });
});
