import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from 'better-sqlite3';
import { AppError, describeError } from '../domain/index.js';

export interface Migration {
  version: number;
  file: string;
  path: string;
}

const NAME_RE = /^(\d{4})_[A-Za-z0-9_-]+\.sql$/;

/**
 * The migrations in `dir`, checked to be numbered 1..N without gaps or duplicates: a missing or
 * doubled number would silently skip or reorder schema changes, since only user_version records
 * what was applied.
 */
export function listMigrations(dir: string): Migration[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((f) => f.endsWith('.sql')).sort();
  } catch (cause) {
    throw new AppError('STORE_MIGRATION_FAILED', `cannot read migrations directory ${dir}: ${describeError(cause)}`, { cause });
  }
  const migrations: Migration[] = [];
  for (const file of names) {
    const m = NAME_RE.exec(file);
    if (!m) {
      throw new AppError('STORE_MIGRATION_FAILED', `migration file ${file} is not named NNNN_name.sql`, { details: { file, dir } });
    }
    const version = Number(m[1]);
    const expected = migrations.length + 1;
    if (version !== expected) {
      const prev = migrations.at(-1);
      const problem = prev && prev.version === version
        ? `duplicate migration number ${version}: ${prev.file} and ${file}`
        : `migration ${file} has number ${version} but ${String(expected).padStart(4, '0')} was expected (numbers must run 1..N without gaps)`;
      throw new AppError('STORE_MIGRATION_FAILED', problem, { details: { file, dir } });
    }
    migrations.push({ version, file, path: join(dir, file) });
  }
  return migrations;
}

/**
 * Applies every migration newer than the database's user_version, each in its own IMMEDIATE
 * transaction together with the version bump, so a migration that fails halfway leaves the
 * previous schema and version untouched (docs/stack.md §6). Safe to call on every start.
 * Returns the versions before and after.
 */
export function migrate(db: Database, dir: string, label: string): { from: number; to: number } {
  const migrations = listMigrations(dir);
  const latest = migrations.length;
  const from = versionAtMost(db, latest, label);
  for (const m of migrations.slice(from)) {
    const sql = readFileSync(m.path, 'utf8');
    try {
      db.transaction(() => {
        db.exec(sql);
        db.pragma(`user_version = ${m.version}`);
      }).immediate();
    } catch (cause) {
      throw new AppError('STORE_MIGRATION_FAILED', `migration ${m.file} failed on ${label}: ${describeError(cause)}`, {
        cause,
        details: { file: m.file, version: m.version, path: label },
      });
    }
  }
  return { from, to: Math.max(from, latest) };
}

/** The database's schema version (user_version); STORE_SCHEMA_TOO_NEW beyond `latest`. */
function versionAtMost(db: Database, latest: number, label: string): number {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > latest) {
    throw new AppError(
      'STORE_SCHEMA_TOO_NEW',
      `${label} has schema version ${version} but this kis-trader knows only up to ${latest}: upgrade kis-trader or point store.path elsewhere`,
      { details: { path: label, version, known: latest } },
    );
  }
  return version;
}

/**
 * For a connection that must not write (the review CLI's): the schema must be exactly this
 * build's, since queries against an older one fail on missing tables and columns, and migrating
 * is a write. STORE_SCHEMA_OLD names both versions and what migrates the log.
 */
export function requireCurrentSchema(db: Database, dir: string, label: string): void {
  const latest = listMigrations(dir).length;
  const version = versionAtMost(db, latest, label);
  if (version < latest) {
    throw new AppError(
      'STORE_SCHEMA_OLD',
      `the trade log ${label} is at schema ${version}, this kis-trader needs ${latest}: the review commands open it read-only and never migrate it.`
        + ' Restart the daemon with this version once (it migrates the log as it starts), or, with the daemon stopped,'
        + ' run `kis-trader backup --out FILE` (it opens the log read-write, which migrates it), then run this again',
      { details: { path: label, version, needed: latest } },
    );
  }
}
