import { resolve } from 'node:path';
import type { Command } from 'commander';
import { isAppError } from '../domain/index.js';
import { backupTradeLog } from '../store/index.js';
import type { Store } from '../store/index.js';

export interface BackupIo {
  out(s: string): void;
  err(s: string): void;
  exit(code: number): never;
  /** where a relative --out resolves: the directory the operator runs the command in, not the installation */
  cwd: string;
  /** which mode and trade log ("paper · /…/paper.sqlite") */
  readonly source: string;
  /** opens the trade log the config points at (refusing a missing one) and closes it when `fn` has settled */
  withStore<T>(fn: (store: Store) => Promise<T>): Promise<T>;
}

const mib = (bytes: number): string => `${(bytes / 1_048_576).toFixed(1)} MiB`;

export function registerBackupCommand(program: Command, io: BackupIo): void {
  program.command('backup')
    .description("copy the trade log with SQLite's online backup (safe while the daemon runs and writes), then check the copy")
    .requiredOption('--out <file>', 'the file to write (owner-only); an existing one is refused')
    .option('--force', 'replace an existing file')
    .action(async (opts: { out: string; force?: boolean }) => {
      const target = resolve(io.cwd, opts.out);
      await io.withStore(async (s) => {
        io.out(`backing up ${io.source}`);
        try {
          const r = await backupTradeLog(s.db, target, { overwrite: opts.force === true });
          io.out(`written: ${r.path}`);
          io.out(`size: ${r.bytes} bytes (${mib(r.bytes)}), ${r.pages} pages of ${r.pageSize} bytes`);
          io.out(`checked: quick_check of the copy says ${r.check}`);
        } catch (e) {
          if (!isAppError(e, 'STORE_BACKUP_EXISTS')) throw e;
          io.err(`backup: ${e.message} (--force replaces it)`);
          io.exit(1);
        }
      });
    });
}
