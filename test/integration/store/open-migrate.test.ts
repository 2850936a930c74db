import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it, onTestFinished } from 'vitest';
import { AppError, createManualClock } from '../../../src/domain/index.js';
import { defaultMigrationsDir, listMigrations, migrate, openStore } from '../../../src/store/index.js';
import { createTempStore, TEMP_STORE_START } from '../../helpers/temp-store.js';

function thrown(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected an AppError, nothing was thrown');
}

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** a migration file name that leaves a gap after the project's migrations */
const gapFile = (): string => `${String(listMigrations(defaultMigrationsDir()).length + 2).padStart(4, '0')}_skipped.sql`;

/** a migrations dir holding the project's migrations plus `extra` files */
function migrationsWith(extra: Record<string, string>): string {
  const dir = tempDir('kis-migrations-');
  for (const f of readdirSync(defaultMigrationsDir())) copyFileSync(join(defaultMigrationsDir(), f), join(dir, f));
  for (const [name, sql] of Object.entries(extra)) writeFileSync(join(dir, name), sql);
  return dir;
}

const tables = (db: Database.Database): string[] =>
  db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all().map((r) => r.name);

describe('openStore pragmas', () => {
  it('sets WAL, the requested synchronous level, foreign keys and a 5 s busy timeout on every open', () => {
    const t = createTempStore({ synchronous: 'FULL' });
    const db = t.store.db;
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);

    const again = t.reopen({ synchronous: 'NORMAL' }).db;
    expect(again.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(again.pragma('synchronous', { simple: true })).toBe(1);
    expect(again.pragma('foreign_keys', { simple: true })).toBe(1);
  });

  it('refuses a synchronous level other than FULL or NORMAL', () => {
    const dir = tempDir('kis-store-');
    const err = thrown(() => openStore({
      path: join(dir, 'x.sqlite'), synchronous: 'OFF' as 'FULL', clock: createManualClock(TEMP_STORE_START),
    }));
    expect(err.code).toBe('STORE_OPTIONS_INVALID');
  });
});

describe('migrations', () => {
  it('finds the project migrations numbered from 1', () => {
    const ms = listMigrations(defaultMigrationsDir());
    expect(ms[0]?.file).toBe('0001_init.sql');
    expect(ms.map((m) => m.version)).toEqual(ms.map((_, i) => i + 1));
  });

  it('are idempotent across re-opens and keep the data', () => {
    const t = createTempStore();
    const latest = listMigrations(defaultMigrationsDir()).length;
    t.store.kv.set('k', 'v', TEMP_STORE_START);
    const schema = () => t.store.db.prepare<[], { sql: string }>('SELECT sql FROM sqlite_master ORDER BY name').all();
    const before = schema();
    t.reopen();
    t.reopen();
    expect(t.store.db.pragma('user_version', { simple: true })).toBe(latest);
    expect(schema()).toEqual(before);
    expect(t.store.kv.get('k')).toBe('v');
    expect(migrate(t.store.db, defaultMigrationsDir(), t.path)).toEqual({ from: latest, to: latest });
  });

  it('refuses a database whose schema is newer than this build knows, leaving it untouched', () => {
    const t = createTempStore();
    const latest = listMigrations(defaultMigrationsDir()).length;
    t.store.db.pragma('user_version = 7');
    t.store.close();
    const err = thrown(() => t.reopen());
    expect(err.code).toBe('STORE_SCHEMA_TOO_NEW');
    expect(err.message).toBe(
      `${t.path} has schema version 7 but this kis-trader knows only up to ${latest}: upgrade kis-trader or point store.path elsewhere`);
    const raw = new Database(t.path);
    expect(raw.pragma('user_version', { simple: true })).toBe(7);
    raw.close();
  });

  it('rolls a failing migration back completely: version, tables and columns untouched', () => {
    const t = createTempStore();
    const latest = listMigrations(defaultMigrationsDir()).length;
    const before = tables(t.store.db);
    const next = String(latest + 1).padStart(4, '0');
    const broken = migrationsWith({
      [`${next}_broken.sql`]: `
        CREATE TABLE extra (x INTEGER) STRICT;
        ALTER TABLE orders ADD COLUMN note TEXT;
        INSERT INTO no_such_table VALUES (1);`,
    });
    const err = thrown(() => t.reopen({ migrationsDir: broken }));
    expect(err.code).toBe('STORE_MIGRATION_FAILED');
    expect(err.message).toContain(`${next}_broken.sql`);

    const raw = new Database(t.path);
    expect(raw.pragma('user_version', { simple: true })).toBe(latest);
    expect(tables(raw)).toEqual(before);
    const cols = raw.prepare<[], { name: string }>('SELECT name FROM pragma_table_info(\'orders\')').all().map((c) => c.name);
    expect(cols).not.toContain('note');
    raw.close();

    // the fixed migration then applies on the next start
    const fixed = migrationsWith({ [`${next}_fixed.sql`]: 'CREATE TABLE extra (x INTEGER) STRICT;' });
    const s = t.reopen({ migrationsDir: fixed });
    expect(s.db.pragma('user_version', { simple: true })).toBe(latest + 1);
    expect(tables(s.db)).toContain('extra');
  });

  it('rejects a gap in the numbering, naming the file', () => {
    const dir = migrationsWith({ [gapFile()]: 'SELECT 1;' });
    const err = thrown(() => listMigrations(dir));
    expect(err.code).toBe('STORE_MIGRATION_FAILED');
    expect(err.message).toContain(gapFile());
  });

  it('rejects a duplicate number, naming both files', () => {
    const dir = migrationsWith({ '0001_again.sql': 'SELECT 1;' });
    const err = thrown(() => listMigrations(dir));
    expect(err.code).toBe('STORE_MIGRATION_FAILED');
    expect(err.message).toContain('0001_again.sql');
    expect(err.message).toContain('0001_init.sql');
  });

  it('rejects a misnamed .sql file instead of skipping it', () => {
    const dir = migrationsWith({ '2_typo.sql': 'SELECT 1;' });
    const err = thrown(() => listMigrations(dir));
    expect(err.code).toBe('STORE_MIGRATION_FAILED');
    expect(err.message).toContain('2_typo.sql');
  });

  it('does not open a store when the migrations are inconsistent, and creates nothing', () => {
    const dir = migrationsWith({ [gapFile()]: 'SELECT 1;' });
    const data = tempDir('kis-store-');
    const path = join(data, 'fresh.sqlite');
    const err = thrown(() => openStore({ path, synchronous: 'FULL', migrationsDir: dir, clock: createManualClock(TEMP_STORE_START) }));
    expect(err.code).toBe('STORE_MIGRATION_FAILED');
    const raw = new Database(path);
    expect(raw.pragma('user_version', { simple: true })).toBe(0);
    expect(tables(raw)).toEqual([]);
    raw.close();
  });
});
