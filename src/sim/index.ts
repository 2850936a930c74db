export { createSimulator } from './simulator.js';
export type { Simulator, SimulatorOptions } from './simulator.js';
export { SIM_DEFAULT_CREDENTIALS } from './credentials.js';
export type { SimCredentials } from './credentials.js';
export { parseFaultSpec, FAULT_KINDS } from './faults.js';
export type { FaultRule, FaultKind, ActiveFault, FaultController } from './faults.js';
export type { SyntheticMarket, SimQuote, MinuteTick, TradingState } from './synthetic-market.js';
export type { SimSymbol } from './universe.js';
export { SEEDED_SPLITS } from './corporate-actions.js';
export type { SimSplit, SplitOption } from './corporate-actions.js';
export type { ExchangeState, SimOrderView, SimHoldingView, SimCashView, OrderKind } from './exchange.js';
export type { TradeRecord } from './account-ledger.js';
export { MSG, rejectionMessage, orderAcceptedMessage } from './messages.js';
export type { KisMessage } from './messages.js';
export type { OrderRejection } from './order-entry.js';
// the pure matching engine and ledger, shared with the backtester
export { applyEngineEvent, createEngineState, remainingOf, workingOrders, pruneFinished } from './matching-engine.js';
export type {
  EngineState, EngineEvent, EngineResult, EngineOrder, EngineOrderStatus, EngineFill, EngineRejection, NewOrder, MarketTick, OpeningAuctionBook,
} from './matching-engine.js';
export { createLedger, applyFill, applySplit, cashSettledBy, buyReservation, maxBuyQty, maxBuyAmount, ledgerAccount } from './account-ledger.js';
export type { LedgerState, LedgerAccount, LedgerFill, LedgerPosition, CashFlow } from './account-ledger.js';
export { createFileJournal, createMemoryJournal } from './journal.js';
export { SIM_VARIANTS, SIM_VARIANT_NAMES, DEFAULT_SIM_VARIANT, simVariant } from './variants.js';
export type { SimVariantName, WireVariant } from './variants.js';
export type { SimJournal, JournalEntry } from './journal.js';
