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

/** JSON text from SQLite back to a value; the CHECK (json_valid(…)) columns guarantee it parses. */
export function parseJson<T>(text: string): T {
  return JSON.parse(text) as T;
}
