import { describeError, epochMs, isBrokenInvariant, krw, kstDateOf, OPEN_STATUSES, RISK_KEYS, shares, stockCode, tradingDate } from './domain/index.js';
import type { AppError, Clock, EpochMs, Halt, Logger, MarketData, OrderIntent } from './domain/index.js';
import type { Config } from './config/index.js';
import type { KisClient } from './kis/index.js';
import { flattenAt } from './market/index.js';
import type { FeeRates, TradingCalendar } from './market/index.js';
import { cancelOwnEntries, runCancelStale, runReconcile, runSubmitOrder } from './orders/index.js';
import type { ReconcileSummary, SubmitResult } from './orders/index.js';
import type { OrderJob, Producers, SignalJob } from './queues/index.js';
import { runScan } from './scan/index.js';
import type { JobName } from './schedule.js';
import { runEvaluateEntry, runEvaluateExit } from './signals/index.js';
import type { EvaluateDeps } from './signals/index.js';
import type { Store } from './store/index.js';

/**
 * What each scheduled and queued job does, wired to the real adapters. Submitting orders and
 * reconciling share one mutex: they never interleave, so reconciliation never sees an order
 * half-way through its POST (and the order worker is the only process that holds it).
 */
export interface JobContext {
  config: Config;
  configHash: string;
  store: Store;
  kis: KisClient;
  producers: Producers;
  clock: Clock;
  calendar: () => TradingCalendar;
  fees: FeeRates;
  log: Logger;
  /** false while another process may hold the account (instance lock lost): no orders then */
  ownsAccount: () => boolean;
  hooks: { afterSubmitting?: () => void };
  /** before the pre-open reconcile (the holiday sync) */
  onPreOpen?: () => Promise<void>;
  /** where rankings come from: the trading client, or live read-only keys in paper mode */
  rankings: MarketData;
  /** a broken invariant reached the job boundary: the daemon must stop (docs/architecture.md §5) */
  onFatal: (err: AppError) => void;
}

const BACKFILL_MAX = 60;
const SKEW_MS = 60_000;

function createMutex(): <T>(fn: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(fn: () => Promise<T>): Promise<T> => {
    const run = tail.then(fn, fn);
    tail = run.catch(() => undefined);
    return run;
  };
}

export interface Jobs {
  runScheduled(job: JobName, at: EpochMs): Promise<void>;
  processSignal(job: SignalJob, jobId: string): Promise<void>;
  processOrder(job: OrderJob, jobId: string): Promise<void>;
  reconcile(reason: string): Promise<ReconcileSummary>;
  haltEntries(reason: string, details?: Record<string, unknown>): void;
  /** no more follow-up reconciles; resolves when the submit/reconcile in progress has finished */
  close(): Promise<void>;
}

export function createJobs(ctx: JobContext): Jobs {
  const { config, store, kis, producers, clock, log } = ctx;
  const serial = createMutex();
  let reconcileSoon: ReturnType<typeof setTimeout> | null = null;
  let closed = false;

  const evaluateDeps = (): EvaluateDeps => ({
    market: kis.market, broker: kis.broker, bars: store.bars, decisions: store.decisions, positions: store.positions,
    orders: store.orders, fills: store.fills, risk: store.risk, calendar: ctx.calendar(), clock, log: log.child({ job: 'signal' }),
    configHash: ctx.configHash,
    strategy: {
      lookbackDays: config.strategy.lookbackDays, minChangeBp: Math.round(config.strategy.minChangePct * 100),
      maxChangeBp: Math.round(config.strategy.maxChangePct * 100), minVolumeRatioPct: Math.round(config.strategy.minVolumeRatio * 100),
      requireAboveMa: config.strategy.requireAboveMa, takeProfitBp: Math.round(config.strategy.takeProfitPct * 100),
      stopLossBp: Math.round(config.strategy.stopLossPct * 100), maxHoldDays: config.strategy.maxHoldDays,
    },
    exitBeforeCloseMinutes: config.strategy.exitBeforeCloseMinutes,
    limits: {
      maxPositions: config.risk.maxPositions, maxOrdersPerDay: config.risk.maxOrdersPerDay,
      maxDailyLossBp: Math.round(config.risk.maxDailyLossPct * 100), cooldownMinutes: config.risk.reentryCooldownMinutes,
      maxOrderValue: krw(config.risk.maxOrderValue), minCashReserve: krw(config.risk.minCashReserve),
    },
    maxPositionBp: Math.round(config.risk.maxPositionPct * 100),
    commissionPpm: config.market.commissionPpm,
    entryType: config.orders.entryType, exitType: config.orders.exitType, limitOffsetTicks: config.orders.limitOffsetTicks,
  });

  // The job boundary: a broken invariant (STORE_INVARIANT, ORDER_INVALID_TRANSITION, SIM_INVARIANT)
  // stops the daemon instead of ending as one failed job (docs/architecture.md §5). Every entry
  // point below, and the follow-up reconciles, pass through here.
  const boundary = <T>(run: Promise<T>): Promise<T> => run.catch((err: unknown) => {
    if (isBrokenInvariant(err)) ctx.onFatal(err);
    throw err;
  });

  const reconcile = (reason: string): Promise<ReconcileSummary> => boundary(serial(async () => {
    const summary = await runReconcile({
      orders: store.orders, fills: store.fills, positions: store.positions, kv: store.risk, broker: kis.broker, clock,
      calendar: ctx.calendar(), fees: ctx.fees, log: log.child({ job: 'reconcile' }), graceMs: config.orders.unknownGraceSeconds * 1000,
      skewMs: SKEW_MS, transaction: (fn) => store.transaction(fn),
      market: kis.market, corporateActions: store.corporateActions, bars: store.bars,
    });
    const { account, ...counts } = summary;
    log.info({ job: 'reconcile', reason, ...counts, balance: { cash: account.cash, totalValue: account.totalValue, holdings: account.holdings.length } }, 'reconciled with the broker');
    await runCancelStale({
      orders: store.orders, broker: kis.broker, kv: store.risk, clock, calendar: ctx.calendar(), log,
      afterMs: config.orders.cancelUnfilledAfterMinutes * 60_000,
    });
    // Intents written but never sent (a crash between INSERT and 'submitting'): send them now if still fresh.
    for (const o of store.orders.withStatus(['pending'])) {
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
    }, config.orders.unknownGraceSeconds * 1000 + 1000);
  };

  function submitLocked(intent: OrderIntent, decidedAt: EpochMs | null = null): Promise<SubmitResult> {
    return runSubmitOrder({
      orders: store.orders, broker: kis.broker, clock, calendar: ctx.calendar(), log: log.child({ job: 'order' }),
      maxIntentAgeMs: config.orders.maxIntentAgeSeconds * 1000, requestReconcile: scheduleReconcile,
      ...(ctx.hooks.afterSubmitting ? { afterSubmitting: ctx.hooks.afterSubmitting } : {}),
      // An exit first takes the daemon's own entry in the symbol off (issue 8 §3), under this mutex.
      beforeSell: async (o) => {
        const deps = { orders: store.orders, broker: kis.broker, kv: store.risk, clock, log: log.child({ job: 'order' }) };
        await cancelOwnEntries(deps, o.symbol, o.intentKey);
      },
    }, intent, decidedAt);
  }

  const enqueueOrder = async (intent: OrderIntent): Promise<void> => {
    const added = await producers.orders.add(intent.intentKey, { ...intent, decidedAt: clock.now() });
    log.info({ intentKey: intent.intentKey, symbol: intent.symbol, side: intent.side, qty: intent.qty, price: intent.price, added }, 'order intent enqueued');
  };

  const haltEntries = (reason: string, details: Record<string, unknown> = {}): void => {
    const halt: Halt = { reason, details, at: clock.now() };
    store.risk.set(RISK_KEYS.halt, halt, clock.now());
    log.error({ reason, details }, 'new entries halted until `kis-trader resume`');
  };

  const scan = async (at: EpochMs): Promise<void> => {
    const held = store.positions.list().map((p) => p.symbol);
    const paperWatchlist = kis.env === 'paper' && (config.kis.paperRankingSource === 'watchlist' || ctx.rankings === kis.market);
    // Rankings through the ranking client; watch-list quotes through the trading one.
    const market: MarketData = { ...kis.market, ranking: (q, o) => ctx.rankings.ranking(q, o) };
    const result = await runScan({ market, scans: store.scans, clock, log: log.child({ job: 'scan' }) }, {
      source: paperWatchlist ? 'watchlist' : 'rankings', kinds: config.scan.rankings, marketCode: config.scan.marketCode,
      watchlist: config.kis.watchlist.map(stockCode), held,
      filter: {
        minPrice: krw(config.scan.minPrice), maxPrice: krw(config.scan.maxPrice), minTradedValue: krw(config.scan.minTradedValue),
        topN: config.scan.topN, exclude: config.scan.exclude.map(stockCode), excludeNamePatterns: [...config.scan.excludeNamePatterns],
        excludeKinds: { ...config.scan.excludeKinds },
      },
    });
    const date = kstDateOf(at);
    const slot = Math.floor(at / 60_000);
    for (const c of result.candidates) {
      await producers.signals.add(`s.entry.${date}.${c.symbol}.${slot}`, {
        kind: 'entry', symbol: c.symbol, name: c.name, tradingDate: date, scanSnapshotIds: result.snapshotIds,
        candidate: { ...c }, enqueuedAt: at,
      });
    }
    await enqueueExits(at);
  };

  const enqueueExits = async (at: EpochMs): Promise<void> => {
    const date = kstDateOf(at);
    const slot = Math.floor(at / 60_000);
    for (const p of store.positions.list()) {
      await producers.signals.add(`s.exit.${date}.${p.symbol}.${slot}`, {
        kind: 'exit', symbol: p.symbol, name: '', tradingDate: date, scanSnapshotIds: [], candidate: null, enqueuedAt: at,
      });
    }
  };

  /** Under the submit/reconcile mutex, like every other broker write (exit-prep.ts). */
  const cancelEntriesBeforeClose = (): Promise<void> => serial(async () => {
    if (!ctx.ownsAccount()) return;
    const symbols = new Set(store.orders.withStatus(['pending', 'accepted', 'partial'])
      .filter((o) => o.origin === 'daemon' && o.side === 'buy').map((o) => o.symbol));
    const deps = { orders: store.orders, broker: kis.broker, kv: store.risk, clock, log: log.child({ job: 'flatten' }) };
    for (const symbol of symbols) await cancelOwnEntries(deps, symbol, 'flatten-before-close');
  });

  const afterClose = async (at: EpochMs): Promise<void> => {
    const date = kstDateOf(at);
    const summary = await reconcile('after close');
    const fills = store.fills.forDate(date);
    const decisions = store.decisions.forDate(date);
    log.info({
      job: 'after-close', date, orders: store.orders.forDate(date).length, fills: fills.length,
      decisions: decisions.length, entriesDecided: decisions.filter((d) => d.outcome === 'order').length,
      commission: fills.reduce((s, f) => s + f.commission, 0), tax: fills.reduce((s, f) => s + f.tax, 0),
      positions: store.positions.list().map((p) => `${p.symbol}×${p.qty}`), equity: summary.account.totalValue,
    }, 'daily summary');
    // Today's bar is final now: refresh the cache for what was held or evaluated, so tomorrow's
    // first evaluations (and later backtests) start from complete bars without waiting on KIS.
    const symbols = [...new Set([...store.positions.list().map((p) => p.symbol), ...decisions.map((d) => d.symbol)])].slice(0, BACKFILL_MAX);
    let backfilled = 0;
    for (const symbol of symbols) {
      try {
        store.bars.upsert(await kis.market.dailyBars(symbol, 100, { lane: 'scan', end: date }), clock.now());
        backfilled++;
      } catch (err) {
        log.warn({ job: 'after-close', symbol, err: describeError(err) }, 'bar backfill failed');
      }
    }
    log.info({ job: 'after-close', backfilled, of: symbols.length }, 'daily bars backfilled');
    store.kv.set(`after-close.${date}`, true, clock.now());
  };

  const runScheduled = async (job: JobName, at: EpochMs): Promise<void> => {
      switch (job) {
        case 'pre-open':
          await kis.tokens.get('reconcile');
          await ctx.onPreOpen?.();
          await reconcile('pre-open');
          return;
        case 'scan': {
          // From the flatten time on no new entries: they would be sold again within the minute.
          const flatten = flattenAt(kstDateOf(at), ctx.calendar(), config.strategy.exitBeforeCloseMinutes);
          if (config.daemon.role === 'all' && (flatten === null || at < flatten)) await scan(at);
          return;
        }
        case 'exits':
          await enqueueExits(at);
          return;
        case 'flatten':
          // The flatten time has come: every position is evaluated now, and sold as 'flatten-before-close';
          // an entry of ours still working would only open a position after it, so it is cancelled.
          await enqueueExits(at);
          await cancelEntriesBeforeClose();
          return;
        case 'fills':
          if (store.orders.withStatus(OPEN_STATUSES.filter((st) => st !== 'pending')).length > 0) await reconcile('fill poll');
          return;
        case 'reconcile':
          await reconcile('periodic');
          return;
        case 'after-close':
          await afterClose(at);
          return;
      }
  };

  return {
    runScheduled: (job, at) => boundary(runScheduled(job, at)),
    processSignal: (job) => boundary((async () => {
      const deps = evaluateDeps();
      const symbol = stockCode(job.symbol);
      const result = job.kind === 'entry'
        ? await runEvaluateEntry(deps, { symbol, candidate: job.candidate, scanSnapshotIds: job.scanSnapshotIds })
        : await runEvaluateExit(deps, { symbol });
      if (result?.intent) await enqueueOrder(result.intent);
    })()),
    processOrder: (job) => boundary((async () => {
      if (!ctx.ownsAccount()) throw new Error('the instance lock is not held: not placing orders');
      const { decidedAt, ...rest } = job;
      const intent: OrderIntent = { ...rest, symbol: stockCode(job.symbol), qty: shares(job.qty), price: krw(job.price), tradingDate: tradingDate(job.tradingDate) };
      await serial(() => submitLocked(intent, decidedAt === null || decidedAt === undefined ? null : epochMs(decidedAt)));
    })()),
    reconcile,
    haltEntries,
    async close() {
      closed = true;
      if (reconcileSoon) clearTimeout(reconcileSoon);
      await serial(() => Promise.resolve());
    },
  };
}
