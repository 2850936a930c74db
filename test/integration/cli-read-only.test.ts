import { createHash } from 'node:crypto';
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/domain/index.js';
import { defaultMigrationsDir, listMigrations, migrate, openStore } from '../../src/store/index.js';
import { spawnCli, tempDir } from '../helpers/cli.js';
import { ROOT } from '../helpers/daemon.js';
import { at, DAY1, DAY2, writeDay1, writeDay2 } from '../helpers/review-book.js';

/**
 * The review commands as an operator runs them (issue 11): `kis-trader` spawned, the trade log
 * opened read-only, so they work while the daemon holds a write transaction and never migrate.
 */
/** A kis-trader home with the repo's config and an empty data/ */
function home(): { root: string; log: string } {
  const root = tempDir('kis-home-');
  cpSync(join(ROOT, 'config'), join(root, 'config'), { recursive: true });
  mkdirSync(join(root, 'data'));
  return { root, log: join(root, 'data', 'sim.sqlite') };
}


const digest = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('review commands open the trade log read-only', () => {
  it('list and export while another connection holds a write transaction, without writing the log', async () => {
    const h = home();
    const store = openStore({ path: h.log, synchronous: 'FULL', clock: createManualClock(at(DAY2, '153000')) });
    writeDay1(store);
    writeDay2(store);
    store.close();
    const before = digest(h.log);
    const daemon = new Database(h.log);
    daemon.exec('BEGIN IMMEDIATE');
    daemon.prepare("UPDATE orders SET reason = 'not yet' WHERE id = 1").run();
    try {
      const env = { KIS_TRADER_HOME: h.root };
      const elsewhere = tempDir('kis-cwd-');
      const orders = await spawnCli(['orders', '--from', '2026-12-01', '--to', DAY2, '--csv'], elsewhere, env);
      expect(orders.err).toBe('');
      expect(orders.code).toBe(0);
      const lines = orders.out.trimEnd().split('\n');
      expect(lines).toHaveLength(4);
      expect(lines[1]).toContain(',test,');

      const exported = await spawnCli(['export', '--out', 'csv'], elsewhere, env);
      expect(exported.err).toBe('');
      expect(exported.code).toBe(0);
      expect(exported.out).toContain(`to ${join(elsewhere, 'csv')}`);
      expect(exported.out).toContain('orders.csv: 3 rows');
      expect(exported.out).toContain('fills.csv: 5 rows');
      expect(readFileSync(join(elsewhere, 'csv', 'orders.csv'), 'utf8').startsWith('\ufeffid,')).toBe(true);

      const status = await spawnCli(['status'], elsewhere, env);
      expect(status.code).toBe(0);
      expect(status.out).toContain('entries allowed');
      const positions = await spawnCli(['positions', '--csv'], elsewhere, env);
      expect(positions.code).toBe(0);
      expect(positions.out.trimEnd().split('\n').slice(1).map((l) => l.split(',').slice(0, 3).join(','))).toEqual(['000660,breakout,5', '005930,breakout,5']);
      expect(digest(h.log)).toBe(before);
    } finally {
      daemon.exec('ROLLBACK');
      daemon.close();
    }

    const bad = await spawnCli(['fills', '--to', '2026-13-01'], h.root, { KIS_TRADER_HOME: h.root });
    expect(bad.code).toBe(2);
    expect(bad.err.trim()).toBe('fills: --to: expected YYYYMMDD or YYYY-MM-DD, got "2026-13-01"');
  }, 60_000);

  it('a log at an older schema: refused by the read commands, unchanged, until a read-write open (backup) migrates it', async () => {
    const h = home();
    const all = listMigrations(defaultMigrationsDir());
    const older = tempDir('kis-migrations-');
    for (const m of all.slice(0, -1)) copyFileSync(m.path, join(older, m.file));
    const db = new Database(h.log);
    db.pragma('journal_mode = WAL');
    migrate(db, older, h.log);
    db.close();
    const before = digest(h.log);
    const env = { KIS_TRADER_HOME: h.root };

    const refused = await spawnCli(['decisions', '--date', DAY1], h.root, env);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain(`the trade log ${h.log} is at schema ${all.length - 1}, this kis-trader needs ${all.length}`);
    expect(refused.err).toContain('`kis-trader backup --out FILE`');
    expect(digest(h.log)).toBe(before);

    const backup = await spawnCli(['backup', '--out', join(tempDir('kis-backup-'), 'copy.sqlite')], h.root, env);
    expect(backup.code).toBe(0);
    const after = await spawnCli(['decisions', '--date', DAY1], h.root, env);
    expect(after.err).toBe('');
    expect(after.out).toContain(`decisions on ${DAY1}: 0`);
    expect(existsSync(h.log)).toBe(true);
  }, 60_000);
});
