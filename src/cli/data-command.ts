import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { describeError, kstDateOf, parseIsoOrCompactDate, stockCode, systemClock } from '../domain/index.js';
import type { Clock, Lane, MarketData, TradingDate } from '../domain/index.js';
import type { BarRepository, Store } from '../store/index.js';
import { parseBarsCsv, BAR_CSV_COLUMNS, BAR_CSV_OPTIONAL_COLUMNS } from './bars-csv.js';
import { DATE_HELP } from './list-options.js';
import { progressBar } from './progress.js';
import { table, won } from './table.js';

/**
 * `data fetch | import | list`: the daily bar cache of the trade log (`daily_bars`, the one the
 * signals read and the backtester's `--source db` reads; docs/data.md). Fetching goes through the
 * same KIS client and rate budget as the daemon; the composition arrives as `connect`.
 */
export interface DataSession {
  market: Pick<MarketData, 'dailyBars'>;
  /** the session's "today" (the simulated day in sim mode): the default end of a fetch */
  clock: Clock;
  close(): Promise<void>;
}

export interface DataCommandsIo {
  out(s: string): void;
  err(s: string): void;
  exit(code: number): never;
  /** writes to stderr as is when it is a terminal (progress rewrites one line); null when it is not */
  tty: ((s: string) => void) | null;
  /** where relative file names resolve: the operator's working directory */
  cwd: string;
  /** which mode and trade log the commands use ("sim · /…/sim.sqlite") */
  readonly source: string;
  connect(): Promise<DataSession>;
  /** the trade log read-write (created and migrated if need be); closed after `fn` */
  withStore<T>(fn: (store: Store) => T | Promise<T>): Promise<T>;
  /** the trade log read-only, never migrated: `data list` is safe while the daemon writes */
  withReadStore<T>(fn: (store: Store) => T): T;
}

/** The rate-budget lane of a fetch: the after-close backfill's, below orders and signals (domain/types.ts Lane). */
export const FETCH_LANE: Lane = 'scan';
/** about 40 years of trading days: a typo guard, not a KIS limit */
const MAX_DAYS = 10_000;

export type FetchOutcome =
  | { symbol: string; ok: true; bars: number; first: TradingDate | null; last: TradingDate | null }
  | { symbol: string; ok: false; error: string };

export interface FetchBarsDeps {
  market: Pick<MarketData, 'dailyBars'>;
  bars: Pick<BarRepository, 'upsert'>;
  clock: Clock;
}

/**
 * Fetches the newest `days` bars ending at `end` (default: the clock's today) of each symbol and
 * upserts them by (symbol, date), so a second fetch replaces rows and never adds duplicates. One
 * symbol failing (a malformed code, one KIS does not know) leaves the others to be fetched.
 * `onStart` / `onDone` report progress.
 */
export async function fetchBarsInto(
  deps: FetchBarsDeps, symbols: readonly string[], days: number, end: TradingDate | undefined,
  progress: { onStart?(symbol: string, index: number): void; onDone?(outcome: FetchOutcome, index: number): void } = {},
): Promise<FetchOutcome[]> {
  const outcomes: FetchOutcome[] = [];
  for (const [i, symbol] of symbols.entries()) {
    progress.onStart?.(symbol, i);
    let outcome: FetchOutcome;
    try {
      const bars = await deps.market.dailyBars(stockCode(symbol), days, { lane: FETCH_LANE, ...(end === undefined ? {} : { end }) });
      // An unknown code is usually an API error; an empty answer is a failure too: nothing was stored (docs/data.md).
      if (bars.length === 0) throw new Error('KIS returned no daily bars for it (unknown symbol, or no trading up to the end date)');
      deps.bars.upsert(bars, deps.clock.now());
      outcome = { symbol, ok: true, bars: bars.length, first: bars[0]?.date ?? null, last: bars.at(-1)?.date ?? null };
    } catch (e) {
      outcome = { symbol, ok: false, error: describeError(e) };
    }
    outcomes.push(outcome);
    progress.onDone?.(outcome, i);
  }
  return outcomes;
}

/** The symbols of `--symbols 005930,000660`, in order, once each. */
export function symbolList(arg: string): string[] {
  return [...new Set(arg.split(',').map((s) => s.trim()).filter((s) => s !== ''))];
}

const CSV_COLUMNS_HELP = `${BAR_CSV_COLUMNS.join(',')}[,${BAR_CSV_OPTIONAL_COLUMNS.join(',')}]`;

export function registerDataCommands(program: Command, io: DataCommandsIo): void {
  const data = program.command('data').description('the daily bar cache in the trade log, for backtests: fetch from KIS, import CSV, list');

  const usage = (command: string, message: string): never => {
    io.err(`data ${command}: ${message}`);
    return io.exit(2);
  };

  data.command('fetch')
    .description(`fetch the newest daily bars of each symbol through KIS (or the simulator), ${FETCH_LANE} lane of the rate budget`)
    .requiredOption('--symbols <codes>', 'comma-separated stock codes, e.g. 005930,000660')
    .requiredOption('--days <n>', 'how many of the newest trading days (bars) per symbol')
    .option('--end <date>', `last date (${DATE_HELP}; default today, the simulated day in sim mode)`)
    .action(async (o: { symbols: string; days: string; end?: string }) => {
      const symbols = symbolList(o.symbols);
      if (symbols.length === 0) usage('fetch', '--symbols names no stock code');
      if (!/^\d+$/.test(o.days) || Number(o.days) < 1 || Number(o.days) > MAX_DAYS) {
        usage('fetch', `--days must be a whole number from 1 to ${MAX_DAYS}, got "${o.days}"`);
      }
      let end: TradingDate | undefined;
      if (o.end !== undefined) {
        try {
          end = parseIsoOrCompactDate(o.end);
        } catch {
          usage('fetch', `--end must be ${DATE_HELP}, got "${o.end}"`);
        }
      }
      const n = symbols.length;
      const progress = progressBar(io.tty, 'data fetch', n);
      let outcomes: FetchOutcome[] = [];
      let failed: unknown = null;
      let today: TradingDate | null = null;
      try {
        await io.withStore(async (store) => {
          const session = await io.connect();
          today = kstDateOf(session.clock.now());
          try {
            outcomes = await fetchBarsInto({ market: session.market, bars: store.bars, clock: session.clock }, symbols, Number(o.days), end, {
              // A terminal gets a progress bar and the failures; a log or a pipe gets one line a symbol.
              onStart: (symbol, i) => progress.update(i, symbol),
              onDone: (r, i) => {
                if (io.tty !== null && r.ok) return;
                progress.end();
                io.err(r.ok ? `[${i + 1}/${n}] ${r.symbol}: ${r.bars} bars ${r.first ?? ''}..${r.last ?? ''}` : `[${i + 1}/${n}] ${r.symbol}: failed: ${r.error}`);
              },
            });
          } finally {
            progress.end();
            await session.close();
          }
        });
      } catch (e) {
        failed = e;
      }
      if (failed !== null) {
        io.err(`data fetch: ${describeError(failed)}`);
        return io.exit(1);
      }
      const fetched = outcomes.filter((r) => r.ok);
      io.out(`daily bars fetched into ${io.source}: ${fetched.length} of ${n} symbol${n > 1 ? 's' : ''}, newest ${o.days} trading days${end ? ` to ${end}` : ''}`);
      if (fetched.length > 0) {
        io.out(table(['symbol', 'bars', 'first', 'last'], fetched.map((r) => [r.symbol, r.bars, r.first ?? '', r.last ?? ''])));
      }
      const short = fetched.filter((r) => r.bars < Number(o.days));
      if (short.length > 0) {
        io.out(`fewer bars than asked (KIS has no older history: a recent listing, or a long halt): ${short.map((r) => `${r.symbol} ${r.bars}`).join(', ')}`);
      }
      // KIS serves today's bar while the session runs; the after-close job (or the next fetch) replaces it.
      if (fetched.some((r) => r.last === today)) {
        io.out(`the bars of ${today ?? ''} are today's: partial before the close; a fetch after the close replaces them`);
      }
      const bad = outcomes.filter((r) => !r.ok);
      if (bad.length > 0) {
        io.err(`data fetch: ${bad.length} of ${n} symbol${n > 1 ? 's' : ''} failed: ${bad.map((r) => r.symbol).join(', ')}`);
        io.exit(1);
      }
    });

  data.command('import <file>')
    .description(`import daily bars from a CSV file with a header row: ${CSV_COLUMNS_HELP} (docs/data.md)`)
    .option('--force', 'replace bars already in the trade log for the same symbol and date')
    .addHelpText('after', `
Columns: symbol (six characters, e.g. 005930), date (${DATE_HELP}),
open, high, low, close (whole won > 0, low ≤ open, close ≤ high), volume (whole shares ≥ 0);
optional value (traded value in won; close × volume when absent) and name (not stored).
Numbers without thousands separators (69900, not 69,900). UTF-8, with or without a byte order
mark; CRLF or LF; fields quoted as RFC 4180. Every row is checked first: one problem and nothing
is written.`)
    .action(async (file: string, o: { force?: boolean }) => {
      const path = resolve(io.cwd, file);
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch (e) {
        io.err(`data import: cannot read ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : describeError(e)}`);
        return io.exit(1);
      }
      const parsed = parseBarsCsv(text);
      if (!parsed.ok) {
        io.err(`data import: ${path}: ${parsed.total} problem${parsed.total > 1 ? 's' : ''}, nothing written:`);
        for (const e of parsed.errors) io.err(`  ${e}`);
        if (parsed.total > parsed.errors.length) io.err(`  … and ${parsed.total - parsed.errors.length} more (the first ${parsed.errors.length} are shown)`);
        return io.exit(1);
      }
      const { bars } = parsed;
      let outcome: { replaced: number; written: boolean };
      try {
        outcome = await io.withStore((store) => {
          const replaced = store.bars.countExisting(bars);
          if (replaced > 0 && !o.force) return { replaced, written: false };
          // one transaction (store/bars.ts upsert): all rows or none
          store.bars.upsert(bars, systemClock.now());
          return { replaced, written: true };
        });
      } catch (e) {
        io.err(`data import: ${describeError(e)}`);
        return io.exit(1);
      }
      const { replaced, written } = outcome;
      if (!written) {
        io.err(`data import: ${won(replaced)} of the ${won(bars.length)} bars in ${path} would replace bars already in ${io.source}; nothing written (--force replaces them)`);
        return io.exit(1);
      }
      io.out(`imported ${won(bars.length)} daily bar${bars.length === 1 ? '' : 's'} of ${parsed.symbols} symbol${parsed.symbols > 1 ? 's' : ''} from ${path} into ${io.source}`
        + `${replaced > 0 ? ` (${won(replaced)} replaced)` : ''}`);
      if (parsed.valueEstimated) io.out('traded value: estimated as close × volume where the file gives none (no value column or an empty cell)');
    });

  data.command('list')
    .description('per symbol: how many daily bars the trade log holds, and the first and last date')
    .option('--json', 'print JSON')
    .action((o: { json?: boolean }) => {
      try {
        io.withReadStore((store) => {
          const rows = store.bars.summary();
          if (o.json) return io.out(JSON.stringify(rows, null, 2));
          const total = rows.reduce((n, r) => n + r.bars, 0);
          io.out(`daily bars in ${io.source}: ${rows.length} symbol${rows.length === 1 ? '' : 's'}, ${won(total)} bars`);
          if (rows.length > 0) io.out(table(['symbol', 'bars', 'first', 'last'], rows.map((r) => [r.symbol, won(r.bars), r.first, r.last])));
        });
      } catch (e) {
        io.err(`data list: ${describeError(e)}`);
        io.exit(1);
      }
    });
}
