import { resolve } from 'node:path';
import type { Command } from 'commander';
import { jobSettings, strategySlices } from '../config/index.js';
import type { LoadedConfig } from '../config/index.js';
import type { StockCode, TradingDate } from '../domain/index.js';
import { loadCalendar, resolveStrategies } from '../runtime/index.js';
import { replayDecisions } from '../signals/index.js';
import type { RecordedDecision, ReplayDifference } from '../signals/index.js';
import type { Store } from '../store/index.js';
import { DATE_HELP, parseDate } from './list-options.js';
import { table } from './table.js';

/**
 * `kis-trader replay --date D`: the day's decisions run again through the decision code with the
 * config in force now (signals/replay.ts, docs/review.md), and what the daemon sent checked against
 * them. Exit 0 when nothing differs, 1 when something does.
 */
export interface ReplayIo {
  out(s: string): void;
  err(s: string): void;
  exit(code: number): never;
  loaded(): LoadedConfig;
  /** the installation: relative config paths (the calendar) resolve against it */
  root: string;
  withStore<T>(fn: (store: Store) => T): T;
  readonly source: string;
}

/** What the daemon sent against what its 'order' decisions said. */
function sentDifferences(store: Store, day: readonly RecordedDecision[]): ReplayDifference[] {
  const out: ReplayDifference[] = [];
  for (const d of day.filter((x) => x.outcome === 'order')) {
    const base = { decisionId: d.id, symbol: d.symbol, kind: d.kind };
    const order = d.intentKey === null ? null : store.orders.byIntentKey(d.intentKey);
    if (!order) {
      out.push({ ...base, field: 'sent', recorded: d.intentKey, replayed: 'no order with this intent key' });
      continue;
    }
    const sizing = d.inputs['sizing'] as { qty?: number } | undefined;
    const position = d.inputs['position'] as { qty?: number } | undefined;
    const qty = d.kind === 'entry' ? sizing?.qty : position?.qty;
    if (qty !== undefined && order.qty !== qty) out.push({ ...base, field: 'sent qty', recorded: qty, replayed: order.qty });
    const limit = (d.inputs['price'] as { limit?: number } | undefined)?.limit;
    if (d.kind === 'entry' && order.type === 'limit' && limit !== undefined && order.price !== limit) {
      out.push({ ...base, field: 'sent price', recorded: limit, replayed: order.price });
    }
  }
  return out;
}

export function registerReplayCommand(program: Command, io: ReplayIo): void {
  program.command('replay')
    .description("run a day's recorded decisions through the decision code again and list every difference from what the daemon decided and sent")
    .requiredOption('--date <date>', `the trading date (${DATE_HELP})`)
    .option('--json', 'print the differences as JSON')
    .action(async (opts: { date: string; json?: boolean }) => {
      const parsed = parseDate('--date', opts.date);
      if ('error' in parsed) {
        io.err(parsed.error);
        return io.exit(2);
      }
      const { date } = parsed;
      const { config, hash } = io.loaded();
      const strategies = await resolveStrategies(strategySlices(config), io.root);
      const calendar = loadCalendar(resolve(io.root, config.market.calendarFile), config.market.sessions);
      const settings = jobSettings(config).signals;
      const result = io.withStore((store) => {
        const day = store.decisions.forDate(date);
        const exitHistory = (symbol: StockCode, opened: TradingDate): RecordedDecision[] => store.decisions.forDates(opened, date)
          .filter((d) => d.kind === 'exit' && d.symbol === symbol && d.inputs['openedDate'] === opened);
        const bars = (symbol: StockCode, count: number, end: TradingDate) => store.bars.range(symbol, count, end);
        const diffs = [...replayDecisions(day, exitHistory, { strategies, bars, calendar, settings }), ...sentDifferences(store, day)];
        return { day, diffs, hashes: [...new Set(day.map((d) => d.configHash))] };
      });
      if (opts.json) io.out(JSON.stringify({ date, configHash: hash, decisions: result.day.length, differences: result.diffs }, null, 2));
      else {
        io.out(`replay of ${date}: ${result.day.length} decisions (${io.source}), config ${hash} now`);
        const other = result.hashes.filter((h) => h !== hash);
        if (other.length > 0) io.out(`decided under config ${other.join(', ')}: a difference may be the config's, not the code's`);
        if (result.diffs.length === 0) io.out('no difference: the decision code decides today as it did then, and the daemon sent what it decided');
        else {
          io.out(`${result.diffs.length} difference(s):`);
          io.out(table(['decision', 'symbol', 'kind', 'field', 'recorded', 'replayed'],
            result.diffs.map((d) => [d.decisionId, d.symbol, d.kind, d.field, JSON.stringify(d.recorded), JSON.stringify(d.replayed)])));
        }
      }
      if (result.diffs.length > 0) io.exit(1);
    });
}
