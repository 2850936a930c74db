import { existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { formatKst, kstDateOf, RISK_KEYS } from '../domain/index.js';
import type { AccountSnapshot, EpochMs, RoundTrip } from '../domain/index.js';
import { formatHolding, groupTrips, markTrips, renderReport, summarize } from '../review/index.js';
import type { GroupBy, PnlSummary } from '../review/index.js';
import { createReviewReader } from '../store/index.js';
import type { DateRange, Store } from '../store/index.js';
import { csvText, kstCell } from './csv.js';
import { CSV_HELP, DATE_HELP, dateRange, describeRange, formatError } from './list-options.js';
import type { DateRangeOptions, FormatOptions } from './list-options.js';
import { table, won } from './table.js';

/**
 * `pnl`, `trades` and `report`: the round trips of the trade log (v_round_trips, docs/review.md) summed
 * up the way a trader reads them, on a read-only connection.
 */
export interface ReviewIo {
  out(s: string): void;
  err(s: string): void;
  exit(code: number): never;
  withStore<T>(fn: (store: Store) => T): T;
  readonly source: string;
  /** where a relative --out is resolved */
  cwd: string;
  now(): EpochMs;
}

const GROUPS: readonly GroupBy[] = ['day', 'week', 'month', 'symbol', 'strategy'];
const bpPct = (bp: number | null): string => (bp === null ? '' : `${(bp / 100).toFixed(2)} %`);

class UsageError extends Error {}

function rangeOf(opts: DateRangeOptions & FormatOptions): DateRange {
  const r = dateRange(opts, { from: null, to: null });
  if ('error' in r) throw new UsageError(r.error);
  const format = formatError(opts);
  if (format !== null) throw new UsageError(format);
  return r.range;
}

const SUMMARY_COLUMNS = ['trades', 'wins', 'losses', 'win_rate_bp', 'net_pnl', 'gross_pnl', 'avg_win', 'avg_loss', 'profit_factor', 'commission', 'tax'];
const summaryRow = (s: PnlSummary) => [s.trades, s.wins, s.losses, s.winRateBp, s.net, s.gross, s.avgWin, s.avgLoss, s.profitFactor, s.commission, s.tax];

/** The columns of v_round_trips (export's round_trips.csv), with KST twins, the name and the mark. */
const TRIP_COLUMNS = ['entry_order_id', 'symbol', 'name', 'strategy', 'status', 'opened_at', 'opened_kst', 'closed_at', 'closed_kst', 'holding_seconds',
  'qty', 'closed_qty', 'entry_price', 'exit_price', 'gross_pnl', 'commission', 'tax', 'net_pnl', 'return_bp', 'exit_rule', 'trading_date',
  'open_qty', 'open_cost', 'mark', 'unrealised_pnl'];
const tripRow = (t: RoundTrip, name: string) => [t.id, t.symbol, name, t.strategy, t.status, t.openedAt, kstCell(t.openedAt), t.closedAt,
  kstCell(t.closedAt), t.holdingSeconds, t.qty, t.closedQty, t.entryPrice, t.exitPrice, t.gross, t.commission, t.tax, t.net, t.returnBp,
  t.exitRule, t.tradingDate, t.openQty, t.openCost, t.mark, t.unrealised];


/** The broker's prices at the daemon's last reconcile, as `positions` shows them. */
function marksOf(store: Store): { marks: Map<string, number>; at: EpochMs | null } {
  const account = store.risk.get<AccountSnapshot>(RISK_KEYS.account);
  return { marks: new Map((account?.holdings ?? []).map((h) => [h.symbol, h.price])), at: account?.at ?? null };
}

/** Closed trips count in the period they closed; open ones by their marks. */
function closedWithin(trips: readonly RoundTrip[], r: DateRange): RoundTrip[] {
  return trips.filter((t) => {
    if (t.status === 'open') return true;
    const d = kstDateOf(t.closedAt!);
    return (r.from === null || d >= r.from) && (r.to === null || d <= r.to);
  });
}

const SUMMARY_HEAD = ['trades', 'wins', 'win rate', 'net P&L', 'avg win', 'avg loss', 'profit factor', 'commission', 'tax'];
const summaryCells = (s: PnlSummary): (string | number)[] => [
  s.trades, s.wins, bpPct(s.winRateBp), won(s.net), won(s.avgWin), won(s.avgLoss),
  s.profitFactor === null ? (s.grossProfit > 0 ? '∞' : '') : s.profitFactor.toFixed(2), won(s.commission), won(s.tax),
];

export function registerReviewCommands(program: Command, io: ReviewIo): void {
  // a bad option is exit 2 with the message, like the other commands
  const usage = <A extends unknown[]>(fn: (...a: A) => void) => (...a: A): void => {
    try {
      fn(...a);
    } catch (e) {
      if (!(e instanceof UsageError)) throw e;
      io.err(`${e.message}`);
      io.exit(2);
    }
  };

  program.command('pnl')
    .description('realised P&L of the round trips closed in a period: win rate, average win and loss, profit factor, fees, tax, drawdown')
    .option('--from <date>', `first trading date (${DATE_HELP})`)
    .option('--to <date>', 'last trading date')
    .option('--by <group>', `one row per ${GROUPS.join('|')}`, 'day')
    .option('--json', 'print JSON')
    .option('--csv', CSV_HELP)
    .action(usage((opts: { from?: string; to?: string; by: string } & FormatOptions) => {
      if (!GROUPS.includes(opts.by as GroupBy)) throw new UsageError(`--by: expected one of ${GROUPS.join(', ')}, got "${opts.by}"`);
      const by = opts.by as GroupBy;
      const range = rangeOf(opts);
      io.withStore((store) => {
        const review = createReviewReader(store.db);
        const { marks } = marksOf(store);
        const trips = markTrips(closedWithin(review.roundTrips(range), range), marks);
        const daily = review.dailyPnl(range);
        const total = summarize(trips, daily);
        const groups = groupTrips(trips.filter((t) => t.status === 'closed'), by);
        if (opts.json) return io.out(JSON.stringify({ from: range.from, to: range.to, by, total, groups }, null, 2));
        if (opts.csv) return io.out(csvText([by, ...SUMMARY_COLUMNS], [...groups.map((g) => [g.key, ...summaryRow(g.summary)]), ['total', ...summaryRow(total)]]));
        io.out(`P&L ${describeRange(range)}, by ${by} (${io.source})`);
        if (total.trades === 0) io.out('no round trip closed in this period');
        else io.out(table([by, ...SUMMARY_HEAD], [...groups.map((g) => [g.key, ...summaryCells(g.summary)]), ['total', ...summaryCells(total)]]));
        if (total.maxDrawdown !== null) {
          io.out(`max drawdown: ${won(total.maxDrawdown)} won (${bpPct(total.maxDrawdownBp)}) of equity over ${daily.length} day(s) with an after-close summary`);
        }
        if (total.open > 0) io.out(`open round trips: ${total.open}, unrealised ${won(total.unrealised)} won at the last marks (\`kis-trader trades --open\`)`);
      });
    }));

  program.command('trades')
    .description('round trips: each entry order with the exits matched to it FIFO, net of commission and tax; open ones at the last mark')
    .option('--open', 'only trips with shares still held')
    .option('--closed', 'only closed trips')
    .option('--symbol <code>', 'only this symbol')
    .option('--strategy <id>', 'only this strategy')
    .option('--from <date>', `first trading date (${DATE_HELP})`)
    .option('--to <date>', 'last trading date')
    .option('--json', 'print JSON')
    .option('--csv', CSV_HELP)
    .action(usage((opts: { open?: boolean; closed?: boolean; symbol?: string; strategy?: string; from?: string; to?: string } & FormatOptions) => {
      if (opts.open && opts.closed) throw new UsageError('--open and --closed exclude each other');
      const range = rangeOf(opts);
      io.withStore((store) => {
        const review = createReviewReader(store.db);
        const { marks, at } = marksOf(store);
        const trips = markTrips(review.roundTrips(range), marks).filter((t) => (opts.open ? t.status === 'open' : opts.closed ? t.status === 'closed' : true)
          && (opts.symbol === undefined || t.symbol === opts.symbol) && (opts.strategy === undefined || t.strategy === opts.strategy));
        if (opts.json) return io.out(JSON.stringify(trips, null, 2));
        const names = review.names([...new Set(trips.map((t) => t.symbol))], [...new Set(trips.map((t) => t.tradingDate))]);
        if (opts.csv) return io.out(csvText(TRIP_COLUMNS, trips.map((t) => tripRow(t, names[t.symbol] ?? ''))));
        io.out(`round trips ${describeRange(range)}: ${trips.length} (${io.source})`);
        io.out(table(['id', 'opened', 'closed', 'symbol', 'name', 'strategy', 'qty', 'sold', 'entry', 'exit', 'net P&L', 'return', 'held', 'exit rule', 'unrealised'],
          trips.map((t) => [t.id, formatKst(t.openedAt).slice(0, 16), t.closedAt === null ? '' : formatKst(t.closedAt).slice(0, 16), t.symbol,
            names[t.symbol] ?? '', t.strategy ?? '(external)', t.qty, t.closedQty, won(t.entryPrice), won(t.exitPrice),
            t.closedQty > 0 ? won(t.net) : '', bpPct(t.returnBp), t.holdingSeconds === null ? '' : formatHolding(t.holdingSeconds), t.exitRule ?? '',
            t.status === 'open' ? (t.unrealised === null ? 'no mark' : won(t.unrealised)) : ''])));
        if (trips.some((t) => t.status === 'open') && at !== null) io.out(`marks: the broker's prices at the last reconcile (${formatKst(at).slice(0, 19)} KST)`);
      });
    }));

  program.command('report')
    .description('one self-contained HTML file: equity, drawdown, daily P&L, P&L by strategy and symbol, round trips, guards, configs')
    .requiredOption('--out <file>', 'the HTML file to write')
    .option('--from <date>', 'first trading date (YYYYMMDD or YYYY-MM-DD)')
    .option('--to <date>', 'last trading date')
    .option('--force', 'replace the file if it exists')
    .action(usage((opts: { out: string; from?: string; to?: string; force?: boolean }) => {
      const range = rangeOf(opts);
      const path = resolve(io.cwd, opts.out);
      if (existsSync(path) && !opts.force) throw new UsageError(`--out: ${path} exists (--force replaces it)`);
      const html = io.withStore((store) => {
        const review = createReviewReader(store.db);
        const trips = markTrips(closedWithin(review.roundTrips(range), range), marksOf(store).marks);
        return renderReport({
          title: io.source, from: range.from, to: range.to, roundTrips: trips, daily: review.dailyPnl(range),
          guards: review.guardStats(range), configs: review.configs(range),
          names: review.names([...new Set(trips.map((t) => t.symbol))], [...new Set(trips.map((t) => t.tradingDate))]),
          generatedAt: io.now(),
        });
      });
      writeFileSync(path, html, { mode: 0o600 });
      io.out(`report written: ${path} (${Math.round(html.length / 1024)} KB)`);
    }));
}
