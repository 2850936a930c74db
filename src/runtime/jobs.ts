import { resolve } from 'node:path';
import { isBrokenInvariant, krw, kstDateOf, measuredMarket, RISK_KEYS, stockCode } from '../domain/index.js';
import type { Clock, EpochMs, Halt, JobSettings, Logger, MarketData, Notifier, OrderIntent, ReadWindow, TradingDate, AppError } from '../domain/index.js';
import { jobSettings } from '../config/index.js';
import type { Config } from '../config/index.js';
import {
  createDecidedIntents,
  bookOf, createOrderDesk, noticeReconciler, pruneRecordedMarkers, recordedKey, runAfterClose, runEnqueueExits, runFillsPoll, runFlatten, runOrderJob,
  runRecordDecision, runScanJob, runSignalJob, runTradeExit,
} from '../jobs/index.js';
import type { EnqueueSignal } from '../jobs/index.js';
import type { KisClient } from '../kis/index.js';
import type { FeeRates, TradingCalendar } from '../market/index.js';
import type { ReconcileSummary } from '../orders/index.js';
import type { StrategyInstance } from '../signals/index.js';
import type { DecisionJob, OrderJob, Producers, SignalJob } from '../queues/index.js';
import type { JobName } from '../schedule.js';
import { evaluationHash } from './evaluation-hash.js';
import { keepDailyBackup, storageFailure } from '../store/index.js';
import type { Store } from '../store/index.js';

/**
 * The jobs of src/jobs/ wired to the real adapters, the queues and the schedule: each entry point
 * passes through one job boundary, where a broken invariant stops the daemon.
 */
export interface JobContext {
  /**
   * The config in force, its hash and its strategies (runtime/live-config.ts), read at the start of
   * each job: a reload applies from the next job on, and a job in progress finishes on the config it
   * started with.
   */
  current: () => { config: Config; hash: string; strategies: readonly StrategyInstance[] };
  /** the installation: relative paths in the config (store.backups.dir) resolve against it, as store.path does */
  root: string;
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
  /** halts, fills, rejections, unknown outcomes, reconcile anomalies */
  notifier: Notifier;
  /** the in-flight window of the scan's reads; its size also sets an "auto" signal concurrency */
  reads: ReadWindow;
}

export interface Jobs {
  /** `signal` aborts when the daemon stops: a scan or an exits run then gives up (jobs/scan.ts) */
  runScheduled(job: JobName, at: EpochMs, signal?: AbortSignal): Promise<void>;
  processSignal(job: SignalJob, jobId: string): Promise<void>;
  processOrder(job: OrderJob, jobId: string): Promise<void>;
  /** records what a `workers` process decided (jobs/record-decision.ts) */
  processDecision(job: DecisionJob, jobId: string): Promise<void>;
  reconcile(reason: string): Promise<ReconcileSummary>;
  /** a fill notice or a WebSocket reconnect: reconcile now, folded with one already running (jobs/fills.ts) */
  reconcileSoon(reason: string): Promise<void>;
  /** a real-time trade: exits of a held symbol evaluated on its price (jobs/exits.ts runTradeExit) */
  trade(symbol: string, price: number): Promise<boolean>;
  haltEntries(reason: string, details?: Record<string, unknown>): void;
  /** no more follow-up reconciles; resolves when the submit/reconcile in progress has finished */
  close(): Promise<void>;
}

export function createJobs(ctx: JobContext): Jobs {
  const { store, kis, producers, clock, log } = ctx;
  // Derived once per config hash, not once per job.
  let memo: { hash: string; settings: JobSettings; evaluationHash: string } | null = null;
  const inForce = (): { hash: string; settings: JobSettings; evaluationHash: string; strategies: readonly StrategyInstance[] } => {
    const { config, hash, strategies } = ctx.current();
    if (memo?.hash !== hash) memo = { hash, settings: jobSettings(config), evaluationHash: evaluationHash(config) };
    return { ...memo, strategies };
  };

  // The job boundary: a broken invariant (STORE_INVARIANT, ORDER_INVALID_TRANSITION, SIM_INVARIANT)
  // stops the daemon instead of ending as one failed job (docs/architecture.md §5). Every entry
  // point below, and the follow-up reconciles, pass through here.
  // A full or read-only disk stops it too: what cannot be recorded must not be sent.
  const boundary = <T>(run: Promise<T>): Promise<T> => run.catch((err: unknown) => {
    if (isBrokenInvariant(err)) ctx.onFatal(err);
    const disk = storageFailure(err, store.path);
    if (disk) ctx.onFatal(disk);
    throw err;
  });

  const desk = createOrderDesk({
    orders: store.orders, fills: store.fills, positions: store.positions, risk: store.risk,
    corporateActions: store.corporateActions, bars: store.bars, transaction: (fn) => store.transaction(fn),
    broker: kis.broker, market: kis.market, clock, calendar: ctx.calendar, fees: ctx.fees, log,
    settings: () => inForce().settings.orders, hooks: ctx.hooks, notifier: ctx.notifier,
  }, boundary);

  // Each job carries the book its evaluation reads, so a `workers` process can take it (jobs/signal-book.ts).
  const enqueueSignal: EnqueueSignal = (id, request) => {
    const now = clock.now();
    const book = bookOf(store, stockCode(request.symbol), kstDateOf(now), now);
    const { hash, evaluationHash: evaluation } = inForce();
    return producers.signals.add(id, { ...request, book, configHash: hash, evaluationHash: evaluation });
  };
  const enqueueOrder = async (intent: OrderIntent, decidedAt: number = clock.now()): Promise<void> => {
    const added = await producers.orders.add(intent.intentKey, { ...intent, decidedAt });
    log.info({ intentKey: intent.intentKey, symbol: intent.symbol, side: intent.side, qty: intent.qty, price: intent.price, added }, 'order intent enqueued');
  };

  const reconcileSoon = noticeReconciler((reason) => desk.reconcile(reason), log);
  const tradeContexts: NonNullable<Parameters<typeof runTradeExit>[0]['cache']> = new Map();

  const decided = createDecidedIntents(clock);

  const haltEntries = (reason: string, details: Record<string, unknown> = {}): void => {
    const halt: Halt = { reason, details, at: clock.now() };
    store.risk.set(RISK_KEYS.halt, halt, clock.now());
    ctx.notifier.notify({ kind: 'halt', message: 'new entries halted until `kis-trader resume`', details: { reason, details } });
  };

  const signalMarket = measuredMarket(kis.market, ctx.reads);

  const scanDeps = (settings: JobSettings) => ({
    market: kis.market, rankings: ctx.rankings, paper: kis.env === 'paper', scans: store.scans, positions: store.positions,
    calendar: ctx.calendar, clock, log, reads: ctx.reads, settings: settings.scan, strategies: inForce().strategies, enqueueSignal,
  });

  const runScheduled = async (job: JobName, at: EpochMs, signal?: AbortSignal): Promise<void> => {
    const { settings } = inForce();
    switch (job) {
      case 'pre-open':
        await kis.tokens.get('reconcile');
        await ctx.onPreOpen?.();
        await desk.reconcile('pre-open');
        return;
      case 'scan':
        await runScanJob(scanDeps(settings), { at, ...(signal ? { signal } : {}) });
        return;
      case 'exits':
        await runEnqueueExits(scanDeps(settings), { at, ...(signal ? { signal } : {}) });
        return;
      case 'flatten':
        await runFlatten({
          positions: store.positions, orders: store.orders, broker: kis.broker, risk: store.risk, clock, log, desk,
          ownsAccount: ctx.ownsAccount, enqueueSignal,
        }, { at });
        return;
      case 'fills':
        await runFillsPoll({ orders: store.orders, desk });
        return;
      case 'reconcile':
        await desk.reconcile('periodic');
        return;
      case 'after-close': {
        const { config, hash } = ctx.current();
        const { backups } = config.store;
        const backup = (date: TradingDate) => keepDailyBackup(store.db, {
          dir: resolve(ctx.root, backups.dir), mode: config.mode, date, keepDays: backups.keepDays,
        });
        await runAfterClose({
          orders: store.orders, fills: store.fills, positions: store.positions, dailySummaries: store.dailySummaries,
          decisions: store.decisions, bars: store.bars, kv: store.kv, market: kis.market, clock, log, desk, configHash: hash, notifier: ctx.notifier,
          ...(backups.enabled ? { backup } : {}),
        }, { at });
        pruneRecordedMarkers(store.kv, clock.now());
        return;
      }
    }
  };

  return {
    runScheduled: (job, at, signal) => boundary(runScheduled(job, at, signal)),
    processSignal: (job, jobId) => boundary(processSignal(job, jobId)),
    processDecision: (job) => boundary(runRecordDecision({
      decisions: store.decisions, positions: store.positions, orders: store.orders, risk: store.risk, kv: store.kv, transaction: (fn) => store.transaction(fn), clock, log,
      enqueueOrder: (intent, decidedAt) => enqueueOrder(intent, decidedAt),
      evaluateHere: () => (job.outcome === 'deferred' ? processSignal(job.signal, job.signalJobId, { handedBack: true }) : Promise.resolve()),
    }, job).then(() => undefined)),
    processOrder: (job) => boundary(runOrderJob({ desk, ownsAccount: ctx.ownsAccount }, job).then(() => undefined)),
    reconcile: (reason) => desk.reconcile(reason),
    reconcileSoon,
    trade: (symbol, price) => boundary(runTradeExit({
      positions: store.positions, orders: store.orders, fills: store.fills, risk: store.risk, bars: store.bars, calendar: ctx.calendar(),
      strategies: inForce().strategies, clock, log, enqueueSignal, cache: tradeContexts,
    }, { symbol: stockCode(symbol), price: krw(price) })),
    haltEntries,
    close: () => desk.close(),
  };

  async function processSignal(job: SignalJob, jobId: string, opts: { handedBack?: boolean } = {}): Promise<void> {
    // A `workers` process evaluated it already and died before BullMQ heard (a stalled job run again
    // here): its result is recorded, or on the way.
    if (store.kv.get<number>(recordedKey(jobId)) !== null) return;
    if (!opts.handedBack && await producers.resultSent(jobId)) {
      log.info({ signalJobId: jobId }, 'signal job already evaluated by a workers process: not evaluated again');
      return;
    }
    const { hash, settings, strategies } = inForce();
    // Who evaluated, beside the decisions `workers` processes send (record-decision.ts).
    const decisions = { insert: (d: Parameters<Store['decisions']['insert']>[0]) => store.decisions.insert({ ...d, inputs: { ...d.inputs, evaluatedBy: 'owner', signalJobId: jobId } }) };
    await runSignalJob({
      // the evaluations' read latency feeds the window an "auto" signal concurrency follows
      market: signalMarket, broker: kis.broker, bars: store.bars, decisions, positions: store.positions,
      // the caps see the buys decided here whose intent rows are still to come (jobs/decided-intents.ts)
      orders: decided.view(store.orders), fills: store.fills, risk: store.risk, calendar: ctx.calendar, clock, log,
      configHash: hash, settings: settings.signals, strategies,
      enqueueOrder: (intent) => {
        decided.note(intent);
        return enqueueOrder(intent);
      },
    }, job);
  }
}
