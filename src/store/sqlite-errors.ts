import { AppError, describeError } from '../domain/index.js';

/** better-sqlite3 throws SqliteError with codes like 'SQLITE_CONSTRAINT_UNIQUE'. */
export function isConstraintError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as Error & { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('SQLITE_CONSTRAINT');
}

/**
 * A constraint failure in the trade log means a broken invariant upstream (a fill beyond the
 * order quantity, a venue order id used twice on one day, an unknown decision id …): docs/architecture.md §5
 * calls that fatal, so it gets the STORE_INVARIANT code callers branch on. Anything else is
 * rethrown as is.
 */
export function rethrowAsInvariant(err: unknown, what: string, details: Record<string, unknown>): never {
  if (!isConstraintError(err)) throw err;
  throw new AppError('STORE_INVARIANT', `${what}: ${describeError(err)}`, { cause: err, details });
}

/**
 * A write the disk refused: full (SQLITE_FULL, ENOSPC, EDQUOT) or read-only (SQLITE_READONLY*,
 * EROFS). No restart fixes either, and a daemon that cannot record an intent must not send one
 * (docs/operations.md, "Disk"): the caller stops with this error, naming the file. Null for
 * anything else.
 */
export function storageFailure(err: unknown, path: string): AppError | null {
  if (err instanceof AppError && (err.code === 'STORE_DISK_FULL' || err.code === 'STORE_READ_ONLY')) return err;
  // a SqliteError wrapped on its way up (an AppError with a cause) counts as well
  const cause = (err as { cause?: unknown } | null)?.cause;
  if (cause !== undefined && cause !== err) {
    const inner = storageFailure(cause, path);
    if (inner) return inner;
  }
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return null;
  const file = typeof (err as { path?: unknown }).path === 'string' ? (err as { path: string }).path : path;
  if (code === 'SQLITE_FULL' || code === 'ENOSPC' || code === 'EDQUOT') {
    return new AppError('STORE_DISK_FULL', `the disk holding ${file} is full (${describeError(err)}): `
      + 'free space, then start again; nothing is sent meanwhile, and the restart reconciles with the broker', { cause: err, details: { path: file } });
  }
  if (code.startsWith('SQLITE_READONLY') || code === 'EROFS') {
    return new AppError('STORE_READ_ONLY', `${file} cannot be written (${describeError(err)}): `
      + 'make it and its folder writable, then start again', { cause: err, details: { path: file } });
  }
  return null;
}

/** JSON text from SQLite back to a value; the CHECK (json_valid(…)) columns guarantee it parses. */
export function parseJson<T>(text: string): T {
  return JSON.parse(text) as T;
}
