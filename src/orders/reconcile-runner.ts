import { describeError, isAppError, krw, RISK_KEYS } from '../domain/index.js';
import type {
  AccountSnapshot, Broker, Clock, FillRecord, Halt, FillRepo, KeyValueRepo, Krw, Logger, OrderRecord, OrderRepo,
  PositionRepo, StockCode, TradingDate,
} from '../domain/index.js';
import { kstDateOf, OPEN_STATUSES } from '../domain/index.js';
import { commissionFor, securityOfCode, sessionBounds, settlementDate, tradeCosts } from '../market/index.js';
import type { FeeRates, Security, TradingCalendar } from '../market/index.js';
import { recordCorporateActions } from './corporate-action-runner.js';
import type { CorporateActionDeps } from './corporate-action-runner.js';
import { reconcileHoldings } from './holdings.js';
import { reconcileOrders } from './reconcile.js';
import type { ReconcileEvent } from './reconcile.js';

/**
 * Applies the reconciliation policy (see reconcile.ts) against the live broker: today's orders
 * and fills, plus any earlier day that still has an open order of ours; then holdings.
 * Anything it cannot explain halts new entries (never exits) until an operator resumes.
 */
export interface ReconcileDeps {
  orders: OrderRepo;
  fills: FillRepo;
  positions: PositionRepo;
  /** where halts and account snapshots live (store.risk) */
  kv: KeyValueRepo;
  broker: Broker;
  clock: Clock;
  calendar: TradingCalendar;
  fees: FeeRates;
  log: Logger;
  graceMs: number;
  skewMs: number;
  transaction: <T>(fn: () => T) => T;
  /**
   * Listing market and product type of a symbol, for the sell tax (ETF/ETN exempt, KONEX 0.10 %,
   * docs/kis-wire.md §11.6). jobs/order-desk.ts passes none yet: the daemon keeps no per-symbol product data
   * (inquire-price's rprs_mrkt_kor_name or the ranking's product flags would be the source), so
   * without it the code decides (securityOfCode: 'Q…' is an ETN) and anything else is taxed as a
   * KOSPI stock (DEFAULT_SECURITY).
   */
  securityOf?: (symbol: StockCode) => Security;
  /** splits and bonus issues (corporate-action-runner.ts): detected only when both are given */
  market?: CorporateActionDeps['market'];
  corporateActions?: CorporateActionDeps['corporateActions'];
  /** the daily-bar cache, dropped for a symbol whose split was recorded */
  bars?: CorporateActionDeps['bars'];
}

export interface ReconcileSummary {
  dates: TradingDate[];
  linked: number;
  fills: number;
  statusChanges: number;
  failed: number;
  adopted: number;
  anomalies: string[];
  account: AccountSnapshot;
  /** splits and bonus issues recorded by this reconcile */
  corporateActions?: number;
}


function sessionOver(deps: ReconcileDeps, date: TradingDate): boolean {
  const now = deps.clock.now();
  if (date < kstDateOf(now)) return true;
  if (!deps.calendar.isTradingDay(date)) return true;
  return now >= sessionBounds(date, deps.calendar).close;
}

/**
 * Commission and tax of one fill. The tax row is picked by the settlement date, T+2 trading days
 * on the calendar (docs/kis-wire.md §11.5–§11.6), not the trade date. When the calendar or the tax table
 * cannot price a sell (a table that starts later, a year the calendar does not cover), the fill
 * is still recorded — positions and stop-losses depend on it — with tax 0 and the reason in
 * `problem`, which the caller turns into an anomaly: never a silent guess, never a lost fill.
 */
function fillCosts(deps: ReconcileDeps, o: OrderRecord, value: Krw, date: TradingDate): { commission: Krw; tax: Krw; problem: string | null } {
  if (o.side === 'buy') return { ...tradeCosts({ side: 'buy', amount: value, settleDate: date }, deps.fees), problem: null };
  const security = deps.securityOf?.(o.symbol) ?? securityOfCode(o.symbol);
  try {
    const settleDate = settlementDate(date, deps.calendar);
    return { ...tradeCosts({ side: 'sell', amount: value, security, settleDate }, deps.fees), problem: null };
  } catch (err) {
    if (!isAppError(err, 'MARKET_TAX_RATE_UNKNOWN') && !isAppError(err, 'MARKET_CALENDAR_OUT_OF_RANGE')) throw err;
    return { commission: commissionFor(value, deps.fees), tax: krw(0), problem: describeError(err) };
  }
}

function apply(deps: ReconcileDeps, date: TradingDate, events: ReconcileEvent[], local: readonly OrderRecord[], s: ReconcileSummary): void {
  const now = deps.clock.now();
  const byId = new Map(local.map((o) => [o.id, o]));
  for (const e of events) {
    switch (e.kind) {
      case 'link':
        if (deps.orders.transition(e.orderId, e.from, e.to, { venueOrderId: e.venueOrderId, branch: e.branch }, 'reconcile-found', { venueOrderId: e.venueOrderId }, now)) s.linked++;
        break;
      case 'fill': {
        const o = byId.get(e.orderId);
        if (!o) break;
        const costs = fillCosts(deps, o, e.fill.value, date);
        const r = deps.fills.record({
          fillKey: e.fill.fillKey, orderId: o.id, symbol: o.symbol, side: o.side, qty: e.fill.qty, price: e.fill.price,
          value: e.fill.value, commission: costs.commission, tax: costs.tax, tradingDate: date, at: e.fill.at,
        });
        if (r.inserted) {
          s.fills++;
          deps.log.info({ intentKey: o.intentKey, symbol: o.symbol, side: o.side, qty: e.fill.qty, price: e.fill.price, origin: o.origin }, 'fill recorded');
          if (costs.problem !== null) {
            s.anomalies.push(`sell tax of order ${o.id} (${o.symbol}) is unknown, recorded as 0: ${costs.problem}`);
            deps.log.error({ orderId: o.id, symbol: o.symbol, problem: costs.problem }, 'fill recorded with tax 0: fix market.taxTable or the calendar');
          }
        }
        break;
      }
      case 'status':
        if (deps.orders.transition(e.orderId, e.from, e.to, {}, 'reconcile', { reason: e.reason }, now)) s.statusChanges++;
        break;
      case 'absent':
        // The reason stays on the row, where `kis-trader orders` shows it (the decision's reason would mislead).
        if (deps.orders.transition(e.orderId, e.from, 'failed', {
          rejectCode: 'ABSENT', rejectMessage: `not at the broker ${Math.round(e.waitedMs / 1000)} s after it was sent: never placed`,
        }, 'reconcile-absent', { waitedMs: e.waitedMs }, now)) {
          s.failed++;
          deps.log.warn({ orderId: e.orderId, waitedMs: e.waitedMs }, 'unresolved order not at the broker after the grace window: failed, never sent again');
        }
        break;
      case 'adopt': {
        const v = e.venue;
        deps.orders.insertExternal({
          venueOrderId: v.venueOrderId, branch: v.branch, symbol: v.symbol, side: v.side, type: v.type, qty: v.qty,
          price: v.price, tradingDate: date, status: 'accepted',
        }, now);
        s.adopted++;
        deps.log.warn({ venueOrderId: v.venueOrderId, symbol: v.symbol, side: v.side, qty: v.qty }, 'adopted an order placed outside the daemon (external: never cancelled)');
        break;
      }
      case 'anomaly':
        s.anomalies.push(`${e.reason} ${JSON.stringify(e.details)}`);
        break;
    }
  }
}

function recordedValues(fills: readonly FillRecord[]): Map<number, Krw> {
  const m = new Map<number, Krw>();
  for (const f of fills) m.set(f.orderId, krw((m.get(f.orderId) ?? 0) + f.value));
  return m;
}

export async function runReconcile(deps: ReconcileDeps): Promise<ReconcileSummary> {
  const today = kstDateOf(deps.clock.now());
  const openDates = deps.orders.withStatus(OPEN_STATUSES.filter((st) => st !== 'pending')).map((o) => o.tradingDate);
  const dates = [...new Set([today, ...openDates])].sort();
  const summary: ReconcileSummary = { dates, linked: 0, fills: 0, statusChanges: 0, failed: 0, adopted: 0, anomalies: [], account: null as unknown as AccountSnapshot };

  for (const date of dates) {
    const venue = await deps.broker.dailyOrders(date, { lane: 'reconcile' });
    // Two passes at most: the second records the fills of orders adopted in the first.
    for (let pass = 0; pass < 2; pass++) {
      const local = deps.orders.forDate(date);
      const events = reconcileOrders({
        date, now: deps.clock.now(), graceMs: deps.graceMs, skewMs: deps.skewMs, sessionOver: sessionOver(deps, date),
        local, recordedValue: recordedValues(deps.fills.forDate(date)), venue,
      });
      deps.transaction(() => apply(deps, date, events, local, summary));
      if (!events.some((e) => e.kind === 'adopt')) break;
    }
  }

  const account = await deps.broker.balance({ lane: 'reconcile' });
  summary.account = account;
  const open = new Set(deps.orders.withStatus(OPEN_STATUSES).map((o) => o.symbol));
  // before the holdings check, so a proven split adjusts the position instead of halting entries
  summary.corporateActions = (await recordCorporateActions(deps, account, open)).length;
  const holdings = reconcileHoldings({ daemon: deps.positions.list(), broker: account.holdings, openOrderSymbols: open });
  for (const a of holdings.anomalies) {
    summary.anomalies.push(`broker holds ${a.brokerQty} of ${a.symbol} but the daemon's fills say ${a.daemonQty}`);
  }

  const now = deps.clock.now();
  deps.kv.set(RISK_KEYS.account, account, now);
  if (deps.calendar.isTradingDay(today) && deps.kv.get(RISK_KEYS.dayStartEquity(today)) === null) {
    deps.kv.set(RISK_KEYS.dayStartEquity(today), account.totalValue, now);
  }
  if (summary.anomalies.length > 0) {
    const halt: Halt = { reason: 'reconciliation found what it cannot explain', details: { anomalies: summary.anomalies }, at: now };
    deps.kv.set(RISK_KEYS.halt, halt, now);
    deps.log.error({ anomalies: summary.anomalies }, 'reconciliation mismatch: new entries halted until `kis-trader resume`');
  }
  return summary;
}
