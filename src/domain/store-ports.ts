import type { Krw, Shares } from './money.js';
import type { FillRecord, OrderIntent, OrderRecord, OrderStatus, Position } from './order.js';
import type { EpochMs, TradingDate } from './time.js';
import type { DailyBar, OrderType, RankingSnapshot, Side, StockCode } from './types.js';

/**
 * The trade log as the core sees it. store/ implements these over SQLite; the job runners in
 * scan/, signals/ and orders/ receive them as parameters.
 */
export interface OrderPatch {
  venueOrderId?: string;
  branch?: string;
  filledQty?: Shares;
  qty?: Shares;
  rejectCode?: string;
  rejectMessage?: string;
  submittedAt?: EpochMs;
}

export interface ExternalOrderInput {
  venueOrderId: string;
  branch: string;
  symbol: StockCode;
  side: Side;
  type: OrderType;
  qty: Shares;
  price: Krw;
  tradingDate: TradingDate;
  status: OrderStatus;
}

export interface OrderRepo {
  /** INSERT … ON CONFLICT(intent_key) DO NOTHING; a repeat returns the stored row with inserted=false */
  insertIntent(intent: OrderIntent, at: EpochMs): { inserted: boolean; order: OrderRecord };
  insertExternal(o: ExternalOrderInput, at: EpochMs): OrderRecord;
  /**
   * Compare-and-set through the order state table (order-status.ts), the write gate: moves the
   * order to `to` only if its current status is `from` (null: any status the table lets reach
   * `to`); null, nothing written, otherwise. A `from` the table forbids is ORDER_INVALID_TRANSITION.
   */
  transition(id: number, from: OrderStatus | null, to: OrderStatus, patch: OrderPatch, event: string, details: Record<string, unknown>, at: EpochMs): OrderRecord | null;
  /** an event in the order's history without a status change (e.g. 'cancel-requested') */
  note?(id: number, event: string, details: Record<string, unknown>, at: EpochMs): void;
  byIntentKey(key: string): OrderRecord | null;
  byId(id: number): OrderRecord | null;
  withStatus(statuses: readonly OrderStatus[]): OrderRecord[];
  forDate(date: TradingDate): OrderRecord[];
}

export interface FillRepo {
  /** UNIQUE fill key: a repeat is a no-op with inserted=false */
  record(fill: Omit<FillRecord, 'id'>): { inserted: boolean; fill: FillRecord };
  forOrder(orderId: number): FillRecord[];
  forDate(date: TradingDate): FillRecord[];
  /** every fill, oldest first */
  all(): FillRecord[];
}

export type DecisionKind = 'entry' | 'exit';
export type DecisionOutcome = 'order' | 'no-trade' | 'blocked';

export interface GuardVerdict {
  guard: string;
  ok: boolean;
  reason?: string;
  context?: Record<string, unknown>;
}

export interface DecisionInput {
  at: EpochMs;
  tradingDate: TradingDate;
  symbol: StockCode;
  kind: DecisionKind;
  strategy: string;
  inputs: Record<string, unknown>;
  rule: string;
  guards: GuardVerdict[];
  outcome: DecisionOutcome;
  intentKey: string | null;
  configHash: string;
}

export interface DecisionRepo {
  insert(d: DecisionInput): number;
}

export interface ScanRepo {
  insert(snapshot: RankingSnapshot, tradingDate: TradingDate): number;
}

export interface BarRepo {
  upsert(bars: readonly DailyBar[], fetchedAt: EpochMs): void;
  /** the newest `count` bars up to `endDate` (inclusive), oldest first */
  range(symbol: StockCode, count: number, endDate?: TradingDate): DailyBar[];
}

/** Drops a symbol's cached daily bars, so the next read fetches the adjusted history (after a split). */
export interface BarInvalidation {
  invalidate(symbol: StockCode): void;
}

export type CorporateActionKind = 'split' | 'reverse-split';

export interface CorporateActionInput {
  symbol: StockCode;
  kind: CorporateActionKind;
  /** quantity × num / den; price ÷ (num / den) */
  num: number;
  den: number;
  qtyBefore: Shares;
  qtyAfter: Shares;
  priceBefore: Krw;
  priceAfter: Krw;
  /** applies to the symbol's fills with id ≤ this (0 when none) */
  afterFillId: number;
  tradingDate: TradingDate;
  at: EpochMs;
}

export interface CorporateAction extends CorporateActionInput {
  id: number;
}

/** Splits and bonus issues recorded at reconcile; the position repository applies them. */
export interface CorporateActionRepo {
  /** UNIQUE (symbol, afterFillId, qtyBefore): the same change recorded twice is a no-op with inserted=false */
  record(a: CorporateActionInput): { inserted: boolean; action: CorporateAction };
  /** every action, oldest first */
  all(): CorporateAction[];
}

export interface KeyValueRepo {
  get<T>(key: string): T | null;
  set(key: string, value: unknown, at: EpochMs): void;
  delete(key: string): void;
}

export interface PositionRepo {
  /** the daemon's open positions (fills of its own orders) */
  list(): Position[];
  get(symbol: StockCode): Position | null;
}

/** The realised P&L (after commission and tax) of the daemon's fills of one trading day. */
export interface DayRealizedPnl {
  realizedOn(date: TradingDate): Krw;
}

/** An open position at the after-close; price null when the broker's snapshot did not price it. */
export interface DailyMark {
  qty: Shares;
  price: Krw | null;
  cost: Krw;
}

/** What the after-close job records of a trading day (migrations/0004 daily_summaries). */
export interface DailySummary {
  tradingDate: TradingDate;
  at: EpochMs;
  /** the broker's total value at the after-close reconcile */
  equity: Krw;
  cash: Krw;
  realisedPnl: Krw;
  /** Σ (price × qty − cost) over the priced marks */
  unrealisedPnl: Krw;
  commission: Krw;
  tax: Krw;
  orders: number;
  fills: number;
  decisions: number;
  entriesDecided: number;
  marks: Record<string, DailyMark>;
  configHash: string;
}

export interface DailySummaryRepo {
  /** one row per trading date: a second write the same day replaces the first */
  upsert(s: DailySummary): void;
}


/**
 * Keys of the persisted risk state (store.risk) shared by reconcile, the evaluate job and the
 * CLI: a halt survives restarts, so a pm2 restart never silently resumes trading.
 */
export const RISK_KEYS = {
  /** { reason, details, at } while new entries are halted */
  halt: 'entries-halted',
  /** the broker's AccountSnapshot from the latest reconcile */
  account: 'account',
  /** equity at the first reconcile of a trading day */
  dayStartEquity: (date: TradingDate): string => `day-start-equity.${date}`,
  /** { [symbol]: epochMs } of the latest exit at a loss per symbol, for the re-entry cooldown */
  losingExits: 'losing-exits',
  /** the exit machine's state of the position in a symbol (signals/evaluate-job.ts PositionExitRecord) */
  exitState: (symbol: StockCode): string => `exit-state.${symbol}`,
} as const;

export interface Halt {
  reason: string;
  details: Record<string, unknown>;
  at: number;
}
