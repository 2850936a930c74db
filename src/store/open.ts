import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import DatabaseConstructor from 'better-sqlite3';
import type { Database } from 'better-sqlite3';
import { AppError, describeError } from '../domain/index.js';
import type { Clock, TokenStore } from '../domain/index.js';
import { createBarRepository } from './bars.js';
import type { BarRepository } from './bars.js';
import { createCorporateActionRepository } from './corporate-actions.js';
import type { CorporateActionRepository } from './corporate-actions.js';
import { createDailySummaryRepository } from './daily-summaries.js';
import type { DailySummaryRepository } from './daily-summaries.js';
import { createDecisionRepository } from './decisions.js';
import type { DecisionRepository } from './decisions.js';
import { createFillRepository } from './fills.js';
import type { FillRepository } from './fills.js';
import { createKeyValueStore } from './key-value.js';
import type { KeyValueStore } from './key-value.js';
import { migrate, requireCurrentSchema } from './migrate.js';
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
  /** FULL for the trade log (power-loss durable); NORMAL is enough for caches (docs/stack.md §6) */
  synchronous: Synchronous;
  /** defaults to the project's migrations/ folder */
  migrationsDir?: string;
  clock: Clock;
  /**
   * Run SQLite's quick_check on an existing file and refuse a damaged one (STORE_CORRUPT). The
   * daemon sets it: it must not trade into a malformed log. Read-only CLI views skip the cost.
   */
  integrityCheck?: boolean;
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
  /** the after-close summary of each trading day */
  readonly dailySummaries: DailySummaryRepository;
  /** splits and bonus issues recorded at reconcile */
  readonly corporateActions: CorporateActionRepository;
  /** halts, day baselines, cooldowns */
  readonly risk: KeyValueStore;
  /** small named values with no table of their own */
  readonly kv: KeyValueStore;
  readonly tokens: TokenStore;
  /**
   * Runs `fn` in one IMMEDIATE transaction (repository calls inside become savepoints).
   * Synchronous only: never await inside, never span an HTTP call (docs/stack.md §6).
   */
  transaction<T>(fn: () => T): T;
  close(): void;
}

const BUSY_TIMEOUT_MS = 5000;
/** The trade log holds the account's history and the (sealed) token: owner-only (issue 9 item 12). */
const FILE_MODE = 0o600;
const DIR_MODE = 0o700;

/**
 * A copy the operator made next to the log: `<name>…bak…` or `<name>…backup…`, or any file in a
 * `backups/` folder beside it. kis-trader has no backup feature of its own, so this only finds
 * what someone put there; the newest by modification time.
 */
export function latestBackup(path: string): string | null {
  const dir = dirname(path);
  const name = basename(path);
  const candidates: string[] = [];
  const list = (d: string): string[] => { try { return readdirSync(d); } catch { return []; } };
  for (const f of list(dir)) {
    if (f !== name && f.startsWith(name) && /bak|backup/i.test(f.slice(name.length))) candidates.push(join(dir, f));
  }
  // backups/ holds the daily copies of every mode (`<mode>-<date>.sqlite`, store/backup.ts): this
  // log's own first; another log's copy only when this one has none. A copy being written
  // (`.partial`) or a WAL companion is no backup.
  const stem = name.replace(/\.sqlite$/, '');
  const copies = list(join(dir, 'backups')).filter((f) => !/\.partial|-(wal|shm|journal)$/.test(f));
  const own = copies.filter((f) => f.startsWith(`${stem}-`) || f.startsWith(`${stem}.`));
  for (const f of own.length > 0 ? own : copies) candidates.push(join(dir, 'backups', f));
  let best: { file: string; mtime: number } | null = null;
  for (const file of candidates) {
    try {
      const st = statSync(file);
      if (st.isFile() && st.size > 0 && (!best || st.mtimeMs > best.mtime)) best = { file, mtime: st.mtimeMs };
    } catch { /* vanished meanwhile */ }
  }
  return best?.file ?? null;
}

function corrupt(path: string, problem: string, cause?: unknown): AppError {
  const backup = latestBackup(path);
  const howTo = backup
    ? `latest backup: ${backup}. Stop everything, keep the damaged file for inspection, copy the backup over ${path} (delete ${path}-wal and ${path}-shm), start again`
    : `no backup found next to it. Stop everything, move ${path} (and its -wal, -shm) aside for recovery (sqlite3 "${path}" .recover), then either put a copy you trust in its place or start with a fresh log and run \`kis-trader adopt\` to take over the broker's holdings`;
  return new AppError('STORE_CORRUPT', `trade log ${path} is damaged (${problem}): refusing to trade into it; ${howTo}`, {
    ...(cause === undefined ? {} : { cause }),
    details: { path, backup, problem },
  });
}

const isCorruption = (err: unknown): boolean => {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB');
};

/** Owner-only modes on the database and its WAL companions, whoever created them and with which umask. */
function tightenModes(path: string): void {
  for (const f of [path, `${path}-wal`, `${path}-shm`]) {
    try { chmodSync(f, FILE_MODE); } catch { /* not there (yet) */ }
  }
}

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
 * the file to WAL and later ones (docs/stack.md §6).
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
  // A 0-byte file is what a lost log often leaves behind: SQLite treats it as a new database.
  const hadContent = !inMemory && existsSync(path) && statSync(path).size > 0;
  let db: Database;
  try {
    if (!inMemory) {
      mkdirSync(dirname(path), { recursive: true, mode: DIR_MODE });
      // Created here with its final mode, so it is never readable by others, not even for a moment;
      // SQLite gives -wal and -shm the database file's mode.
      if (!existsSync(path)) closeSync(openSync(path, 'a', FILE_MODE));
    }
    db = new DatabaseConstructor(path, { timeout: BUSY_TIMEOUT_MS });
  } catch (err) {
    throw named(err);
  }
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    if (!inMemory) db.pragma('journal_mode = WAL');
    if (hadContent && options.integrityCheck) {
      // quick_check: every page and b-tree structure, without the index-content cross-check (O(N)).
      const rows = db.pragma('quick_check(20)') as { quick_check: string }[];
      const problems = rows.map((r) => r.quick_check).filter((r) => r !== 'ok');
      if (problems.length > 0) throw corrupt(path, `quick_check: ${problems.slice(0, 3).join('; ')}`);
    }
    db.pragma(`synchronous = ${synchronous}`);
    db.pragma('foreign_keys = ON');
    migrate(db, options.migrationsDir ?? defaultMigrationsDir(), path);
  } catch (err) {
    db.close();
    if (hadContent && isCorruption(err)) throw corrupt(path, (err as Error).message, err);
    throw named(err);
  }
  if (!inMemory) tightenModes(path);
  return repositories(db, path, clock);
}

export interface ReadOnlyStoreOptions {
  /** an existing trade log */
  path: string;
  clock: Clock;
  /** defaults to the project's migrations/ folder: the schema version this build needs */
  migrationsDir?: string;
}

/**
 * Opens an existing trade log read-only, for the review commands, while the daemon may be writing
 * it: the same repositories, but every write fails (SQLITE_READONLY); no pragma that writes, no
 * migration. A log at an older schema is refused (STORE_SCHEMA_OLD) rather than queried for
 * tables it lacks. As a WAL reader the connection shares the -wal/-shm files (SQLite creates them
 * when absent, with the database file's mode); the database file itself is never written.
 */
export function openStoreReadOnly(options: ReadOnlyStoreOptions): Store {
  const { path, clock } = options;
  let db: Database;
  try {
    db = new DatabaseConstructor(path, { readonly: true, fileMustExist: true, timeout: BUSY_TIMEOUT_MS });
  } catch (err) {
    throw new AppError('STORE_OPEN_FAILED', `cannot open the trade log ${path} read-only: ${describeError(err)}`, { cause: err, details: { path } });
  }
  try {
    requireCurrentSchema(db, options.migrationsDir ?? defaultMigrationsDir(), path);
    return repositories(db, path, clock);
  } catch (err) {
    db.close();
    throw err instanceof AppError ? err
      : new AppError('STORE_OPEN_FAILED', `cannot read the trade log ${path}: ${describeError(err)}`, { cause: err, details: { path } });
  }
}

function repositories(db: Database, path: string, clock: Clock): Store {
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
    dailySummaries: createDailySummaryRepository(db),
    risk: createKeyValueStore(db, 'risk_state'),
    kv: createKeyValueStore(db, 'kv'),
    tokens: createTokenStore(db),
    transaction: <T>(fn: () => T): T => db.transaction(fn).immediate(),
    close: () => {
      if (db.open) db.close();
    },
  };
}
