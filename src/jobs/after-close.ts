import { describeError, krw, kstDateOf } from '../domain/index.js';
import type {
  AccountSnapshot, BarRepo, Clock, DailyMark, DailySummaryRepo, DayRealizedPnl, EpochMs, FillRepo, KeyValueRepo, Logger, MarketData,
  Krw, Notifier, OrderRepo, Position, PositionRepo, StockCode, TradingDate,
} from '../domain/index.js';
import type { OrderDesk } from './order-desk.js';

const BACKFILL_MAX = 60;

export interface AfterCloseDeps {
  orders: OrderRepo;
  fills: FillRepo;
  positions: PositionRepo & DayRealizedPnl;
  dailySummaries: DailySummaryRepo;
  decisions: { forDate(date: TradingDate): readonly { symbol: StockCode; kind: string; outcome: string }[] };
  bars: BarRepo;
  kv: KeyValueRepo;
  market: MarketData;
  clock: Clock;
  log: Logger;
  desk: Pick<OrderDesk, 'reconcile'>;
  /** the hash of the config in force, recorded with the day's summary */
  configHash: string;
  /** writes the day's copy of the trade log and prunes old ones (store.backups); absent when they are off */
  backup?: (date: TradingDate) => Promise<DailyBackup>;
  /** the daily summary goes out as a notice too (Telegram, webhook: docs/operations.md "Alerts") */
  notifier?: Notifier;
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
  const open = deps.positions.list();
  const { marks, unrealisedPnl, unpriced } = markToBroker(open, summary.account);
  if (unpriced.length > 0) {
    log.warn({ job: 'after-close', date, symbols: unpriced }, 'open positions the broker did not price: left out of unrealised P&L');
  }
  const day = {
    tradingDate: date, at: clock.now(), equity: summary.account.totalValue, cash: summary.account.cash,
    realisedPnl: deps.positions.realizedOn(date), unrealisedPnl,
    commission: krw(fills.reduce((s, f) => s + f.commission, 0)), tax: krw(fills.reduce((s, f) => s + f.tax, 0)),
    orders: deps.orders.forDate(date).length, fills: fills.length,
    decisions: decisions.length, entriesDecided: decisions.filter((d) => d.kind === 'entry' && d.outcome === 'order').length,
    marks, configHash: deps.configHash,
  };
  deps.dailySummaries.upsert(day);
  log.info({
    job: 'after-close', date, orders: day.orders, fills: day.fills, decisions: day.decisions, entriesDecided: day.entriesDecided,
    commission: day.commission, tax: day.tax, realisedPnl: day.realisedPnl, unrealisedPnl: day.unrealisedPnl,
    positions: open.map((p) => `${p.symbol}×${p.qty}`), equity: day.equity,
  }, 'daily summary');
  const won = (n: number): string => `${n.toLocaleString('en-US')} ₩`;
  const pnl = day.realisedPnl + day.unrealisedPnl;
  deps.notifier?.notify({
    kind: 'daily-summary',
    message: [
      `${date} after the close: P&L ${won(pnl)} (realised ${won(day.realisedPnl)}, unrealised ${won(day.unrealisedPnl)})`,
      `fees ${won(day.commission)} + tax ${won(day.tax)}; ${day.orders} order(s), ${day.fills} fill(s), ${day.entriesDecided} entr${day.entriesDecided === 1 ? 'y' : 'ies'} decided`,
      `positions: ${open.map((p) => `${p.symbol}×${p.qty}`).join(', ') || 'none'}; equity ${won(day.equity)}, cash ${won(day.cash)}`,
    ].join('\n'),
    details: {
      date, realisedPnl: day.realisedPnl, unrealisedPnl: day.unrealisedPnl, commission: day.commission, tax: day.tax,
      orders: day.orders, fills: day.fills, positions: open.map((p) => `${p.symbol}×${p.qty}`), equity: day.equity,
    },
  });
  // Today's bar is final now: refresh the cache for what was held or evaluated, so tomorrow's
  // first evaluations (and later backtests) start from complete bars without waiting on KIS.
  const symbols = [...new Set([...open.map((p) => p.symbol), ...decisions.map((d) => d.symbol)])].slice(0, BACKFILL_MAX);
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

/**
 * The daemon's open positions marked at the broker's prices of the reconcile's snapshot. A position
 * the snapshot does not price (the broker does not hold it: a mismatch reconcile reports) keeps
 * price null and stays out of the unrealised P&L rather than being marked at a guess.
 */
function markToBroker(open: readonly Position[], account: AccountSnapshot): {
  marks: Record<string, DailyMark>; unrealisedPnl: Krw; unpriced: StockCode[];
} {
  const prices = new Map(account.holdings.map((h) => [h.symbol, h.price]));
  const marks: Record<string, DailyMark> = {};
  const unpriced: StockCode[] = [];
  let unrealised = 0;
  for (const p of open) {
    const price = prices.get(p.symbol) ?? null;
    marks[p.symbol] = { qty: p.qty, price, cost: p.cost };
    if (price === null) unpriced.push(p.symbol);
    else unrealised += price * p.qty - p.cost;
  }
  return { marks, unrealisedPnl: krw(unrealised), unpriced };
}
