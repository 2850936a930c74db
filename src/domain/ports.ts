import type { Krw, Shares } from './money.js';
import type { EpochMs, TradingDate } from './time.js';
import type {
  AccountSnapshot, BuyingPower, CalendarDay, CancelRequest, DailyBar, Lane, OrderAck, OrderBook,
  OrderRequest, OrderType, Quote, RankingExclusions, RankingKind, RankingSnapshot, StockCode, VenueOrder,
} from './types.js';

/**
 * Ports: what the core needs from the outside world. kis/ implements MarketData and Broker over
 * HTTP; redis/ implements RateBudget and DistributedLock; store/ implements TokenStore and the
 * repositories. Every method that talks to KIS takes the lane of the rate budget it spends.
 */
export interface CallOptions {
  lane?: Lane;
  /** gives up the call, waiting or not (a stopping daemon's scan): it rejects with the abort reason */
  signal?: AbortSignal;
}

export interface RankingQuery {
  kind: RankingKind;
  /** '0000' all, '0001' KOSPI, '1001' KOSDAQ */
  market?: string;
  minPrice?: Krw;
  maxPrice?: Krw;
  minVolume?: Shares;
  /** kinds of securities to leave out where the ranking can (volume only, docs/kis-wire.md §6.5); absent = none */
  exclude?: RankingExclusions;
}

export interface MarketData {
  quote(symbol: StockCode, opts?: CallOptions): Promise<Quote>;
  orderBook(symbol: StockCode, opts?: CallOptions): Promise<OrderBook>;
  /** the newest `count` daily bars ending at `end` (default today), oldest first */
  dailyBars(symbol: StockCode, count: number, opts?: CallOptions & { end?: TradingDate }): Promise<DailyBar[]>;
  ranking(query: RankingQuery, opts?: CallOptions): Promise<RankingSnapshot>;
  /** market open/closed for consecutive days starting at `from` (live only on KIS) */
  holidays(from: TradingDate, opts?: CallOptions): Promise<CalendarDay[]>;
}

export interface Broker {
  balance(opts?: CallOptions): Promise<AccountSnapshot>;
  buyingPower(symbol: StockCode, type: OrderType, price: Krw, opts?: CallOptions): Promise<BuyingPower>;
  /**
   * Sends one order. Resolves with the venue's ack, or throws an AppError whose
   * details.outcome is 'rejected' (not placed) or 'unknown' (may or may not have been placed);
   * a rejection with details.retryable true was transient (a gateway refusal, never sent) and
   * may pass under a new attempt. Never retried inside.
   */
  placeOrder(req: OrderRequest): Promise<OrderAck>;
  /** as placeOrder; a refusal because nothing is left to cancel carries details.nothingToCancel */
  cancelOrder(req: CancelRequest): Promise<OrderAck>;
  /** every order of `date` with its fill totals, oldest first */
  dailyOrders(date: TradingDate, opts?: CallOptions): Promise<VenueOrder[]>;
}

/** The KIS call budget of one app key, shared by every process (docs/architecture.md §2 rule 2). */
export interface RateBudget {
  /** waits until one call may go out in `lane`; resolves with the time waited in ms */
  acquire(lane: Lane, signal?: AbortSignal): Promise<number>;
  /** the venue said EGW00201: slow down */
  penalize(): Promise<void>;
  /** current permitted rate (calls per second), after adaptive slow-down */
  currentRate(): Promise<number>;
}

export interface DistributedLock {
  /** runs `fn` while holding `name` across processes; waits up to `waitMs` for it */
  withLock<T>(name: string, ttlMs: number, waitMs: number, fn: () => Promise<T>): Promise<T>;
}

export interface StoredToken {
  token: string;
  expiresAt: EpochMs;
  issuedAt: EpochMs;
}

/** Where the access token survives restarts (SQLite), keyed by environment + app key id. */
export interface TokenStore {
  load(key: string): StoredToken | null;
  save(key: string, token: StoredToken): void;
  clear(key: string): void;
  /** when the last issuance was attempted, to keep to KIS's one-per-minute rule across restarts */
  lastIssueAttempt(key: string): EpochMs | null;
  /** null forgets the attempt: one that never reached KIS does not start the cooldown */
  recordIssueAttempt(key: string, at: EpochMs | null): void;
  /**
   * A store shared beyond this process (Redis, runtime/token-mirror.ts): brings the shared row of
   * `key` in, so load() sees a token another machine issued. Never rejects: a shared row that cannot
   * be read is no token. Absent when nothing is shared.
   */
  pull?(key: string): Promise<void>;
  /** resolves once this process's writes reached the shared row (before the token lock is let go) */
  flush?(): Promise<void>;
}

/** A job queue seen from the producer: `add` is idempotent by jobId and says whether it added. */
export interface JobQueue<T> {
  add(jobId: string, payload: T): Promise<boolean>;
}

/**
 * Every alert-worthy event of the daemon goes through this one port: start, ready and stop, entries
 * halted or resumed, the daily loss breaker, fills, rejections, an order whose outcome is unknown, a
 * reconcile anomaly, the account lock or Redis lost and back, a token that cannot be had, the
 * WebSocket lost and back, the daily summary, and the watchdog's silence alarm. The log is the
 * first channel (runtime/notifier.ts); Telegram and a webhook follow it (runtime/alerts.ts,
 * docs/operations.md "Alerts").
 */
export const NOTICE_KINDS = [
  'start', 'ready', 'stop', 'halt', 'resume', 'daily-loss', 'fill', 'reject', 'unknown-outcome', 'reconcile-anomaly',
  'lost-lock', 'redis-lost', 'redis-back', 'token-failure', 'ws-lost', 'ws-back', 'daily-summary', 'silence',
] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];

export interface Notice {
  kind: NoticeKind;
  /** one line a person reads */
  message: string;
  details: Record<string, unknown>;
}

export interface Notifier {
  notify(notice: Notice): void;
}

/**
 * What the KIS client reports for the metrics (runtime/metrics.ts): each HTTP exchange with its
 * endpoint, lane and result ('ok', the KIS msg_cd such as EGW00201, or the error code), each token
 * issued, each time no token could be had. Absent: nothing is counted.
 */
export interface KisTelemetry {
  call(endpoint: string, lane: Lane, result: string): void;
  tokenIssued(): void;
  tokenFailed(reason: string): void;
}
