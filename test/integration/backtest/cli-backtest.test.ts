import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerBacktestCommand } from '../../../src/cli/backtest-command.js';
import { loadConfig } from '../../../src/config/index.js';
import { epochMs, kstInstant, krw, shares, stockCode, tradingDate } from '../../../src/domain/index.js';
import type { RankingSnapshot } from '../../../src/domain/index.js';
import { openStoreReadOnly } from '../../../src/store/index.js';
import type { Store } from '../../../src/store/index.js';
import { tempDir } from '../../helpers/cli.js';
import { ROOT } from '../../helpers/daemon.js';
import { createTempStore } from '../../helpers/temp-store.js';
import { syntheticMarket } from '../../helpers/synthetic-bars.js';

/**
 * `kis-trader backtest` in-process: CSV bars and the trade log's bar cache (read-only), the summary,
 * the hash, the report, a --config-file layer, and usage errors as exit 2.
 */
interface Run { code: number; out: string; err: string }

async function backtest(args: string[], cwd: string, store?: string, tty?: string[]): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  let code = 0;
  const program = new Command('kis-trader').exitOverride();
  registerBacktestCommand(program, {
    out: (s) => out.push(s), err: (s) => err.push(s),
    exit: (c) => { code = c; throw new Error(`exit ${c}`); },
    load: () => loadConfig({ dir: join(ROOT, 'config'), env: {}, purpose: 'read' }),
    root: ROOT, cwd, now: () => epochMs(Date.UTC(2026, 11, 7)), tty: tty ? (s) => tty.push(s) : null,
    withReadStore<T>(fn: (s: Store) => T): T {
      const s = openStoreReadOnly({ path: store!, clock: { now: () => epochMs(0) } });
      try { return fn(s); } finally { s.close(); }
    },
  });
  try {
    await program.parseAsync(['node', 'kis-trader', 'backtest', ...args]);
  } catch (e) {
    if (!(e instanceof Error && e.message.startsWith('exit'))) throw e;
  }
  return { code, out: out.join('\n'), err: err.join('\n') };
}

async function hashOf(args: string[], cwd: string, store?: string): Promise<{ hash: string }> {
  return JSON.parse((await backtest(args, cwd, store)).out) as { hash: string };
}

function writeCsv(dir: string): string {
  const lines = ['symbol,date,open,high,low,close,volume,name'];
  for (const [s, bars] of syntheticMarket(20, 80, 3)) {
    for (const b of bars) {
      lines.push([s, b.date, b.open, b.high, b.low, b.close, b.volume, `이름${s.slice(-2)}`].join(','));
    }
  }
  const path = join(dir, 'bars.csv');
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

describe('kis-trader backtest', () => {
  it('runs over CSV bars: the summary, the same hash twice, and the report', async () => {
    const dir = tempDir('kis-bt-');
    writeCsv(dir);
    const args = ['--from', '2025-02-03', '--to', '20250421', '--source', 'csv', '--csv', 'bars.csv'];
    const a = await backtest([...args, '--json'], dir);
    expect(a.err).toBe('');
    const json = JSON.parse(a.out) as { hash: string; summary: { trades: number; evaluations: number; days: number } };
    expect(json.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(json.summary.trades).toBeGreaterThan(0);
    const progress: string[] = [];
    const b = await backtest([...args, '--out', 'report.html'], dir, undefined, progress);
    expect(progress.join('')).toMatch(/backtest [█░]{24} \d+ % \d+\/56/);
    expect(b.code).toBe(0);
    expect(b.out).toContain(`trade list hash: ${json.hash}`);
    const figures = [
      'return', 'CAGR', 'max drawdown', 'Sharpe', 'Sortino', 'win rate', 'profit factor', 'fees', 'tax', 'exposure',
    ];
    for (const figure of figures) {
      expect(b.out).toContain(figure);
    }
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html).toContain('universe: rankings rebuilt from bars on 55 days (--universe rebuilt)');
    expect(html).toContain('fills on daily bars (open ± 1 tick, limits through low/high, close)');
    expect(html).toContain('이름');
    expect((await backtest([...args, '--out', 'report.html'], dir)).err).toContain('exists (--force replaces it)');
  });

  it('reads the trade log\'s bar cache read-only, and a --config-file changes the result', async () => {
    const dir = tempDir('kis-bt-');
    const t = createTempStore();
    for (const bars of syntheticMarket(20, 80, 3).values()) t.store.bars.upsert(bars, epochMs(0));
    t.store.close();
    const args = ['--from', '20250203', '--to', '20250421', '--json'];
    const db = await hashOf(args, dir, t.path);
    writeCsv(dir);
    const csv = await hashOf([...args, '--source', 'csv', '--csv', 'bars.csv'], dir);
    expect(db.hash).toBe(csv.hash);
    writeFileSync(join(dir, 'tight.json'), JSON.stringify({
      strategies: { 'momentum-volume': { exits: { stopLossPct: 1 } } },
    }));
    const tight = await hashOf([...args, '--config-file', 'tight.json'], dir, t.path);
    expect(tight.hash).not.toBe(db.hash);
    writeFileSync(join(dir, 'slip.json'), JSON.stringify({ backtest: { slippageTicks: 3 } }));
    const slipConfig = await hashOf([...args, '--config-file', 'slip.json'], dir, t.path);
    const slipOption = await hashOf([...args, '--slippage-ticks', '3'], dir, t.path);
    expect(slipConfig.hash).toBe(slipOption.hash);
    expect(slipConfig.hash).not.toBe(db.hash);
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ risk: { maxPositions: 'many' } }));
    await expect(backtest([...args, '--config-file', 'bad.json'], dir, t.path)).rejects.toThrow(/risk\.maxPositions/);
  });

  it('runs over the simulator\'s synthetic market with no data at all, the same hash for the same seed', async () => {
    const dir = tempDir('kis-bt-');
    const args = ['--from', '20260302', '--to', '20260430', '--source', 'sim', '--symbols', '30', '--json'];
    const a = JSON.parse((await backtest([...args, '--seed', '7'], dir)).out) as {
      hash: string; title: string; summary: { evaluations: number; orders: number },
    };
    expect(a.title).toContain('fills on the synthetic intraday path');
    const b = await hashOf([...args, '--seed', '7'], dir);
    const c = await hashOf([...args, '--seed', '8'], dir);
    expect(a.summary.evaluations).toBeGreaterThan(1_000);
    expect(a.summary.orders).toBeGreaterThan(0);
    expect(b.hash).toBe(a.hash);
    expect(c.hash).not.toBe(a.hash);
    const misplaced = await backtest(['--from', '20260302', '--to', '20260430', '--seed', '7'], dir);
    expect(misplaced.err).toContain('--seed and --symbols go with --source sim');
  }, 240_000);

  it('replays the recorded scans where the trade log has them and rebuilds the other days', async () => {
    const dir = tempDir('kis-bt-');
    const t = createTempStore();
    const market = syntheticMarket(20, 80, 3);
    for (const bars of market.values()) t.store.bars.upsert(bars, epochMs(0));
    // One volume ranking at 10:00 on three days; on a fourth only one fetched after the close (not seen).
    const scan = (date: string, hhmmss: string, symbols: string[]): void => {
      const at = epochMs(kstInstant(tradingDate(date), hhmmss));
      const rows = symbols.map((s, i) => {
        const close = market.get(stockCode(s))!.find((b) => b.date === date)!.close;
        return {
          rank: i + 1, symbol: stockCode(s), name: `이름${s.slice(-2)}`, price: close, changeBp: 100,
          volume: shares(1_000_000), tradedValue: krw(close * 1_000_000), volumeIncreaseBp: null,
        };
      });
      const snapshot: RankingSnapshot = { kind: 'volume', params: {}, rows, raw: { output: [] }, fetchedAt: at };
      t.store.scans.insert(snapshot, tradingDate(date));
    };
    for (const date of ['20250210', '20250211', '20250212']) scan(date, '100000', ['000007', '000003']);
    scan('20250213', '160000', ['000005']);
    t.store.close();
    // the synthetic codes 000001… end in 1–9, which a code says is a preferred share (scan/universe.ts)
    writeFileSync(join(dir, 'common.json'), JSON.stringify({ scan: { excludeKinds: { preferred: false } } }));
    const args = ['--from', '20250203', '--to', '20250421', '--config-file', 'common.json', '--json'];
    type Out = { title: string; hash: string; summary: { days: number; evaluations: number }; universe: unknown };
    const run = async (more: string[]): Promise<Out> => {
      const r = await backtest([...args, ...more], dir, t.path);
      expect(r.err).toBe('');
      return JSON.parse(r.out) as Out;
    };
    const replayed = await run([]);
    const decisionDays = replayed.summary.days - 1;
    expect(replayed.universe).toEqual({
      mode: 'snapshots', snapshotDays: 3, rebuiltDays: decisionDays - 3, candidatesWithoutBar: 0,
    });
    const rebuiltDays = decisionDays - 3;
    expect(replayed.title).toContain(
      `universe: recorded scans on 3 days, rankings rebuilt from bars on ${rebuiltDays} days (--universe snapshots)`,
    );
    expect((await run(['--universe', 'snapshots'])).hash).toBe(replayed.hash);
    const rebuilt = await run(['--universe', 'rebuilt']);
    expect(rebuilt.universe).toEqual({
      mode: 'rebuilt', snapshotDays: 0, rebuiltDays: decisionDays, candidatesWithoutBar: 0,
    });
    expect(rebuilt.summary.evaluations).not.toBe(replayed.summary.evaluations);
    const all = await run(['--universe', 'all']);
    expect(all.title).toContain('universe: every symbol, unranked (--universe all)');
    expect(all.summary.evaluations).toBeGreaterThan(rebuilt.summary.evaluations);

    writeCsv(dir);
    const csv = await backtest(['--from', '20250203', '--to', '20250421', '--source', 'csv', '--csv', 'bars.csv',
      '--universe', 'snapshots'], dir);
    expect(csv.code).toBe(2);
    expect(csv.err).toContain('--universe snapshots goes with --source db');
    const bad = await backtest([...args, '--universe', 'top'], dir, t.path);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--universe: expected rebuilt, snapshots, all, got "top"');
  });

  it('names the line and column of a bad CSV, exit 2', async () => {
    const dir = tempDir('kis-bt-');
    writeFileSync(join(dir, 'bad.csv'), 'symbol,date,open,high,low,close,volume\n005930,20250102,1,2,1,1,many\n');
    const r = await backtest(['--from', '20250102', '--to', '20250102', '--source', 'csv', '--csv', 'bad.csv'], dir);
    expect(r.code).toBe(2);
    expect(r.err).toContain('line 2, column volume: expected a whole number of shares');
  });
});
