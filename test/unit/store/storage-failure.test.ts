import { describe, expect, it } from 'vitest';
import { AppError } from '../../../src/domain/index.js';
import { storageFailure } from '../../../src/store/index.js';

/** Which write failures stop the daemon with exit 78 (docs/operations.md, Disk), and the file they name. */
const withCode = (code: string, message: string, extra: Record<string, unknown> = {}): Error =>
  Object.assign(new Error(message), { code, ...extra });

describe('storageFailure', () => {
  it('a full disk, from SQLite or from node:fs, names the file', () => {
    const sqlite = storageFailure(withCode('SQLITE_FULL', 'database or disk is full'), '/d/trade.sqlite');
    expect(sqlite?.code).toBe('STORE_DISK_FULL');
    expect(sqlite?.message).toMatch(/^the disk holding \/d\/trade\.sqlite is full \(database or disk is full\)/);
    const fs = storageFailure(withCode('ENOSPC', 'no space left on device', { path: '/d/sim/journal.jsonl' }), '/d/trade.sqlite');
    expect(fs?.code).toBe('STORE_DISK_FULL');
    expect(fs?.details.path).toBe('/d/sim/journal.jsonl');
  });

  it('read-only, and wrapped in an AppError on its way up', () => {
    const inner = withCode('SQLITE_READONLY_DBMOVED', 'attempt to write a readonly database');
    const wrapped = new AppError('STORE_INVARIANT', 'recording a fill', { cause: inner });
    const e = storageFailure(wrapped, '/d/trade.sqlite');
    expect(e?.code).toBe('STORE_READ_ONLY');
    expect(e?.message).toContain('/d/trade.sqlite cannot be written');
  });

  it('anything else is not a storage failure', () => {
    expect(storageFailure(withCode('SQLITE_CONSTRAINT_UNIQUE', 'UNIQUE constraint failed'), '/d/t')).toBeNull();
    expect(storageFailure(withCode('SQLITE_BUSY', 'database is locked'), '/d/t')).toBeNull();
    expect(storageFailure(new Error('boom'), '/d/t')).toBeNull();
    expect(storageFailure('text', '/d/t')).toBeNull();
    expect(storageFailure(null, '/d/t')).toBeNull();
  });
});
