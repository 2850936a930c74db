import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';
import { createManualClock, epochMs, kstInstant, tradingDate } from '../../src/domain/index.js';
import type { ManualClock } from '../../src/domain/index.js';
import { openStore } from '../../src/store/index.js';
import type { Store, StoreOptions } from '../../src/store/index.js';

export interface TempStore {
  /** the currently open store (a new object after reopen()) */
  readonly store: Store;
  readonly dir: string;
  readonly path: string;
  readonly clock: ManualClock;
  /** closes the current connection and opens the same file again, as a restart would */
  reopen(options?: Partial<Pick<StoreOptions, 'synchronous' | 'migrationsDir'>>): Store;
  /** closes every connection and removes the directory; safe to call twice */
  cleanup(): void;
}

export interface TempStoreOptions {
  synchronous?: StoreOptions['synchronous'];
  migrationsDir?: string;
  clock?: ManualClock;
  /**
   * 'test' (default) cleans up when the calling test finishes, so it must be called inside a
   * test; 'manual' leaves cleanup() to the caller (beforeAll/afterAll).
   */
  cleanup?: 'test' | 'manual';
}

/** 2026-03-12 10:00 KST, a Thursday in the regular session */
export const TEMP_STORE_START = epochMs(kstInstant(tradingDate('20260312'), '100000'));

/** A store on a real SQLite file in a fresh temp directory (a nested path, so openStore must create it). */
export function createTempStore(options: TempStoreOptions = {}): TempStore {
  const dir = mkdtempSync(join(tmpdir(), 'kis-store-'));
  const path = join(dir, 'data', 'trade.sqlite');
  const clock = options.clock ?? createManualClock(TEMP_STORE_START);
  let synchronous = options.synchronous ?? 'FULL';
  let migrationsDir = options.migrationsDir;
  const open = (): Store => openStore({ path, synchronous, clock, ...(migrationsDir === undefined ? {} : { migrationsDir }) });
  let current = open();
  const t: TempStore = {
    get store() { return current; },
    dir,
    path,
    clock,
    reopen(next = {}) {
      current.close();
      synchronous = next.synchronous ?? synchronous;
      migrationsDir = next.migrationsDir ?? migrationsDir;
      current = open();
      return current;
    },
    cleanup() {
      current.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  if ((options.cleanup ?? 'test') === 'test') onTestFinished(() => t.cleanup());
  return t;
}
