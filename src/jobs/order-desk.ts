import { describeError, RISK_KEYS } from '../domain/index.js';
import type {
  Broker, Clock, EpochMs, FillRepo, Halt, KeyValueRepo, Logger, MarketData, OrderIntent,
  Notifier, OrderRepo, OrderSettings, PositionRepo,
} from '../domain/index.js';
import type { FeeRates, TradingCalendar } from '../market/index.js';
import { cancelOwnEntries, runCancelStale, runReconcile, runSubmitOrder } from '../orders/index.js';
import type { ReconcileDeps, ReconcileSummary, SubmitResult } from '../orders/index.js';

/**
 * Order submission and reconciliation, and the mutex they share: they never interleave, so
 * reconciliation never sees an order half-way through its POST (and the order worker is the only
 * process that holds it). Every broker write of the daemon (submit, cancel before an exit, the
 * flatten's cancels) runs under it.
 */
export interface OrderDeskDeps {
  orders: OrderRepo;
  fills: FillRepo;
  positions: PositionRepo;
  /** the risk key-value table: cancel records, halts */
  risk: KeyValueRepo;
  corporateActions: NonNullable<ReconcileDeps['corporateActions']>;
  bars: NonNullable<ReconcileDeps['bars']>;
  transaction: <T>(fn: () => T) => T;
  broker: Broker;
  market: MarketData;
  clock: Clock;
  calendar: () => TradingCalendar;
  fees: FeeRates;
  log: Logger;
  /** read at the start of each reconcile and submit: a config reload applies to the next one */
  settings: () => OrderSettings;
  hooks?: { afterSubmitting?: () => void };
  /** fills, rejections, unknown outcomes and reconcile anomalies are told here */
  notifier?: Notifier;
}

export interface OrderDesk {
  /** reconcile with the broker, cancel stale orders, send fresh intents left pending; under the mutex */
  reconcile(reason: string): Promise<ReconcileSummary>;
  /** now, and once more after the grace window; failures are reported to `onError` */
  scheduleReconcile(reason: string): void;
  /** one intent, under the mutex */
  submit(intent: OrderIntent, decidedAt: EpochMs | null): Promise<SubmitResult>;
  /** any broker write that must not interleave with a submit or a reconcile */
  serial<T>(fn: () => Promise<T>): Promise<T>;
  /** no more follow-up reconciles; resolves when the submit/reconcile in progress has finished */
  close(): Promise<void>;
}

const SKEW_MS = 60_000;

function createMutex(): <T>(fn: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(fn: () => Promise<T>): Promise<T> => {
    const run = tail.then(fn, fn);
    tail = run.catch(() => undefined);
    return run;
  };
}

/**
 * `guard` is the job boundary (runtime/jobs.ts): the follow-up reconciles started here run
 * outside any job, so they pass through it too.
 */
export function createOrderDesk(deps: OrderDeskDeps, guard: <T>(run: Promise<T>) => Promise<T> = (r) => r): OrderDesk {
  const { orders, broker, clock, log } = deps;
  const serial = createMutex();
  let reconcileSoon: ReturnType<typeof setTimeout> | null = null;
  let closed = false;

  const reconcile = (reason: string): Promise<ReconcileSummary> => guard(serial(async () => {
    const settings = deps.settings();
    const summary = await runReconcile({
      orders, fills: deps.fills, positions: deps.positions, kv: deps.risk, broker, clock,
      calendar: deps.calendar(), fees: deps.fees, log: log.child({ job: 'reconcile' }), graceMs: settings.unknownGraceMs,
      skewMs: SKEW_MS, transaction: deps.transaction,
      market: deps.market, corporateActions: deps.corporateActions, bars: deps.bars,
    });
    const { account, ...counts } = summary;
    log.info({ job: 'reconcile', reason, ...counts, balance: { cash: account.cash, totalValue: account.totalValue, holdings: account.holdings.length } }, 'reconciled with the broker');
    if (summary.fills > 0) deps.notifier?.notify({ kind: 'fill', message: `${summary.fills} fill(s) recorded`, details: { fills: summary.fills, reason } });
    if (summary.anomalies.length > 0) {
      deps.notifier?.notify({ kind: 'reconcile-anomaly', message: 'reconcile found what it cannot explain', details: { anomalies: summary.anomalies, reason } });
    }
    await runCancelStale({
      orders, broker, kv: deps.risk, clock, calendar: deps.calendar(), log, afterMs: settings.cancelUnfilledAfterMs,
    });
    // Intents written but never sent (a crash between INSERT and 'submitting'): send them now if still fresh.
    for (const o of orders.withStatus(['pending'])) {
      if (o.origin === 'daemon') await submitLocked(o);
    }
    return summary;
  }));

  const scheduleReconcile = (reason: string): void => {
    if (closed) return;
    void reconcile(reason).catch((err: unknown) => log.error({ err: describeError(err) }, 'reconcile failed'));
    // and once more after the grace window, when an order still unseen can be declared failed
    if (reconcileSoon) clearTimeout(reconcileSoon);
    reconcileSoon = setTimeout(() => {
      reconcileSoon = null;
      void reconcile(`${reason} (after grace)`).catch((err: unknown) => log.error({ err: describeError(err) }, 'reconcile failed'));
    }, deps.settings().unknownGraceMs + 1000);
  };

  async function submitLocked(intent: OrderIntent, decidedAt: EpochMs | null = null): Promise<SubmitResult> {
    const result = await runSubmitOrder({
      orders, positions: deps.positions, broker, clock, calendar: deps.calendar(), log: log.child({ job: 'order' }),
      maxIntentAgeMs: deps.settings().maxIntentAgeMs, requestReconcile: scheduleReconcile,
      ...(deps.hooks?.afterSubmitting ? { afterSubmitting: deps.hooks.afterSubmitting } : {}),
      // An exit first takes the daemon's own entry in the symbol off (issue 8 §3), under this mutex.
      beforeSell: async (o) => {
        await cancelOwnEntries({ orders, broker, kv: deps.risk, clock, log: log.child({ job: 'order' }) }, o.symbol, o.intentKey);
      },
    }, intent, decidedAt);
    const o = result.order;
    const details = { intentKey: o.intentKey, symbol: o.symbol, side: o.side, qty: o.qty };
    if (result.outcome === 'rejected') {
      deps.notifier?.notify({ kind: 'reject', message: `order ${o.intentKey} rejected: ${o.rejectMessage ?? o.rejectCode ?? ''}`, details: { ...details, code: o.rejectCode } });
      // KIS says the market takes no orders while the calendar says it does: the calendar or the
      // clock is wrong, so no new entries until a person has looked (`kis-trader resume`); exits
      // are still tried.
      if (result.marketClosed && deps.risk.get<Halt>(RISK_KEYS.halt) === null) {
        const reason = `KIS refused an order as the market being closed (${o.rejectCode ?? ''}) while the calendar says it is open`;
        deps.risk.set(RISK_KEYS.halt, { reason, details: { ...details, code: o.rejectCode }, at: clock.now() } satisfies Halt, clock.now());
        log.error({ ...details, code: o.rejectCode }, `${reason}: new entries halted until \`kis-trader resume\``);
        deps.notifier?.notify({ kind: 'halt', message: 'new entries halted until `kis-trader resume`', details: { reason } });
      }
    } else if (result.outcome === 'unknown') {
      deps.notifier?.notify({ kind: 'unknown-outcome', message: `order ${o.intentKey}: outcome unknown, reconciling, never re-sending`, details });
    }
    return result;
  }

  return {
    reconcile,
    scheduleReconcile,
    submit: (intent, decidedAt) => serial(() => submitLocked(intent, decidedAt)),
    serial,
    async close() {
      closed = true;
      if (reconcileSoon) clearTimeout(reconcileSoon);
      await serial(() => Promise.resolve());
    },
  };
}
