import { randomBytes } from 'node:crypto';
import {
  accessSync, chmodSync, closeSync, constants, existsSync, fsyncSync, linkSync, mkdirSync, openSync, readdirSync, realpathSync, renameSync, rmSync,
  statSync, unlinkSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import DatabaseConstructor from 'better-sqlite3';
import type { Database } from 'better-sqlite3';
import { addDays, AppError, describeError } from '../domain/index.js';
import type { TradingDate } from '../domain/index.js';

export interface BackupResult {
  /** the file written, absolute */
  path: string;
  bytes: number;
  pages: number;
  pageSize: number;
  /** what quick_check said of the copy before it got its name: always 'ok' (anything else throws) */
  check: 'ok';
}

/** Like the trade log itself (store/open.ts): the copy holds the account's history and the sealed token. */
const FILE_MODE = 0o600;
const DIR_MODE = 0o700;
/** better-sqlite3 caps a step at 2^31-1 pages: the whole file in one step, so one read transaction sees it all. */
const ALL_PAGES = 0x7fffffff;
const PARTIAL = '.partial';
const COMPANIONS = ['', '-journal', '-wal', '-shm'];

const failed = (message: string, path: string, cause?: unknown): AppError =>
  new AppError('STORE_BACKUP_FAILED', message, { ...(cause === undefined ? {} : { cause }), details: { path } });

const errno = (err: unknown): string | undefined => (err as NodeJS.ErrnoException | null)?.code;

function removePartial(tmp: string): void {
  for (const suffix of COMPANIONS) rmSync(`${tmp}${suffix}`, { force: true });
}

/** The path with its directory's symbolic links resolved, so two names of one file compare equal. */
function real(path: string): string {
  try { return join(realpathSync(dirname(path)), basename(path)); } catch { return path; }
}

/** Refuses a target the backup cannot or must not be written to, each reason naming the path. */
function checkTarget(source: string, path: string, overwrite: boolean): void {
  if (COMPANIONS.some((suffix) => real(path) === real(`${source}${suffix}`))) {
    throw failed(`cannot back up the trade log ${source} onto itself (${path})`, path);
  }
  const dir = dirname(path);
  let dirStat;
  try {
    dirStat = statSync(dir);
  } catch (err) {
    throw failed(`cannot back up to ${path}: the directory ${dir} does not exist`, path, err);
  }
  if (!dirStat.isDirectory()) throw failed(`cannot back up to ${path}: ${dir} is not a directory`, path);
  try {
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch (err) {
    throw failed(`cannot back up to ${path}: the directory ${dir} is not writable`, path, err);
  }
  if (!existsSync(path)) return;
  if (statSync(path).isDirectory()) throw failed(`cannot back up to ${path}: it is a directory`, path);
  if (!overwrite) {
    throw new AppError('STORE_BACKUP_EXISTS', `${path} exists: refusing to overwrite it`, { details: { path } });
  }
}

/**
 * Makes the copy one self-contained file (rollback journal, so no -wal belongs with it), checks it
 * and reads its size in pages. A copy that fails quick_check means the trade log itself is damaged.
 */
function verifyCopy(tmp: string, source: string, path: string): { pages: number; pageSize: number } {
  const copy = new DatabaseConstructor(tmp);
  try {
    copy.pragma('journal_mode = DELETE');
    // quick_check reports most damage as rows, but throws SQLITE_CORRUPT when it cannot walk the file at all
    let problems: string[];
    try {
      problems = (copy.pragma('quick_check(20)') as { quick_check: string }[]).map((r) => r.quick_check).filter((r) => r !== 'ok');
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (typeof code !== 'string' || !code.startsWith('SQLITE_CORRUPT')) throw err;
      problems = [describeError(err)];
    }
    if (problems.length > 0) {
      throw failed(`the copy of ${source} fails quick_check (${problems.slice(0, 3).join('; ')}): the trade log itself is likely damaged; nothing was written to ${path}`, path);
    }
    return { pages: copy.pragma('page_count', { simple: true }) as number, pageSize: copy.pragma('page_size', { simple: true }) as number };
  } finally {
    copy.close();
  }
}

function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try { fsyncSync(fd); } finally { closeSync(fd); }
}

/** Gives the finished copy its name. Without `overwrite` a hard link, so a file that appeared meanwhile is not replaced. */
function place(tmp: string, path: string, overwrite: boolean): void {
  if (overwrite) return renameSync(tmp, path);
  try {
    linkSync(tmp, path);
  } catch (err) {
    if (errno(err) === 'EEXIST') throw new AppError('STORE_BACKUP_EXISTS', `${path} exists: refusing to overwrite it`, { details: { path } });
    // a file system without hard links
    if (existsSync(path)) throw new AppError('STORE_BACKUP_EXISTS', `${path} exists: refusing to overwrite it`, { details: { path } });
    return renameSync(tmp, path);
  }
  unlinkSync(tmp);
}

/**
 * SQLite's online backup of `db` into `target`: consistent while the daemon (this connection or
 * another process) goes on writing, since the copy is taken in one step under one read
 * transaction, which in WAL mode blocks no writer. The copy is written to a temporary file beside
 * the target, checked (quick_check), made owner-only and only then renamed, so a failed backup
 * never leaves a partial file under the target's name. An existing target is refused unless
 * `overwrite`.
 */
export async function backupTradeLog(db: Database, target: string, opts: { overwrite?: boolean } = {}): Promise<BackupResult> {
  const path = resolve(target);
  const source = db.name;
  const overwrite = opts.overwrite === true;
  checkTarget(resolve(source), path, overwrite);
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}-${randomBytes(4).toString('hex')}${PARTIAL}`);
  let size: { pages: number; pageSize: number };
  try {
    // created with its final mode, whatever the umask: never readable by others, not even while it grows
    closeSync(openSync(tmp, 'wx', FILE_MODE));
    await db.backup(tmp, { progress: () => ALL_PAGES });
    size = verifyCopy(tmp, source, path);
    chmodSync(tmp, FILE_MODE);
    fsyncPath(tmp);
    place(tmp, path, overwrite);
  } catch (err) {
    removePartial(tmp);
    if (err instanceof AppError) throw err;
    throw failed(`backup of ${source} to ${path} failed: ${describeError(err)}`, path, err);
  }
  // the rename itself survives a power loss only once the directory is synced
  try { fsyncPath(dirname(path)); } catch { /* not every platform syncs a directory */ }
  return { path, bytes: statSync(path).size, ...size, check: 'ok' };
}

export interface DailyBackupOptions {
  /** where the daily copies live, created owner-only when missing */
  dir: string;
  /** the mode whose trade log this is: the name's prefix, and the only copies pruned */
  mode: string;
  /** the trading date the copy is of */
  date: TradingDate;
  /** copies of this mode whose date is more than this many days before `date` are deleted */
  keepDays: number;
}

export interface DailyBackupResult {
  path: string;
  /** null: the day's copy was there already and is kept as it is */
  written: BackupResult | null;
  /** the old copies deleted */
  pruned: string[];
}

/**
 * `<mode>-<YYYYMMDD>.sqlite`: in `data/backups/`, beside the trade log, it is what the daemon's
 * start-up names when the log is damaged (store/open.ts latestBackup).
 */
export function dailyBackupName(mode: string, date: TradingDate): string {
  return `${mode}-${date}.sqlite`;
}

/**
 * The after-close job's copy of the day: written once (an existing one is left alone), then the
 * copies of this mode older than `keepDays` deleted by the date in their name. Other files in
 * `dir`, other modes' copies included, are never touched, except the temporary files of an
 * earlier daily backup of this mode that was interrupted.
 */
export async function keepDailyBackup(db: Database, opts: DailyBackupOptions): Promise<DailyBackupResult> {
  const { dir, mode, date, keepDays } = opts;
  // interpolated into the pattern below, and a file name
  if (!/^[a-z0-9_-]+$/i.test(mode)) throw new AppError('STORE_OPTIONS_INVALID', `daily backup: the mode must be a plain name, got ${JSON.stringify(mode)}`);
  if (!Number.isInteger(keepDays) || keepDays < 0) throw new AppError('STORE_OPTIONS_INVALID', `daily backup: keepDays must be a whole number ≥ 0, got ${keepDays}`);
  try {
    mkdirSync(dir, { recursive: true, mode: DIR_MODE });
  } catch (err) {
    throw failed(`cannot create the backup directory ${dir}: ${describeError(err)}`, dir, err);
  }
  const ours = new RegExp(`^${mode}-(\\d{8})\\.sqlite$`);
  const partial = new RegExp(`^\\.${mode}-\\d{8}\\.sqlite\\..*\\${PARTIAL}(-journal|-wal|-shm)?$`);
  const names = readdirSync(dir);
  // what a crash or power loss in the middle of an earlier daily backup left
  for (const f of names) if (partial.test(f)) rmSync(join(dir, f), { force: true });
  const path = join(dir, dailyBackupName(mode, date));
  const written = existsSync(path) ? null : await backupTradeLog(db, path);
  const cutoff = addDays(date, -keepDays);
  const pruned: string[] = [];
  for (const f of names) {
    const day = ours.exec(f)?.[1];
    if (day === undefined || day >= cutoff) continue;
    unlinkSync(join(dir, f));
    pruned.push(join(dir, f));
  }
  return { path, written, pruned };
}
