import { AppError, krw, notional, shares } from '../domain/index.js';
import type { EpochMs, Exchange, Krw, Shares, Side, StockCode, TradingDate } from '../domain/index.js';
import { commissionFor, tradeCosts } from '../market/index.js';
import type { FeeRates } from '../market/index.js';

/**
 * Cash and holdings of the simulated accounts, pure. Cash is a list of flows with their
 * settlement date (T+2, docs/kis-wire.md §11.5), so the balance can show D+0, D+1 and D+2 cash the way
 * KIS does; buying power uses the D+2 projection, which is what lets sell proceeds fund buys the
 * same day. Costs per fill: commission both ways and sell tax, each floored by market/ (§11.6).
 */
export interface CashFlow {
  tradeDate: TradingDate;
  settleDate: TradingDate;
  amount: number;
}

export interface LedgerPosition {
  qty: Shares;
  /** purchase amount of the shares still held (pchs_amt), commission excluded */
  cost: Krw;
}

export interface TradeRecord {
  orderId: string;
  account: string;
  date: TradingDate;
  at: EpochMs;
  symbol: StockCode;
  side: Side;
  qty: Shares;
  price: Krw;
  amount: Krw;
  commission: Krw;
  tax: Krw;
}

export interface LedgerAccount {
  account: string;
  initialCash: Krw;
  flows: readonly CashFlow[];
  positions: ReadonlyMap<string, LedgerPosition>;
  trades: readonly TradeRecord[];
}

export interface LedgerState {
  accounts: ReadonlyMap<string, LedgerAccount>;
}

export interface LedgerFill {
  orderId: string;
  account: string;
  symbol: StockCode;
  exchange: Exchange;
  side: Side;
  qty: Shares;
  price: Krw;
  at: EpochMs;
  date: TradingDate;
  settleDate: TradingDate;
}

export function createLedger(accounts: readonly { account: string; initialCash: Krw }[]): LedgerState {
  return {
    accounts: new Map(accounts.map((a) => [a.account, { account: a.account, initialCash: a.initialCash, flows: [], positions: new Map(), trades: [] }])),
  };
}

export function ledgerAccount(state: LedgerState, account: string): LedgerAccount {
  const a = state.accounts.get(account);
  if (!a) throw new AppError('SIM_INVARIANT', `no such simulated account: ${account}`);
  return a;
}

export function applyFill(state: LedgerState, fill: LedgerFill, rates: FeeRates): { state: LedgerState; trade: TradeRecord } {
  const acc = ledgerAccount(state, fill.account);
  const amount = notional(fill.price, fill.qty);
  // Tax by settlement date (T+2), like KIS; the simulated universe lists only stocks.
  const { commission, tax } = tradeCosts({ side: fill.side, amount, security: { market: fill.exchange, kind: 'stock' }, settleDate: fill.settleDate }, rates);
  const pos = acc.positions.get(fill.symbol) ?? { qty: shares(0), cost: krw(0) };
  let next: LedgerPosition;
  if (fill.side === 'buy') {
    next = { qty: shares(pos.qty + fill.qty), cost: krw(pos.cost + amount) };
  } else {
    if (fill.qty > pos.qty) {
      throw new AppError('SIM_INVARIANT', `sell of ${fill.qty} ${fill.symbol} exceeds the ${pos.qty} held`, { details: { ...fill } });
    }
    // the average price of what is left stays the same: cost leaves in proportion, rounded half-up
    const left = pos.qty - fill.qty;
    next = { qty: shares(left), cost: krw(left === 0 ? 0 : pos.cost - Math.round((pos.cost * fill.qty) / pos.qty)) };
  }
  const flow = fill.side === 'buy' ? -(amount + commission) : amount - commission - tax;
  const trade: TradeRecord = {
    orderId: fill.orderId, account: fill.account, date: fill.date, at: fill.at, symbol: fill.symbol, side: fill.side,
    qty: fill.qty, price: fill.price, amount, commission, tax,
  };
  const positions = new Map(acc.positions);
  positions.set(fill.symbol, next);
  const updated: LedgerAccount = {
    ...acc,
    positions,
    flows: [...acc.flows, { tradeDate: fill.date, settleDate: fill.settleDate, amount: flow }],
    trades: [...acc.trades, trade],
  };
  const accounts = new Map(state.accounts);
  accounts.set(acc.account, updated);
  return { state: { accounts }, trade };
}

/**
 * A split or bonus issue on its ex-date (synthetic/corporate-actions.ts): every account holding `symbol`
 * holds quantity × num / den at the same purchase amount. A fraction left by a reverse split is
 * dropped (the broker would pay it out in cash later; not simulated).
 */
export function applySplit(state: LedgerState, symbol: StockCode, num: number, den: number): LedgerState {
  const accounts = new Map(state.accounts);
  for (const [key, acc] of state.accounts) {
    const pos = acc.positions.get(symbol);
    if (!pos || pos.qty === 0) continue;
    const positions = new Map(acc.positions);
    positions.set(symbol, { qty: shares(Math.floor((pos.qty * num) / den)), cost: pos.cost });
    accounts.set(key, { ...acc, positions });
  }
  return { accounts };
}

/** Cash once everything settling by `by` has settled; null = every flow (the D+2 projection). */
export function cashSettledBy(acc: LedgerAccount, by: TradingDate | null): Krw {
  let total = acc.initialCash as number;
  for (const f of acc.flows) if (by === null || f.settleDate <= by) total += f.amount;
  return krw(total);
}

/** Cash a buy of qty at unitPrice holds back: the amount plus its commission (§7.2, §12). */
export function buyReservation(unitPrice: Krw, qty: Shares, rates: FeeRates): Krw {
  const amount = notional(unitPrice, qty);
  return krw(amount + commissionFor(amount, rates));
}

/** The largest quantity whose reservation fits in `cash`. */
export function maxBuyQty(cash: Krw, unitPrice: Krw, rates: FeeRates): Shares {
  if (cash <= 0 || unitPrice <= 0) return shares(0);
  let q = Math.floor((cash * 1_000_000) / (unitPrice * (1_000_000 + rates.commission)));
  while (q > 0 && buyReservation(unitPrice, shares(q), rates) > cash) q -= 1;
  while (buyReservation(unitPrice, shares(q + 1), rates) <= cash) q += 1;
  return shares(q);
}

/** The largest amount A with A + commission(A) ≤ cash (nrcvb_buy_amt of inquire-psbl-order). */
export function maxBuyAmount(cash: Krw, rates: FeeRates): Krw {
  if (cash <= 0) return krw(0);
  let a = Math.floor((cash * 1_000_000) / (1_000_000 + rates.commission));
  while (a > 0 && a + commissionFor(krw(a), rates) > cash) a -= 1;
  while (a + 1 + commissionFor(krw(a + 1), rates) <= cash) a += 1;
  return krw(a);
}

export function tradesOn(acc: LedgerAccount, date: TradingDate): TradeRecord[] {
  return acc.trades.filter((t) => t.date === date);
}
