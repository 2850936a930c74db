import { pino, type DestinationStream, type LevelWithSilent, type Logger } from 'pino';

/**
 * The root logger (docs/architecture.md §5): pino JSON to stdout, synchronous so a `fatal` line written just
 * before exit survives (docs/stack.md §5). Secrets are removed twice: by key with pino's `redact`,
 * and by value inside every string of the finished line, because pino never looks inside strings
 * (an err.message or URL carrying the token prints in full: docs/stack.md §5).
 */

export interface LoggerOptions {
  level: LevelWithSilent;
  pretty: boolean;
  /** where JSON lines go; stdout when absent. Ignored when `pretty` (pino-pretty writes to stdout). */
  destination?: DestinationStream;
}

export const REDACTED = '[REDACTED]';

/** Keys whose values are secret wherever they appear (pino paths are case-sensitive). */
const SECRET_KEYS = [
  'appkey', 'appKey', 'appsecret', 'appSecret', 'secretkey', 'secretKey', 'access_token', 'accessToken',
  'token', 'authorization', 'Authorization', 'approval_key', 'approvalKey', 'CANO', 'cano', 'account',
  'accountNo', 'password',
];

/** `*` matches exactly one level in pino (docs/stack.md §5), so each depth is listed. */
const REDACT_PATHS = SECRET_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`, `*.*.*.${k}`]);

const registered = new Set<string>();

/**
 * Values to scrub from every log line from now on (call at startup with the app key, secret,
 * account …). Values shorter than 4 characters are ignored: they would blank out ordinary text.
 */
export function registerSecrets(values: readonly (string | null | undefined)[]): void {
  for (const value of values) {
    if (typeof value === 'string' && value.trim().length >= 4) registered.add(value.trim());
  }
}

const BEARER = /\bBearer\s+(?!\[REDACTED\])[A-Za-z0-9\-._~+/]+=*/gi;
/**
 * Account numbers written 12345678-01 (docs/kis-wire.md §1). The undashed form is not matched by pattern:
 * 10-digit runs are also KIS order numbers (docs/kis-wire.md §12); the real account is registered instead.
 */
const ACCOUNT = /(?<!\d)\d{8}-\d{2}(?!\d)/g;
/**
 * KIS access tokens are JWTs (docs/kis-wire.md §3.1): one quoted in an error message or a dumped body,
 * with no `token=` or `Bearer` before it, is still recognisable by its shape.
 */
const JWT = /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g;
/** `appkey=…` in URLs, `"appsecret":"…"` in dumped bodies, `authorization: …` in header dumps. */
const KEY_VALUE =
  /\b(app_?key|app_?secret|secret_?key|access_?token|approval_?key|authorization|cano|password)(["']?\s*[:=]\s*["']?)(?!(?:Bearer\s+)?\[REDACTED\])[^\s"'&,;}]+/gi;
/**
 * `token=…`, `token:…`, `"token": "…"`; but "KIS token: network error" is prose, not a value: for
 * this common word a space after the colon counts only before a quoted value.
 */
const TOKEN_VALUE = /\b(token)(["']?\s*[:=](?:\s*["']|))(?!(?:Bearer\s+)?\[REDACTED\])[^\s"'&,;}]+/gi;

/** Removes registered secrets and secret-shaped substrings from free text. */
export function scrubText(text: string): string {
  let out = text;
  const values = [...registered].sort((a, b) => b.length - a.length);
  for (const value of values) {
    if (out.includes(value)) out = out.split(value).join(REDACTED);
  }
  return out
    .replace(BEARER, `Bearer ${REDACTED}`)
    .replace(JWT, REDACTED)
    .replace(ACCOUNT, REDACTED)
    .replace(KEY_VALUE, (_m, key: string, sep: string) => `${key}${sep}${REDACTED}`)
    .replace(TOKEN_VALUE, (_m, key: string, sep: string) => `${key}${sep}${REDACTED}`);
}

/** A JSON string literal, or a bare number standing as a value. */
const JSON_TOKEN = /"(?:[^"\\]|\\.)*"|(?<=[:[,])-?\d+(?=[,\]}])/g;

/**
 * Scrubs the content of every JSON string literal of a finished log line. Numbers are left
 * alone unless one equals a registered secret (an account number logged as a number).
 */
export function scrubLine(line: string): string {
  return line.replace(JSON_TOKEN, (token) => {
    if (!token.startsWith('"')) return registered.has(token) ? JSON.stringify(REDACTED) : token;
    const decoded = JSON.parse(token) as string;
    const scrubbed = scrubText(decoded);
    return scrubbed === decoded ? token : JSON.stringify(scrubbed);
  });
}

export function createLogger(options: LoggerOptions): Logger {
  const base = {
    level: options.level,
    base: { app: 'kis-trader' },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACT_PATHS, censor: REDACTED },
    serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err },
    hooks: { streamWrite: scrubLine },
  };
  if (options.pretty) {
    return pino({ ...base, transport: { target: 'pino-pretty', options: { translateTime: 'SYS:standard' } } });
  }
  return pino(base, options.destination ?? pino.destination({ dest: 1, sync: true }));
}
