import { kstDateOf, OPEN_STATUSES } from '../domain/index.js';
import type { Broker, Clock, EpochMs, KeyValueRepo, Krw, Logger, OrderRepo, PositionRepo, StockCode } from '../domain/index.js';
import { cancelOwnEntries } from '../orders/index.js';
import { decideOnTrade, tradeExitContext } from '../signals/index.js';
import type { TickExitDeps, TradeExitContext } from '../signals/index.js';
import type { OrderDesk } from './order-desk.js';
import { runEnqueueExits } from './scan.js';
import type { EnqueueSignal } from './scan.js';

export interface FlattenJobDeps {
  positions: PositionRepo;
  orders: OrderRepo;
  broker: Broker;
  risk: KeyValueRepo;
  clock: Clock;
  log: Logger;
  desk: Pick<OrderDesk, 'serial'>;
  ownsAccount: () => boolean;
  enqueueSignal: EnqueueSignal;
}

/**
 * The flatten time has come: every position is evaluated now, and sold as 'flatten-before-close';
 * an entry of ours still working would only open a position after it, so it is cancelled, under
 * the submit/reconcile mutex like every other broker write (exit-prep.ts).
 */
export async function runFlatten(deps: FlattenJobDeps, input: { at: EpochMs }): Promise<void> {
  await runEnqueueExits(deps, input);
  await deps.desk.serial(async () => {
    if (!deps.ownsAccount()) return;
    const symbols = new Set(deps.orders.withStatus(['pending', 'accepted', 'partial'])
      .filter((o) => o.origin === 'daemon' && o.side === 'buy').map((o) => o.symbol));
    const prep = { orders: deps.orders, broker: deps.broker, kv: deps.risk, clock: deps.clock, log: deps.log.child({ job: 'flatten' }) };
    for (const symbol of symbols) await cancelOwnEntries(prep, symbol, 'flatten-before-close');
  });
}

export interface TradeExitDeps extends TickExitDeps {
  clock: Clock;
  log: Logger;
  enqueueSignal: EnqueueSignal;
  /**
   * What the trade log says about a symbol, kept `TRADE_CONTEXT_MS`: a liquid symbol trades many
   * times a second, and the position's origin is replayed from every fill (domain/position-origins.ts).
   * A fill or a decision is seen at most that much later; the minute check stays behind it.
   */
  cache?: Map<string, { until: number; ctx: TradeExitContext | null; openSell: boolean }>;
}

/**
 * One real-time trade of a held symbol (docs/kis-wire.md §10.5): the exit machine runs on its price
 * (signals exitOnTrade) and, when a rule fires, the same exit job as the minute check is enqueued —
 * keyed by a 5-second slot, so a burst of crossing trades enqueues one job, and not at all while our
 * own sell of the symbol is open: one exit per position. The job decides again on a fresh quote,
 * records the decision and sends the order. Returns whether a job was enqueued.
 */
export async function runTradeExit(deps: TradeExitDeps, trade: { symbol: StockCode; price: Krw }): Promise<boolean> {
  const at = deps.clock.now();
  let entry = deps.cache?.get(trade.symbol);
  if (entry === undefined || entry.until <= at) {
    entry = {
      until: at + TRADE_CONTEXT_MS, ctx: tradeExitContext(deps, trade.symbol, at),
      openSell: deps.orders.withStatus(OPEN_STATUSES).some((o) => o.symbol === trade.symbol && o.side === 'sell' && o.origin === 'daemon'),
    };
    if (deps.cache !== undefined && deps.cache.size >= 200) for (const [k, v] of deps.cache) if (v.until <= at) deps.cache.delete(k);
    deps.cache?.set(trade.symbol, entry);
  }
  if (entry.ctx === null || entry.openSell) return false;
  const decision = decideOnTrade(entry.ctx, trade.price, at);
  if (decision?.action !== 'exit') return false;
  // our sell is about to exist: no second job for this position until the context is read again
  entry.openSell = true;
  const date = kstDateOf(at);
  const added = await deps.enqueueSignal(`s.exit.${date}.${trade.symbol}.t${Math.floor(at / TRADE_EXIT_SLOT_MS)}`, {
    kind: 'exit', strategy: null, symbol: trade.symbol, name: '', tradingDate: date, scanSnapshotIds: [], candidate: null, enqueuedAt: at,
  });
  deps.log.info({ symbol: trade.symbol, price: trade.price, rule: decision.rule, detail: decision.detail, added }, 'a real-time trade crossed an exit: exit job enqueued');
  return true;
}

const TRADE_EXIT_SLOT_MS = 5_000;
const TRADE_CONTEXT_MS = 1_000;
