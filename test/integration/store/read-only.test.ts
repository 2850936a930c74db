import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createManualClock, isAppError } from '../../../src/domain/index.js';
import { defaultMigrationsDir, listMigrations, migrate, openStore, openStoreReadOnly } from '../../../src/store/index.js';
import { createTempStore, TEMP_STORE_START } from '../../helpers/temp-store.js';
import { DAY1, DAY2, writeDay1, writeDay2 } from '../../helpers/review-book.js';

/**
 * The review commands' connection (issue 11): read-only, safe while the daemon writes, never
 * writing the database file itself, refusing a log its queries do not fit.
 */
const clock = createManualClock(TEMP_STORE_START);
const digest = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kis-ro-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function thrown(fn: () => unknown): unknown {
  try { fn(); } catch (e) { return e; }
  throw new Error('expected a throw');
}

describe('openStoreReadOnly', () => {
  it('reads while another connection holds a write transaction open, sees only what is committed, and cannot write', () => {
    const t = createTempStore();
    writeDay1(t.store);
    writeDay2(t.store);
    // the "daemon": a second connection in the middle of a write
    const writer = new Database(t.path);
    onTestFinished(() => { if (writer.open) writer.close(); });
    writer.exec('BEGIN IMMEDIATE');
    writer.prepare("UPDATE orders SET reason = 'uncommitted' WHERE id = 1").run();

    const ro = openStoreReadOnly({ path: t.path, clock });
    try {
      expect(ro.orders.forDates(DAY1, DAY2).map((o) => o.reason)).toEqual(['test', 'test', 'test']);
      expect(ro.fills.forDates(DAY1, DAY2)).toHaveLength(5);
      const err = thrown(() => ro.risk.set('x', 1, clock.now()));
      expect((err as { code?: string }).code).toBe('SQLITE_READONLY');
    } finally {
      ro.close();
    }
    writer.exec('COMMIT');
    writer.close();
  });

  it('never writes the database file: a log left with un-checkpointed WAL frames stays byte for byte as it was', () => {
    // A log as a killed daemon leaves it: committed rows still in the -wal, not yet in the main file.
    const t = createTempStore();
    t.store.db.pragma('wal_autocheckpoint = 0');
    writeDay1(t.store);
    writeDay2(t.store);
    const dir = tempDir();
    const path = join(dir, 'trade.sqlite');
    copyFileSync(t.path, path);
    copyFileSync(`${t.path}-wal`, `${path}-wal`);
    expect(statSync(`${path}-wal`).size).toBeGreaterThan(0);
    const before = { main: digest(path), wal: digest(`${path}-wal`), mtime: statSync(path).mtimeMs };

    const ro = openStoreReadOnly({ path, clock });
    try {
      expect(ro.orders.forDate(DAY2)).toHaveLength(1);
      expect(ro.decisions.forDates(DAY1, DAY2)).toHaveLength(7);
    } finally {
      ro.close();
    }
    // a read-write connection checkpoints into the main file on close; this one must not
    expect({ main: digest(path), wal: digest(`${path}-wal`), mtime: statSync(path).mtimeMs }).toEqual(before);
    // SQLite's WAL readers share an index in -shm (created when absent); nothing else appears
    expect(readdirSync(dir).sort()).toEqual(['trade.sqlite', 'trade.sqlite-shm', 'trade.sqlite-wal']);
  });

  it('refuses a log at an older schema, naming both versions and what migrates it, and leaves it untouched', () => {
    const latest = listMigrations(defaultMigrationsDir()).length;
    const dir = tempDir();
    const older = join(dir, 'migrations');
    mkdirSync(older);
    for (const m of listMigrations(defaultMigrationsDir()).slice(0, latest - 1)) copyFileSync(m.path, join(older, m.file));
    const path = join(dir, 'old.sqlite');
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    migrate(db, older, path);
    db.close();
    const before = digest(path);

    const err = thrown(() => openStoreReadOnly({ path, clock }));
    expect(isAppError(err, 'STORE_SCHEMA_OLD')).toBe(true);
    expect((err as Error).message).toContain(`the trade log ${path} is at schema ${latest - 1}, this kis-trader needs ${latest}`);
    expect((err as Error).message).toContain('Restart the daemon with this version once');
    expect(digest(path)).toBe(before);

    // what the message says migrates it: a read-write open (the daemon's, or `backup`'s)
    openStore({ path, synchronous: 'FULL', clock }).close();
    const ro = openStoreReadOnly({ path, clock });
    expect(ro.db.pragma('user_version', { simple: true })).toBe(latest);
    ro.close();
  });

  it('names a missing file and creates nothing', () => {
    const dir = tempDir();
    const path = join(dir, 'none.sqlite');
    const err = thrown(() => openStoreReadOnly({ path, clock }));
    expect(isAppError(err, 'STORE_OPEN_FAILED')).toBe(true);
    expect((err as Error).message).toContain(`cannot open the trade log ${path} read-only`);
    expect(existsSync(path)).toBe(false);
  });
});

describe('forDates', () => {
  it('lists trading dates from..to inclusive, by date then id; one day is forDate', () => {
    const { store } = createTempStore();
    writeDay1(store);
    writeDay2(store);
    expect(store.orders.forDates(DAY1, DAY2).map((o) => o.tradingDate)).toEqual([DAY1, DAY1, DAY2]);
    expect(store.orders.forDates(DAY2, DAY2)).toEqual(store.orders.forDate(DAY2));
    expect(store.fills.forDates(DAY1, DAY1).map((f) => f.qty)).toEqual([4, 6, 5]);
    expect(store.fills.forDates(DAY2, DAY2)).toEqual(store.fills.forDate(DAY2));
    expect(store.decisions.forDates(DAY1, DAY2).map((d) => d.tradingDate)).toEqual([DAY1, DAY1, DAY1, DAY1, DAY1, DAY2, DAY2]);
    expect(store.decisions.forDates(DAY2, DAY1)).toEqual([]);
  });
});
