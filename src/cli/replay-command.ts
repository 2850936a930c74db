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
 * them. Exit 0 when nothing differs, 1 when something differs or could not be replayed.
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

/** The field of a decision logged before its inputs were recorded (signals/replay.ts NOT_REPLAYABLE). */
const UNRECORDED = 'inputs';

/**
 * The report of a replay. Decisions logged before replay inputs were recorded are counted on one
 * line, not listed: a months-old log would otherwise bury the real differences under them.
 */
export function replayText(
  result: { day: readonly { id: number }[]; diffs: readonly ReplayDifference[]; hashes: readonly string[] },
  hash: string, date: TradingDate, source: string,
): string[] {
  const lines = [`replay of ${date}: ${result.day.length} decisions (${source}), config ${hash} now`];
  const other = result.hashes.filter((h) => h !== hash);
  if (other.length > 0) lines.push(`decided under config ${other.join(', ')}: a difference may be the config's, not the code's`);
  const old = result.diffs.filter((d) => d.field === UNRECORDED);
  const real = result.diffs.filter((d) => d.field !== UNRECORDED);
  if (old.length > 0) {
    const ids = old.map((d) => d.decisionId);
    lines.push(`${old.length} decision(s) (ids ${Math.min(...ids)}…${Math.max(...ids)}) were logged before replay inputs `
      + 'were recorded: not replayable, not compared (--json lists them)');
  }
  if (real.length === 0) {
    lines.push(old.length === 0
      ? 'no difference: the decision code decides today as it did then, and the daemon sent what it decided'
      : `no difference among the ${result.day.length - old.length} decision(s) that could be replayed`);
  } else {
    lines.push(`${real.length} difference(s):`);
    lines.push(table(['decision', 'symbol', 'kind', 'field', 'recorded', 'replayed'],
      real.map((d) => [d.decisionId, d.symbol, d.kind, d.field, JSON.stringify(d.recorded), JSON.stringify(d.replayed)])));
  }
  return lines;
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
        for (const line of replayText(result, hash, date, io.source)) io.out(line);
      }
      if (result.diffs.length > 0) io.exit(1);
    });
}
