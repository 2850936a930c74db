export { AppError, isAppError, describeError, INVARIANT_CODES, isBrokenInvariant } from './errors.js';
export { stripControlChars } from './text.js';
export type { ErrorCode, AppErrorOptions } from './errors.js';
export { krw, shares, ppm, applyPpm, notional, basisPoints } from './money.js';
export type { Krw, Shares, Ppm, Rounding } from './money.js';
export {
  epochMs, tradingDate, parseIsoOrCompactDate, kstParts, kstSecondOfDay, kstDateOf, kstInstant, parseClockTime, addDays,
  weekdayOf, formatDate, formatKst, systemClock, createManualClock, createShiftedClock, KST_OFFSET_MS, DAY_MS,
} from './time.js';
export type { EpochMs, TradingDate, KstParts, Clock, ManualClock } from './time.js';
export { stockCode, LANES } from './types.js';
export type {
  StockCode, Side, OrderType, Exchange, Mode, KisEnv, Lane, Quote, QuoteStatus, RankingExclusions, BookLevel, OrderBook, DailyBar, RankingKind,
  RankingRow, RankingSnapshot, CalendarDay, Holding, AccountSnapshot, BuyingPower, OrderRequest, OrderAck,
  CancelRequest, VenueOrder, FeeSchedule,
} from './types.js';
export { ORDER_STATUSES, TERMINAL_STATUSES } from './order.js';
export {
  assertTransition, canTransition, isTerminal, OPEN_STATUSES, sourcesOf, UNRESOLVED_STATUSES,
} from './order-status.js';
export type { OrderStatus, OrderOrigin, OrderIntent, OrderRecord, FillRecord, Position } from './order.js';
export {
  makeIntentKey, strategyOfIntentKey, makeFillKey, canonicalOrderNumber, sameOrderNumber, ORDER_NUMBER_WIDTH, BRANCH_NUMBER_WIDTH,
} from './ids.js';
export type {
  CallOptions, RankingQuery, MarketData, Broker, RateBudget, DistributedLock, StoredToken, TokenStore, JobQueue,
  Notice, NoticeKind, Notifier, KisTelemetry,
} from './ports.js';
export { NOTICE_KINDS } from './ports.js';
export { silentLogger } from './log.js';
export { createReadWindow, defaultWindowMax, mapInWindow, measuredMarket, READ_WINDOW_HEADROOM } from './read-window.js';
export type { ReadWindow, ReadWindowOptions } from './read-window.js';
export type { Logger, LogFn } from './log.js';
export type {
  OrderPatch, ExternalOrderInput, OrderRepo, FillRepo, DecisionKind, DecisionOutcome, GuardVerdict, DecisionInput,
  DecisionRepo, ScanRepo, BarRepo, KeyValueRepo, PositionRepo, Halt,
} from './store-ports.js';
export type {
  BarInvalidation, CorporateActionKind, CorporateActionInput, CorporateAction, CorporateActionRepo,
} from './store-ports.js';
export type { DailyMark, DailySummary, DailySummaryRepo, DayRealizedPnl } from './store-ports.js';
export { RISK_KEYS } from './store-ports.js';
export { computePositions } from './positions.js';
export type { ShareAdjustment } from './positions.js';
export { KRX_SELL_TAX_TABLE } from './tax-table.js';
export type { TaxTableRow } from './tax-table.js';
export type {
  ExitPolicy, JobSettings, OrderSettings, ScanSettings, SignalSettings, StrategySlice, StrategyUniverse,
} from './settings.js';
export { positionOrigins } from './position-origins.js';
export type { PositionOrigin } from './position-origins.js';
export type { DailyPnl, RoundTrip } from './review.js';
export { canonicalJson } from './canonical-json.js';
export { seededRandom } from './random.js';
