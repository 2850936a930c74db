import { hostname } from 'node:os';
import type { Command } from 'commander';
import { epochMs, formatKst, kstDateOf, OPEN_STATUSES, positionOrigins, RISK_KEYS, strategyOfIntentKey } from '../domain/index.js';
import type { AccountSnapshot, Clock, EpochMs, Halt } from '../domain/index.js';
import { adoptIntoTradeLog, daemonState, exportRows, FRESH_LOG_HALT_KIND } from '../store/index.js';
import type { QueueDepths, Store } from '../store/index.js';
import { describeWebSocket, pidAlive } from '../runtime/index.js';
import { csvText, kstCell, withKstTwins } from './csv.js';
import type { CsvCell } from './csv.js';
import { bounds, CSV_HELP, DATE_HELP, dateRange, describeRange, formatError } from './list-options.js';
import type { DateRange, DateRangeOptions, FormatOptions } from './list-options.js';
import { describeReload, reloadState } from './reload-command.js';
import { table, won } from './table.js';

/**
 * Views of the trade log for operators, which open it read-only (safe while the daemon writes it),
 * plus halt/resume/adopt, which write: halt and resume only the `entries-halted` flag the daemon
 * reads before every entry.
 */
export interface TradeLogIo {
  out(s: string): void;
  err(s: string): void;
  exit(code: number): never;
  clock: Clock;
  /** opens the store the config points at, read-write (migrating it); the caller closes nothing */
  withStore<T>(fn: (store: Store) => T): T;
  /** the same store opened read-only, never migrated (store/open.ts openStoreReadOnly), for the views */
  withReadStore<T>(fn: (store: Store) => T): T;
  /** which mode and trade log the listings read, named in every heading ("paper · /…/paper.sqlite") */
  readonly source: string;
}

const time = (t: EpochMs | null): string => (t === null ? '' : formatKst(t).slice(11, 19));
/** in a listing of several days the time carries its date: `12-01 10:01:00` */
const timeIn = (r: DateRange) => (t: EpochMs | null): string => (t === null ? '' : r.from !== null && r.from === r.to ? time(t) : formatKst(t).slice(5, 19));

const ago = (ms: number): string => (ms < 120_000 ? `${Math.round(ms / 1000)} s ago` : ms < 7_200_000 ? `${Math.round(ms / 60_000)} min ago` : `${(ms / 3_600_000).toFixed(1)} h ago`);
const depth = (counts: Record<string, number>): string => `${counts['waiting'] ?? 0} waiting, ${counts['active'] ?? 0} active, ${counts['delayed'] ?? 0} delayed, ${counts['failed'] ?? 0} failed`;
const queueLine = (q: QueueDepths | null): string => (q
  ? `signals ${depth(q.signals)}; orders ${depth(q.orders)}${q.decisions ? `; decisions ${depth(q.decisions)}` : ''}${q.signalConsumers === undefined ? '' : `; signal workers: ${q.signalConsumers} process(es), this daemon and its workers`}`
  : 'unknown (Redis did not answer)');

type ListOptions = DateRangeOptions & FormatOptions;

/** The options of a date-ranged list; a usage error is printed, exit 2. */
function listRange(io: TradeLogIo, command: string, opts: ListOptions): DateRange {
  const today = kstDateOf(io.clock.now());
  const r = dateRange(opts, { from: today, to: today });
  const problem = 'error' in r ? r.error : formatError(opts);
  if (problem === null && 'range' in r) return r.range;
  io.err(`${command}: ${problem ?? ''}`);
  return io.exit(2);
}

const rangeOptions = (c: Command): Command => c
  .option('--date <date>', `one trading date (${DATE_HELP}; default today)`)
  .option('--from <date>', 'first trading date (inclusive); alone: to the end of the log')
  .option('--to <date>', 'last trading date (inclusive); alone: from the start of the log')
  .option('--json', 'print JSON (times as epoch ms)')
  .option('--csv', CSV_HELP);

/** The columns `export` writes to orders.csv / fills.csv, to standard output. */
function printExport(io: TradeLogIo, s: Store, name: 'orders' | 'fills', r: DateRange): void {
  const { columns, rows } = exportRows(s.db, name, ...bounds(r));
  const t = withKstTwins(columns, rows);
  io.out(csvText(t.header, t.rows));
}

export function registerTradeLogCommands(program: Command, io: TradeLogIo): void {
  rangeOptions(program.command('orders')
    .description('list the orders of a trading day (default today) or a range of days, with their status'))
    .action((opts: ListOptions) => {
      const r = listRange(io, 'orders', opts);
      io.withReadStore((s) => {
        if (opts.csv) return printExport(io, s, 'orders', r);
        const rows = s.orders.forDates(...bounds(r));
        if (opts.json) return io.out(JSON.stringify(rows, null, 2));
        io.out(`orders ${describeRange(r)}: ${rows.length} (${io.source})`);
        const when = timeIn(r);
        io.out(table(['id', 'created', 'origin', 'strategy', 'symbol', 'side', 'type', 'qty', 'price', 'status', 'filled', 'venue id', 'reason / reject'],
          rows.map((o) => [o.id, when(o.createdAt), o.origin, o.origin === 'daemon' ? strategyOfIntentKey(o.intentKey) ?? '' : '', o.symbol, o.side,
            o.type, won(o.qty), won(o.price), o.status, won(o.filledQty), o.venueOrderId ?? '',
            o.rejectCode === null ? o.reason : `${o.rejectCode}: ${o.rejectMessage ?? ''}`])));
      });
    });

  rangeOptions(program.command('fills')
    .description('list the fills of a trading day (default today) or a range of days, with commission and tax'))
    .action((opts: ListOptions) => {
      const r = listRange(io, 'fills', opts);
      io.withReadStore((s) => {
        if (opts.csv) return printExport(io, s, 'fills', r);
        const rows = s.fills.forDates(...bounds(r));
        if (opts.json) return io.out(JSON.stringify(rows, null, 2));
        io.out(`fills ${describeRange(r)}: ${rows.length} (${io.source})`);
        const when = timeIn(r);
        io.out(table(['id', 'time', 'order', 'symbol', 'side', 'qty', 'price', 'value', 'commission', 'tax'],
          rows.map((f) => [f.id, when(f.at), f.orderId, f.symbol, f.side, won(f.qty), won(f.price), won(f.value), won(f.commission), won(f.tax)])));
      });
    });

  program.command('positions')
    .description('positions derived from fills (average cost, realised P&L after fees and tax)')
    .option('--all', 'include closed positions')
    .option('--json', 'print JSON')
    .option('--csv', CSV_HELP)
    .action((opts: { all?: boolean } & FormatOptions) => {
      const problem = formatError(opts);
      if (problem !== null) {
        io.err(`positions: ${problem}`);
        return io.exit(2);
      }
      io.withReadStore((s) => {
        const rows = opts.all ? s.positions.all() : s.positions.list();
        if (opts.json) return io.out(JSON.stringify(rows, null, 2));
        // the strategy whose order opened the position (its exits protect it); none for one held outside the daemon
        const origins = positionOrigins(s.orders, s.fills);
        // Marks: the broker's prices at the last reconcile. Unrealised P&L is mark × qty − cost (buy commission included).
        const account = s.risk.get<AccountSnapshot>(RISK_KEYS.account);
        const marks = new Map((account?.holdings ?? []).map((h) => [h.symbol, h]));
        const unrealised = (p: (typeof rows)[number]): number | null => {
          const mark = marks.get(p.symbol)?.price;
          return p.qty > 0 && mark !== undefined && mark > 0 ? mark * p.qty - p.cost : null;
        };
        const pct = (num: number | null, den: number): string => (num === null || den <= 0 ? '' : `${((num * 100) / den).toFixed(2)} %`);
        if (opts.csv) {
          const mark = (p: (typeof rows)[number]): number | null => (p.qty > 0 ? marks.get(p.symbol)?.price ?? null : null);
          return io.out(csvText(['symbol', 'strategy', 'qty', 'avg_price', 'cost', 'mark', 'unrealised_pnl', 'return_pct', 'realised_pnl', 'marked_kst'],
            rows.map((p): CsvCell[] => {
              const u = unrealised(p);
              return [p.symbol, origins.get(p.symbol)?.strategy ?? '', p.qty, p.avgPrice, p.cost, mark(p), u, pct(u, p.cost).replace(' %', ''), p.realizedPnl,
                mark(p) === null ? '' : kstCell(account?.at)];
            })));
        }
        io.out(`positions: ${rows.length} (${io.source})`);
        const body = rows.map((p) => {
          const u = unrealised(p);
          return [p.symbol, origins.get(p.symbol)?.strategy ?? '', won(p.qty), won(p.avgPrice), won(p.cost), marks.has(p.symbol) && p.qty > 0 ? won(marks.get(p.symbol)!.price) : '',
            u === null ? '' : won(u), pct(u, p.cost), won(p.realizedPnl)];
        });
        const open = rows.filter((p) => p.qty > 0);
        const totalU = open.map(unrealised).reduce<number | null>((sum, u) => (u === null ? sum : (sum ?? 0) + u), null);
        const totalCost = open.reduce((sum, p) => sum + p.cost, 0);
        body.push(['total', '', '', '', won(totalCost), '', totalU === null ? '' : won(totalU), pct(totalU, totalCost), won(rows.reduce((sum, p) => sum + p.realizedPnl, 0))]);
        io.out(table(['symbol', 'strategy', 'qty', 'avg price', 'cost', 'mark', 'unrealised P&L', 'return', 'realised P&L'], body));
        if (account) io.out(`marks: the broker's prices at the last reconcile (${formatKst(account.at).slice(0, 19)} KST)`);
        // Shares the broker holds beyond the daemon's own log: bought outside it, not counted above (issue 11).
        for (const h of account?.holdings ?? []) {
          const own = rows.find((p) => p.symbol === h.symbol)?.qty ?? 0;
          if (h.qty > own) io.out(`${h.symbol}: the broker holds ${h.qty}, the daemon's log ${own}: ${h.qty - own} held outside the daemon, not counted above`);
          if (h.qty < own) io.out(`${h.symbol}: the broker holds ${h.qty}, fewer than the daemon's log (${own}): reconcile reports it (see \`status\`)`);
        }
      });
    });

  rangeOptions(program.command('decisions')
    .description('every strategy evaluation of a trading day (default today) or a range of days, trade or not, with the guard verdicts and the config hash in force')
    .option('--strategy <id>', 'only the decisions of this strategy (strategies.<id>)'))
    .action((opts: ListOptions & { strategy?: string }) => {
      const r = listRange(io, 'decisions', opts);
      io.withReadStore((s) => {
        const all = s.decisions.forDates(...bounds(r));
        const rows = all.filter((d) => opts.strategy === undefined || d.strategy === opts.strategy);
        if (opts.json) return io.out(JSON.stringify(rows, null, 2));
        const detail = (d: (typeof rows)[number]): string | null => (typeof d.inputs['detail'] === 'string' ? d.inputs['detail'] : null);
        const failed = (d: (typeof rows)[number]): string => d.guards.filter((g) => !g.ok).map((g) => g.guard).join(',');
        if (opts.csv) {
          return io.out(csvText(['id', 'trading_date', 'at', 'at_kst', 'strategy', 'symbol', 'kind', 'rule', 'detail', 'outcome', 'failed_guards', 'intent_key', 'config_hash', 'inputs'],
            rows.map((d) => [d.id, d.tradingDate, d.at, kstCell(d.at), d.strategy, d.symbol, d.kind, d.rule, detail(d), d.outcome, failed(d), d.intentKey, d.configHash, JSON.stringify(d.inputs)])));
        }
        io.out(`decisions ${describeRange(r)}${opts.strategy === undefined ? '' : ` of ${opts.strategy}`}: ${rows.length} (${io.source})`);
        if (rows.length === 0 && opts.strategy !== undefined) {
          const seen = [...new Set(all.map((d) => d.strategy))].sort();
          io.out(`strategies with decisions ${r.from !== null && r.from === r.to ? 'that day' : 'then'}: ${seen.join(', ') || 'none'}`);
        }
        const when = timeIn(r);
        io.out(table(['id', 'time', 'strategy', 'symbol', 'kind', 'rule', 'outcome', 'failed guards', 'intent', 'config'],
          rows.map((d) => [d.id, when(d.at), d.strategy, d.symbol, d.kind,
            detail(d) === null ? d.rule : `${d.rule}: ${detail(d)}`, d.outcome, failed(d), d.intentKey ?? '', d.configHash])));
      });
    });

  program.command('events <orderId>')
    .description('the status history of one order')
    .action((orderId: string) => {
      if (!/^\d+$/.test(orderId)) {
        io.err(`events: the order id is the number in the first column of \`orders\`, got "${orderId}"`);
        return io.exit(2);
      }
      io.withReadStore((s) => {
        if (!s.orders.byId(Number(orderId))) {
          io.err(`events: no order ${orderId} in ${io.source}`);
          return io.exit(1);
        }
        const rows = s.orders.events(Number(orderId));
        io.out(`events of order ${orderId}: ${rows.length} (${io.source})`);
        io.out(table(['time', 'from', 'to', 'event', 'details'],
          rows.map((e) => [time(e.at), e.fromStatus ?? '', e.toStatus, e.event, JSON.stringify(e.details)])));
      });
    });

  program.command('halt [reason...]')
    .description('stop new entries (exits keep running) until `resume`')
    .action((reason: string[]) => {
      io.withStore((s) => s.risk.set(RISK_KEYS.halt, { reason: reason.join(' ') || 'halted by operator', details: {}, at: io.clock.now() }, io.clock.now()));
      io.out('entries halted');
    });

  program.command('resume')
    .description('allow new entries again after a halt (read the reason first: `kis-trader status`)')
    .action(() => {
      const halt = io.withStore((s) => {
        const h = s.risk.get<Halt>(RISK_KEYS.halt);
        if (h !== null) s.risk.delete(RISK_KEYS.halt);
        return h;
      });
      io.out(halt === null ? 'entries were not halted' : `entries resumed (the halt was: ${halt.reason})`);
    });

  program.command('adopt')
    .description("after a lost trade log: take today's orders and the broker's holdings over as the daemon's own, so exits manage them")
    .option('--force', 'adopt although the trade log is not new (your own orders and shares become the strategy\'s to sell)')
    .action((opts: { force?: boolean }) => {
      io.withStore((s) => {
        // On an ordinary day `external` orders are the owner's own: adopting them hands them to the exits.
        if (!opts.force && s.risk.get<Halt>(RISK_KEYS.halt)?.details['kind'] !== FRESH_LOG_HALT_KIND) {
          io.err('adopt is for a new or restored trade log (entries are halted for that when it is needed); nothing is halted for it now.'
            + ' Orders and shares the daemon calls external are yours and it never sells them. Use --force to hand them to the strategy anyway.');
          return io.exit(2);
        }
        // The balance the daemon's latest reconcile saw: adopt itself never calls KIS.
        const snap = s.risk.get<AccountSnapshot>(RISK_KEYS.account);
        if (!snap) {
          io.err(`no broker balance in ${s.path} yet: start the daemon once (it reconciles with the broker first), then run adopt`);
          return io.exit(1);
        }
        const r = adoptIntoTradeLog(s.db, { date: kstDateOf(snap.at), holdings: snap.holdings, at: io.clock.now() });
        io.out(`broker balance as of ${formatKst(snap.at)} (the daemon's latest reconcile)`);
        io.out(`orders taken over: ${r.orders.length}${r.orders.length ? ' (' + r.orders.map((o) => `#${o.id} ${o.symbol} ${o.side} ${o.qty} ${o.status}`).join(', ') + ')' : ''}`);
        io.out(`holdings taken over: ${r.holdings.length ? r.holdings.map((h) => `${h.symbol}×${h.qty} @ ${won(h.avgPrice)}`).join(', ') : 'none'}`);
        for (const x of r.short) io.err(`warning: the broker holds ${x.brokerQty} of ${x.symbol} but the daemon's fills say ${x.daemonQty}`);
        const halt = s.risk.get<Halt>(RISK_KEYS.halt);
        if (halt?.details['kind'] === FRESH_LOG_HALT_KIND) {
          s.risk.delete(RISK_KEYS.halt);
          io.out('entries resumed (the halt for the new trade log is lifted)');
        } else if (halt) {
          io.out(`entries still HALTED: ${halt.reason}`);
        }
      });
    });

  program.command('status')
    .description('whether the daemon runs (from its heartbeat), halt state, open orders and positions at a glance')
    .action(() => {
      io.withReadStore((s) => {
        io.out(`trade log: ${io.source}`);
        // Wall clock on purpose: the heartbeat's age is real time, in sim mode too.
        const d = daemonState(s.kv, Date.now(), hostname(), pidAlive);
        if (d.running) {
          const hb = d.heartbeat;
          const at = (t: number | null): string => (t === null ? 'never' : formatKst(epochMs(t)));
          io.out(`daemon: running (pid ${hb.pid} on ${hb.host}, mode ${hb.mode}, since ${formatKst(epochMs(hb.since))}, heartbeat ${ago(d.ageMs)})`);
          io.out(`last scan: ${at(hb.lastScan)}; last reconcile: ${at(hb.lastReconcile)}`);
          io.out(`queues: ${queueLine(hb.queues)}`);
          if (hb.websocket !== undefined) io.out(`websocket: ${describeWebSocket(hb.websocket)}`);
          const config = reloadState(s, hb.pid);
          if (config.inForce) io.out(`config: hash ${config.inForce.hash}, in force since ${formatKst(epochMs(config.inForce.since))}`);
          if (config.last) io.out(`last config reload: ${formatKst(epochMs(config.last.at))} (${config.last.trigger}): ${describeReload(config.last)[0] ?? ''}`);
        } else {
          io.out(`daemon: not running (${d.why}${d.ageMs === null ? '' : `; last heartbeat ${ago(d.ageMs)}`})`);
        }
        const halt = s.risk.get<{ reason: string; at: number }>(RISK_KEYS.halt);
        io.out(halt ? `entries HALTED: ${halt.reason}` : 'entries allowed');
        const open = s.orders.withStatus(OPEN_STATUSES);
        io.out(`open orders: ${open.length}${open.length ? ' (' + open.map((o) => `${o.symbol} ${o.side} ${o.status}`).join(', ') + ')' : ''}`);
        io.out(`positions: ${s.positions.list().map((p) => `${p.symbol}×${p.qty}`).join(', ') || 'none'}`);
      });
    });
}
