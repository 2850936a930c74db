import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import DatabaseConstructor from 'better-sqlite3';
import type { Database } from 'better-sqlite3';
import { AppError, describeError } from '../domain/index.js';
import type { Clock, TokenStore } from '../domain/index.js';
import { createBarRepository } from './bars.js';
import type { BarRepository } from './bars.js';
import { createCorporateActionRepository } from './corporate-actions.js';
import type { CorporateActionRepository } from './corporate-actions.js';
import { createDecisionRepository } from './decisions.js';
import type { DecisionRepository } from './decisions.js';
import { createFillRepository } from './fills.js';
import type { FillRepository } from './fills.js';
import { createKeyValueStore } from './key-value.js';
import type { KeyValueStore } from './key-value.js';
import { migrate } from './migrate.js';
import { createOrderRepository } from './orders.js';
import type { OrderRepository } from './orders.js';
import { createPositionRepository } from './positions.js';
import type { PositionRepository } from './positions.js';
import { createScanRepository } from './scans.js';
import type { ScanRepository } from './scans.js';
import { createTokenStore } from './tokens.js';

export type Synchronous = 'FULL' | 'NORMAL';

export interface StoreOptions {
  /** the SQLite file; its directory is created when missing */
  path: string;
  /** FULL for the trade log (power-loss durable); NORMAL is enough for caches (STACK.md §6) */
  synchronous: Synchronous;
  /** defaults to the project's migrations/ folder */
  migrationsDir?: string;
  clock: Clock;
}

export interface Store {
  /** the raw connection, for tests and the CLI's ad-hoc queries */
  readonly db: Database;
  readonly path: string;
  readonly orders: OrderRepository;
  readonly fills: FillRepository;
  readonly positions: PositionRepository;
  readonly decisions: DecisionRepository;
  readonly scans: ScanRepository;
  readonly bars: BarRepository;
  /** splits and bonus issues recorded at reconcile */
  readonly corporateActions: CorporateActionRepository;
  /** halts, day baselines, cooldowns */
  readonly risk: KeyValueStore;
  /** small named values with no table of their own */
  readonly kv: KeyValueStore;
  readonly tokens: TokenStore;
  /**
   * Runs `fn` in one IMMEDIATE transaction (repository calls inside become savepoints).
   * Synchronous only: never await inside, never span an HTTP call (STACK.md §6).
   */
  transaction<T>(fn: () => T): T;
  close(): void;
}

const BUSY_TIMEOUT_MS = 5000;

/**
 * tsc does not copy .sql files, so migrations/ is found at the project root relative to this
 * module: src/store/ under tsx and vitest, dist/store/ when compiled: both are two levels down.
 */
export function defaultMigrationsDir(): string {
  return fileURLToPath(new URL('../../migrations/', import.meta.url));
}

/**
 * Opens (creating if needed) and migrates the trade log. Pragmas are set explicitly on every
 * open, because the WAL default for `synchronous` differs between the connection that switched
 * the file to WAL and later ones (STACK.md §6).
 */
export function openStore(options: StoreOptions): Store {
  const { path, synchronous, clock } = options;
  // interpolated into a PRAGMA below, so refuse anything but the two names even from untyped callers
  if (synchronous !== 'FULL' && synchronous !== 'NORMAL') {
    throw new AppError('STORE_OPTIONS_INVALID', `store synchronous must be FULL or NORMAL, got ${String(synchronous)}`);
  }
  const inMemory = path === ':memory:';
  // SQLite's messages ("unable to open database file", "disk I/O error") do not name the file.
  const named = (err: unknown): unknown => err instanceof AppError ? err
    : new AppError('STORE_OPEN_FAILED', `cannot open the trade log ${path}: ${describeError(err)}`, { cause: err, details: { path } });
  let db: Database;
  try {
    if (!inMemory) mkdirSync(dirname(path), { recursive: true });
    db = new DatabaseConstructor(path, { timeout: BUSY_TIMEOUT_MS });
  } catch (err) {
    throw named(err);
  }
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    if (!inMemory) db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${synchronous}`);
    db.pragma('foreign_keys = ON');
    migrate(db, options.migrationsDir ?? defaultMigrationsDir(), path);
  } catch (err) {
    db.close();
    throw named(err);
  }

  return {
    db,
    path,
    orders: createOrderRepository(db),
    fills: createFillRepository(db, clock),
    positions: createPositionRepository(db),
    decisions: createDecisionRepository(db),
    scans: createScanRepository(db),
    bars: createBarRepository(db),
    corporateActions: createCorporateActionRepository(db),
    risk: createKeyValueStore(db, 'risk_state'),
    kv: createKeyValueStore(db, 'kv'),
    tokens: createTokenStore(db),
    transaction: <T>(fn: () => T): T => db.transaction(fn).immediate(),
    close: () => {
      if (db.open) db.close();
    },
  };
}
