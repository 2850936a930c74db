import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { EXPORT_NAMES, exportRows } from '../store/index.js';
import type { Store } from '../store/index.js';
import { csvFile, withKstTwins } from './csv.js';
import { bounds, DATE_HELP, dateRange, describeRange } from './list-options.js';
import type { DateRangeOptions } from './list-options.js';

export interface ExportIo {
  out(s: string): void;
  err(s: string): void;
  exit(code: number): never;
  /** where a relative --out resolves: the directory the command runs in */
  readonly cwd: string;
  /** opens the trade log read-only; the caller closes nothing */
  withReadStore<T>(fn: (store: Store) => T): T;
  readonly source: string;
}

/**
 * `kis-trader export --out DIR`: the trade log as CSV files a spreadsheet opens as they are
 * (UTF-8 with BOM, CRLF, header row; Korean text intact), read-only like every review command.
 * All four files are read in one read transaction, so they agree with each other while the daemon
 * writes on.
 */
export function registerExportCommand(program: Command, io: ExportIo): void {
  program.command('export')
    .description('write orders.csv, fills.csv, round_trips.csv and daily_pnl.csv (UTF-8 with BOM, for spreadsheets) into a directory')
    .requiredOption('--out <dir>', 'the directory (created when missing)')
    .option('--from <date>', `first trading date, inclusive (${DATE_HELP}; default: the start of the log)`)
    .option('--to <date>', 'last trading date, inclusive (default: the end of the log); round trips count by the date they opened')
    .option('--force', 'replace files of these names in the directory')
    .action((opts: DateRangeOptions & { out: string; force?: boolean }) => {
      const r = dateRange(opts, { from: null, to: null });
      if ('error' in r) {
        io.err(`export: ${r.error}`);
        return io.exit(2);
      }
      const dir = resolve(io.cwd, opts.out);
      const files = EXPORT_NAMES.map((name) => ({ name, path: join(dir, `${name}.csv`) }));
      const present = files.filter((f) => existsSync(f.path)).map((f) => f.path);
      if (present.length > 0 && !opts.force) {
        io.err(`export: ${present.join(', ')} exist${present.length === 1 ? 's' : ''}: refusing to overwrite (--force replaces them)`);
        return io.exit(1);
      }
      const tables = io.withReadStore((s) => s.db.transaction(() => files.map((f) => {
        const { columns, rows } = exportRows(s.db, f.name, ...bounds(r.range));
        const csv = withKstTwins(columns, rows);
        return { ...f, rows: rows.length, text: csvFile(csv.header, csv.rows) };
      }))());
      mkdirSync(dir, { recursive: true });
      io.out(`exporting ${describeRange(r.range)} (${io.source}) to ${dir}`);
      for (const t of tables) {
        // complete or absent: a reader never opens half a file
        const partial = `${t.path}.partial`;
        writeFileSync(partial, t.text);
        renameSync(partial, t.path);
        io.out(`${t.name}.csv: ${t.rows} row${t.rows === 1 ? '' : 's'}`);
      }
    });
}
