/**
 * The pure exchange (docs/architecture.md §3): order entry under KRX rules, the matching engine
 * and its call auctions, the account ledger. It trades against whatever market it is handed
 * (ExchangeMarket), so the simulator and the backtester share it; it knows no HTTP and no Node.
 */
export { SimExchange } from './exchange.js';
export type {
  ExchangeCalendar, ExchangeDeps, ExchangeMarket, ExchangeState, OrderKind, OrderRecord, SimCashView, SimHoldingView, SimOrderView,
} from './exchange.js';
export { placeOrder, reviseOrder } from './order-entry.js';
export type { EntryResult, OrderRejection, PlaceInput, ReviseInput } from './order-entry.js';
export { applyEngineEvent, createEngineState, remainingOf, workingOrders, pruneFinished } from './matching-engine.js';
export type {
  EngineState, EngineEvent, EngineResult, EngineOrder, EngineOrderStatus, EngineFill, EngineRejection, NewOrder, MarketTick, OpeningAuctionBook,
} from './matching-engine.js';
export { callAuction } from './call-auction.js';
export type { AuctionOrder, AuctionResult } from './call-auction.js';
export { createLedger, applyFill, applySplit, cashSettledBy, buyReservation, maxBuyQty, maxBuyAmount, ledgerAccount } from './account-ledger.js';
export type { LedgerState, LedgerAccount, LedgerFill, LedgerPosition, CashFlow, TradeRecord } from './account-ledger.js';
