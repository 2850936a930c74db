import { spawn } from 'node:child_process';
import { chmodSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { epochMs, isAppError, tradingDate } from '../../../src/domain/index.js';
import { backupTradeLog, keepDailyBackup, latestBackup, openStore } from '../../../src/store/index.js';
import { createTempStore } from '../../helpers/temp-store.js';
import { WRITER_DATE, writeFilledOrder } from '../../helpers/trade-log-writer.js';

/**
 * `kis-trader backup` and the after-close daily copy at the store level (issue 11): SQLite's online
 * backup on real files, with another process writing meanwhile. The test process keeps the usual
 * umask (022), so a copy only comes out 0600 when the code asks.
 */
const mode = (p: string): number => statSync(p).mode & 0o777;

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection, it resolved');
}

/** Every order filled in full by exactly its one fill: what a copy taken between two transactions shows. */
function consistent(db: Database.Database): { orders: number; fills: number; torn: number } {
  const orders = (db.prepare('SELECT count(*) AS n FROM orders').get() as { n: number }).n;
  const fills = (db.prepare('SELECT count(*) AS n FROM fills').get() as { n: number }).n;
  const torn = (db.prepare(`SELECT count(*) AS n FROM orders o
    WHERE o.filled_qty <> o.qty OR o.filled_qty <> (SELECT coalesce(sum(f.qty), 0) FROM fills f WHERE f.order_id = o.id)`).get() as { n: number }).n;
  return { orders, fills, torn };
}

function garble(path: string, page: number, pageSize: number): void {
  const fd = openSync(path, 'r+');
  const junk = Buffer.alloc(pageSize, 0);
  for (let i = 0; i < pageSize; i++) junk[i] = (i * 131 + 7) % 251;
  writeSync(fd, junk, 0, pageSize, (page - 1) * pageSize);
  closeSync(fd);
}

describe('backupTradeLog', () => {
  it('copies a log another process is writing to: the copy opens, is consistent, and has the rows', async () => {
    const t = createTempStore();
    for (let n = 0; n < 50; n++) writeFilledOrder(t.store, n);
    const writer = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), join(import.meta.dirname, '..', '..', 'helpers', 'trade-log-writer.ts'), t.path, '20000'],
      { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise<number | null>((resolve) => writer.on('exit', resolve));
    await new Promise<void>((resolve, reject) => {
      writer.stdout.on('data', (d: Buffer) => { if (d.toString().includes('ready')) resolve(); });
      writer.on('exit', (code) => reject(new Error(`the writer exited (${code}) before it was ready`)));
    });
    const copies: ReturnType<typeof consistent>[] = [];
    try {
      // several copies while the writer goes on, each from this (the daemon's) connection, which also writes
      for (let i = 0; i < 4; i++) {
        writeFilledOrder(t.store, 100 + i);
        const r = await backupTradeLog(t.store.db, join(t.dir, `copy-${i}.sqlite`));
        expect(r.check).toBe('ok');
        expect(r.bytes).toBe(r.pages * r.pageSize);
        const copy = new Database(r.path, { readonly: true });
        expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
        expect(copy.pragma('foreign_key_check')).toEqual([]);
        copies.push(consistent(copy));
        copy.close();
      }
    } finally {
      writer.kill();
      await exited;
    }
    for (const [i, c] of copies.entries()) {
      expect(c.torn, `copy ${i}`).toBe(0);
      expect(c.fills, `copy ${i}`).toBe(c.orders);
      // the rows written before it, by this connection and by the writer's first 20
      expect(c.orders, `copy ${i}`).toBeGreaterThanOrEqual(50 + 20 + i + 1);
    }
    // it is a trade log the daemon can open: migrated, with the orders through the repositories
    const store = openStore({ path: join(t.dir, 'copy-3.sqlite'), synchronous: 'FULL', clock: t.clock, integrityCheck: true });
    expect(store.orders.forDate(WRITER_DATE).length).toBe(copies[3]!.orders);
    expect(store.fills.forDate(WRITER_DATE).length).toBe(copies[3]!.orders);
    store.close();
  }, 60_000);

  it('writes one owner-only file without -wal/-journal companions, whatever the umask', async () => {
    const t = createTempStore();
    writeFilledOrder(t.store, 1);
    const out = join(t.dir, 'out');
    mkdirSync(out);
    const r = await backupTradeLog(t.store.db, join(out, 'trade.sqlite'));
    expect(mode(r.path)).toBe(0o600);
    expect(readdirSync(out)).toEqual(['trade.sqlite']);
    const copy = new Database(r.path, { readonly: true });
    expect(copy.pragma('journal_mode', { simple: true })).toBe('delete');
    copy.close();
  });

  it('refuses to overwrite an existing file unless told to, and then replaces it', async () => {
    const t = createTempStore();
    writeFilledOrder(t.store, 1);
    const target = join(t.dir, 'existing.sqlite');
    writeFileSync(target, 'keep me');
    const err = await rejection(backupTradeLog(t.store.db, target));
    expect(isAppError(err, 'STORE_BACKUP_EXISTS'), String(err)).toBe(true);
    expect(err.message).toContain(target);
    expect(readFileSync(target, 'utf8')).toBe('keep me');
    expect(readdirSync(t.dir).sort()).toEqual(['data', 'existing.sqlite']);

    const r = await backupTradeLog(t.store.db, target, { overwrite: true });
    expect(mode(target)).toBe(0o600);
    const copy = new Database(r.path, { readonly: true });
    expect(consistent(copy).orders).toBe(1);
    copy.close();
  });

  it('refuses to write over the trade log itself, even when told to overwrite', async () => {
    const t = createTempStore();
    symlinkSync(dirname(t.path), join(t.dir, 'link'));
    for (const target of [t.path, `${t.path}-wal`, join(t.dir, 'link', 'trade.sqlite')]) {
      const err = await rejection(backupTradeLog(t.store.db, target, { overwrite: true }));
      expect(isAppError(err, 'STORE_BACKUP_FAILED'), String(err)).toBe(true);
      expect(err.message).toContain('onto itself');
    }
    expect(t.store.orders.forDate(WRITER_DATE)).toEqual([]);
  });

  it('names the path when the target directory is missing or not a directory', async () => {
    const t = createTempStore();
    const missing = join(t.dir, 'nope', 'x.sqlite');
    const err = await rejection(backupTradeLog(t.store.db, missing));
    expect(isAppError(err, 'STORE_BACKUP_FAILED')).toBe(true);
    expect(err.message).toContain(`the directory ${dirname(missing)} does not exist`);
    writeFileSync(join(t.dir, 'file'), '');
    const underFile = join(t.dir, 'file', 'x.sqlite');
    expect((await rejection(backupTradeLog(t.store.db, underFile))).message).toContain('is not a directory');
  });

  it.skipIf(process.getuid?.() === 0)('names a directory it cannot write to, and leaves nothing in it', async () => {
    const t = createTempStore();
    const ro = join(t.dir, 'ro');
    mkdirSync(ro);
    chmodSync(ro, 0o500);
    try {
      const err = await rejection(backupTradeLog(t.store.db, join(ro, 'x.sqlite')));
      expect(err.message).toContain(`the directory ${ro} is not writable`);
      expect(readdirSync(ro)).toEqual([]);
    } finally {
      chmodSync(ro, 0o700);
    }
  });

  it('leaves no file under the target name when the directory goes away mid-way', async () => {
    const t = createTempStore();
    writeFilledOrder(t.store, 1);
    const out = join(t.dir, 'out');
    mkdirSync(out);
    const target = join(out, 'x.sqlite');
    const running = backupTradeLog(t.store.db, target);
    // the temporary file exists by now (created before the first await); the copy has not started
    expect(readdirSync(out).filter((f) => f.endsWith('.partial'))).toHaveLength(1);
    rmSync(out, { recursive: true });
    const err = await rejection(running);
    expect(isAppError(err, 'STORE_BACKUP_FAILED'), String(err)).toBe(true);
    expect(err.message).toContain(target);
    expect(existsSync(target)).toBe(false);
    expect(existsSync(out)).toBe(false);
  });

  it('refuses a copy that fails quick_check (a damaged log), leaving nothing behind in the directory', async () => {
    const t = createTempStore();
    for (let i = 0; i < 400; i++) t.store.kv.set(`k${i}`, { filler: 'x'.repeat(200), i }, t.clock.now());
    const root = (t.store.db.prepare("SELECT rootpage FROM sqlite_master WHERE name = 'kv'").get() as { rootpage: number }).rootpage;
    const pageSize = t.store.db.pragma('page_size', { simple: true }) as number;
    t.store.close();
    garble(t.path, root, pageSize);
    const db = new Database(t.path);
    const out = join(t.dir, 'out');
    mkdirSync(out);
    try {
      const err = await rejection(backupTradeLog(db, join(out, 'x.sqlite')));
      expect(isAppError(err, 'STORE_BACKUP_FAILED'), String(err)).toBe(true);
      expect(err.message).toContain('fails quick_check');
      expect(readdirSync(out)).toEqual([]);
    } finally {
      db.close();
    }
  });
});

describe('keepDailyBackup', () => {
  const DAY = tradingDate('20261207');

  it('writes the day\'s copy once, prunes this mode\'s copies older than keepDays by their name, and touches nothing else', async () => {
    const t = createTempStore();
    writeFilledOrder(t.store, 1);
    const dir = join(t.dir, 'data', 'backups');
    mkdirSync(dir);
    const others = ['sim-20261122.sqlite', 'sim-20261123.sqlite', 'paper-20261101.sqlite', 'sim-20261101.sqlite.bak', 'notes.txt', 'sim-2026110.sqlite'];
    for (const f of [...others, 'sim-20261101.sqlite', 'sim-20261120.sqlite']) writeFileSync(join(dir, f), 'x');

    const first = await keepDailyBackup(t.store.db, { dir, mode: 'sim', date: DAY, keepDays: 14 });
    expect(first.path).toBe(join(dir, 'sim-20261207.sqlite'));
    expect(first.written?.check).toBe('ok');
    // 20261123 is 14 days before: kept; 20261122 is 15: gone, like every older one of this mode
    expect(first.pruned.sort()).toEqual([join(dir, 'sim-20261101.sqlite'), join(dir, 'sim-20261120.sqlite'), join(dir, 'sim-20261122.sqlite')]);
    expect(readdirSync(dir).sort()).toEqual(['notes.txt', 'paper-20261101.sqlite', 'sim-2026110.sqlite', 'sim-20261101.sqlite.bak', 'sim-20261123.sqlite', 'sim-20261207.sqlite']);
    expect(mode(first.path)).toBe(0o600);

    // the same day again (a restart after the close): the copy stays as it was
    writeFilledOrder(t.store, 2);
    const before = readFileSync(first.path);
    const again = await keepDailyBackup(t.store.db, { dir, mode: 'sim', date: DAY, keepDays: 14 });
    expect(again).toEqual({ path: first.path, written: null, pruned: [] });
    expect(readFileSync(first.path).equals(before)).toBe(true);

    // the next day: a new copy, with the new order
    const next = await keepDailyBackup(t.store.db, { dir, mode: 'sim', date: tradingDate('20261208'), keepDays: 14 });
    expect(next.written).not.toBeNull();
    const copy = new Database(next.path, { readonly: true });
    expect(consistent(copy).orders).toBe(2);
    copy.close();
  });

  it('creates its directory owner-only and clears what an interrupted daily backup of its mode left', async () => {
    const t = createTempStore();
    const dir = join(t.dir, 'data', 'backups');
    const first = await keepDailyBackup(t.store.db, { dir, mode: 'live', date: DAY, keepDays: 14 });
    expect(mode(dir)).toBe(0o700);
    writeFileSync(join(dir, '.live-20261208.sqlite.123-abcd.partial'), 'half');
    writeFileSync(join(dir, '.live-20261208.sqlite.123-abcd.partial-journal'), 'half');
    writeFileSync(join(dir, '.paper-20261208.sqlite.123-abcd.partial'), 'not ours');
    await keepDailyBackup(t.store.db, { dir, mode: 'live', date: tradingDate('20261208'), keepDays: 14 });
    expect(readdirSync(dir).sort()).toEqual(['.paper-20261208.sqlite.123-abcd.partial', 'live-20261207.sqlite', 'live-20261208.sqlite']);
    expect(existsSync(first.path)).toBe(true);
  });

  it('names this log\'s own copy, not a newer one of another mode, nor one being written', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kis-latest-'));
    try {
      mkdirSync(join(dir, 'backups'));
      const file = (name: string, age: number): void => {
        writeFileSync(join(dir, 'backups', name), 'x');
        const t = Date.now() / 1000 - age;
        utimesSync(join(dir, 'backups', name), t, t);
      };
      file('live-20261207.sqlite', 3600);
      file('paper-20261208.sqlite', 60);
      file('.live-20261208.sqlite.123-abcd.partial', 10);
      expect(latestBackup(join(dir, 'live.sqlite'))).toBe(join(dir, 'backups', 'live-20261207.sqlite'));
      // a log with no copy of its own: the newest copy there is, still never a partial one
      expect(latestBackup(join(dir, 'sim.sqlite'))).toBe(join(dir, 'backups', 'paper-20261208.sqlite'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is the backup the daemon names when it finds the trade log damaged at start', async () => {
    // the shipped layout: data/<mode>.sqlite and the default store.backups.dir data/backups
    const t = createTempStore();
    for (let i = 0; i < 400; i++) t.store.kv.set(`k${i}`, { filler: 'x'.repeat(200), i }, t.clock.now());
    const { path } = await keepDailyBackup(t.store.db, { dir: join(dirname(t.path), 'backups'), mode: 'sim', date: DAY, keepDays: 14 });
    expect(latestBackup(t.path)).toBe(path);
    const root = (t.store.db.prepare("SELECT rootpage FROM sqlite_master WHERE name = 'kv'").get() as { rootpage: number }).rootpage;
    const pageSize = t.store.db.pragma('page_size', { simple: true }) as number;
    t.store.db.pragma('wal_checkpoint(TRUNCATE)');
    t.store.close();
    garble(t.path, root, pageSize);
    expect(() => openStore({ path: t.path, synchronous: 'FULL', clock: { now: () => epochMs(0) }, integrityCheck: true }))
      .toThrow(`latest backup: ${path}`);
    // and it is a good one: it opens with the rows
    const restored = openStore({ path, synchronous: 'FULL', clock: { now: () => epochMs(0) }, integrityCheck: true });
    expect(restored.kv.get('k399')).toEqual({ filler: 'x'.repeat(200), i: 399 });
    restored.close();
  });
});
