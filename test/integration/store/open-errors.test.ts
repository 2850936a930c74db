import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { AppError, createManualClock, epochMs } from '../../../src/domain/index.js';
import { openStore } from '../../../src/store/index.js';

/**
 * SQLite's own words ("unable to open database file", "file is not a database", "disk I/O
 * error") do not say which file: an operator with three modes' databases cannot act on them.
 * Every failure to open the trade log names its path (issue 9 item 11).
 */
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kis-open-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function openError(path: string): AppError {
  try {
    openStore({ path, synchronous: 'FULL', clock: createManualClock(epochMs(0)) }).close();
  } catch (err) {
    if (err instanceof AppError) return err;
    throw new Error(`not an AppError: ${String(err)}`);
  }
  throw new Error('opened');
}

describe('openStore errors name the file', () => {
  it('a directory where the database should be: "unable to open database file" with the path', () => {
    const path = join(tempDir(), 'trade.sqlite');
    mkdirSync(path);
    const e = openError(path);
    expect(e.code).toBe('STORE_OPEN_FAILED');
    expect(e.message).toContain(path);
    expect(e.message).toMatch(/unable to open database file|directory/i);
    expect(e.details.path).toBe(path);
  });

  it('a file that is not a database', () => {
    const path = join(tempDir(), 'trade.sqlite');
    writeFileSync(path, 'this is not sqlite, but long enough to have a header and then some more text'.repeat(20));
    const e = openError(path);
    expect(e.message).toContain(path);
    expect(e.message).toContain('not a database');
  });

  it('a parent that is a file: the folder cannot be created', () => {
    const parent = join(tempDir(), 'data');
    writeFileSync(parent, 'x');
    const path = join(parent, 'trade.sqlite');
    const e = openError(path);
    expect(e.message).toContain(path);
    expect(e.message).toMatch(/EEXIST|ENOTDIR/);
  });
});
