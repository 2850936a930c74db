import type { Database } from 'better-sqlite3';
import { epochMs } from '../domain/index.js';
import type { KeyValueRepo } from '../domain/index.js';
import { parseJson } from './sqlite-errors.js';
import type { KeyValueEntry } from './types.js';

/** KeyValueRepo plus a listing for the CLI (halt status, baselines). */
export interface KeyValueStore extends KeyValueRepo {
  /** every entry, by key */
  list(): KeyValueEntry[];
}

/**
 * risk_state (halts, day baselines, cooldowns) and kv (small named values) share one shape: a
 * JSON value per key. A fixed list of tables, because a table name cannot be a bound parameter.
 */
export type KeyValueTable = 'risk_state' | 'kv';

interface EntryRow { key: string; value: string; updated_at: number }

export function createKeyValueStore(db: Database, table: KeyValueTable): KeyValueStore {
  const select = db.prepare<[string], { value: string }>(`SELECT value FROM ${table} WHERE key = ?`);
  const upsert = db.prepare<{ key: string; value: string; at: number }>(`
    INSERT INTO ${table} (key, value, updated_at) VALUES (@key, @value, @at)
    ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`);
  const remove = db.prepare<[string]>(`DELETE FROM ${table} WHERE key = ?`);
  const selectAll = db.prepare<[], EntryRow>(`SELECT key, value, updated_at FROM ${table} ORDER BY key`);
  return {
    // The caller knows the shape it wrote; validate on read where a wrong shape would matter.
    get: <T>(key: string): T | null => {
      const row = select.get(key);
      return row ? parseJson<T>(row.value) : null;
    },
    set: (key, value, at) => {
      // undefined has no JSON form; JSON.stringify(undefined) would bind as NULL and fail NOT NULL
      upsert.run({ key, value: JSON.stringify(value ?? null), at });
    },
    delete: (key) => {
      remove.run(key);
    },
    list: () => selectAll.all().map((r) => ({ key: r.key, value: parseJson<unknown>(r.value), updatedAt: epochMs(r.updated_at) })),
  };
}
