import { describeError, kstDateOf } from '../domain/index.js';
import type {
  BarRepo, Clock, EpochMs, FillRepo, KeyValueRepo, Logger, MarketData, OrderRepo, PositionRepo, StockCode, TradingDate,
} from '../domain/index.js';
import type { OrderDesk } from './order-desk.js';

const BACKFILL_MAX = 60;

export interface AfterCloseDeps {
  orders: OrderRepo;
  fills: FillRepo;
  positions: PositionRepo;
  decisions: { forDate(date: TradingDate): readonly { symbol: StockCode; outcome: string }[] };
  bars: BarRepo;
  kv: KeyValueRepo;
  market: MarketData;
  clock: Clock;
  log: Logger;
  desk: Pick<OrderDesk, 'reconcile'>;
  /** writes the day's copy of the trade log and prunes old ones (store.backups); absent when they are off */
  backup?: (date: TradingDate) => Promise<DailyBackup>;
}

/** What the daily backup did (store/backup.ts keepDailyBackup). */
export interface DailyBackup {
  path: string;
  /** null: the day's copy was there already */
  written: { bytes: number; pages: number } | null;
  pruned: readonly string[];
}

/** After the close: a last reconcile, the daily summary, today's final bars cached, and the day's backup. */
export async function runAfterClose(deps: AfterCloseDeps, input: { at: EpochMs }): Promise<void> {
  const { log, clock } = deps;
  const date = kstDateOf(input.at);
  const summary = await deps.desk.reconcile('after close');
  const fills = deps.fills.forDate(date);
  const decisions = deps.decisions.forDate(date);
  log.info({
    job: 'after-close', date, orders: deps.orders.forDate(date).length, fills: fills.length,
    decisions: decisions.length, entriesDecided: decisions.filter((d) => d.outcome === 'order').length,
    commission: fills.reduce((s, f) => s + f.commission, 0), tax: fills.reduce((s, f) => s + f.tax, 0),
    positions: deps.positions.list().map((p) => `${p.symbol}×${p.qty}`), equity: summary.account.totalValue,
  }, 'daily summary');
  // Today's bar is final now: refresh the cache for what was held or evaluated, so tomorrow's
  // first evaluations (and later backtests) start from complete bars without waiting on KIS.
  const symbols = [...new Set([...deps.positions.list().map((p) => p.symbol), ...decisions.map((d) => d.symbol)])].slice(0, BACKFILL_MAX);
  let backfilled = 0;
  for (const symbol of symbols) {
    try {
      deps.bars.upsert(await deps.market.dailyBars(symbol, 100, { lane: 'scan', end: date }), clock.now());
      backfilled++;
    } catch (err) {
      log.warn({ job: 'after-close', symbol, err: describeError(err) }, 'bar backfill failed');
    }
  }
  log.info({ job: 'after-close', backfilled, of: symbols.length }, 'daily bars backfilled');
  deps.kv.set(`after-close.${date}`, true, clock.now());
  // Last, so the copy holds the whole day; a failed copy is the operator's to look at, not a reason to stop trading.
  if (deps.backup) {
    try {
      const b = await deps.backup(date);
      log.info({ job: 'after-close', path: b.path, bytes: b.written?.bytes, pages: b.written?.pages, pruned: b.pruned },
        b.written ? 'daily backup of the trade log written' : 'daily backup of the trade log exists already: kept as it is');
    } catch (err) {
      log.error({ job: 'after-close', err: describeError(err) }, 'daily backup of the trade log failed (trading goes on)');
    }
  }
}
