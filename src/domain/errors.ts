/**
 * One error type with stable codes; callers branch on `code`, never on the message.
 * Codes are prefixed by the folder that raises them (docs/architecture.md §5).
 */
export type ErrorCode =
  | 'DOMAIN_INVALID_MONEY'
  | 'DOMAIN_INVALID_QUANTITY'
  | 'DOMAIN_INVALID_DATE'
  | 'DOMAIN_INVALID_SYMBOL'
  | 'CONFIG_INVALID'
  | 'CONFIG_UNREADABLE'
  | 'CONFIG_SECRET_MISSING'
  | 'CONFIG_LIVE_NOT_CONFIRMED'
  | 'MARKET_INVALID_PRICE'
  | 'MARKET_CALENDAR_INVALID'
  | 'MARKET_CALENDAR_OUT_OF_RANGE'
  | 'MARKET_NOT_A_TRADING_DAY'
  | 'MARKET_INVALID_AMOUNT'
  | 'MARKET_TAX_RATE_UNKNOWN'
  | 'MARKET_INVALID_SESSION_TIMES'
  | 'STORE_SCHEMA_TOO_NEW'
  | 'STORE_SCHEMA_OLD'
  | 'STORE_MIGRATION_FAILED'
  | 'STORE_INVARIANT'
  | 'STORE_OPTIONS_INVALID'
  | 'STORE_OPEN_FAILED'
  | 'STORE_CORRUPT'
  | 'STORE_BACKUP_EXISTS'
  | 'STORE_BACKUP_FAILED'
  | 'STORE_DISK_FULL'
  | 'STORE_READ_ONLY'
  | 'KIS_NETWORK'
  | 'KIS_HTTP'
  | 'KIS_API'
  | 'KIS_RESPONSE_INVALID'
  | 'KIS_RATE_LIMITED'
  | 'KIS_TOKEN_THROTTLED'
  | 'KIS_TOKEN_UNAVAILABLE'
  | 'KIS_NOT_AVAILABLE_ON_PAPER'
  | 'KIS_PAGE_LIMIT'
  | 'KIS_INVALID_REQUEST'
  | 'KIS_LIVE_NOT_CONFIRMED'
  | 'ORDER_UNKNOWN'
  | 'ORDER_REJECTED'
  | 'ORDER_INVALID'
  | 'ORDER_INVALID_TRANSITION'
  | 'SIGNALS_INVALID_INPUT'
  | 'SCAN_INVALID_PATTERN'
  | 'REDIS_UNAVAILABLE'
  | 'REDIS_LOCK_HELD'
  | 'APP_REDIS_NOT_INSTALLED'
  | 'APP_SHUTDOWN'
  | 'APP_ALREADY_RUNNING'
  | 'SIM_FAULT_SPEC_INVALID'
  | 'SIM_INVALID_OPTIONS'
  | 'SIM_UNKNOWN_SYMBOL'
  | 'SIM_INVARIANT'
  | 'BACKTEST_NO_DATA'
  | 'BACKTEST_INVALID_INPUT'
  | 'CLI_NO_TRADE_LOG';

export interface AppErrorOptions {
  cause?: unknown;
  details?: Record<string, unknown>;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.details = options.details ?? {};
  }
}

export function isAppError(err: unknown, code?: ErrorCode): err is AppError {
  return err instanceof AppError && (code === undefined || err.code === code);
}

/**
 * Codes that say our own bookkeeping is broken (an impossible transition, a row that cannot be, a
 * simulator ledger out of balance): fatal, the daemon logs and exits non-zero (docs/architecture.md
 * §5); start-up reconciliation is the recovery path.
 */
export const INVARIANT_CODES: readonly ErrorCode[] = ['STORE_INVARIANT', 'ORDER_INVALID_TRANSITION', 'SIM_INVARIANT'];

export function isBrokenInvariant(err: unknown): err is AppError {
  return err instanceof AppError && INVARIANT_CODES.includes(err.code);
}

/** A readable one-line description of any thrown value, for logs and CLI output. */
export function describeError(err: unknown): string {
  if (err instanceof AppError) return `${err.code}: ${err.message}`;
  if (err instanceof Error) return err.message;
  return String(err);
}
