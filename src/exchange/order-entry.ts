import { kstDateOf, krw, shares } from '../domain/index.js';
import type { EpochMs, KisEnv, Krw, OrderType, Shares, Side } from '../domain/index.js';
import { isOnTick, isOrderTypeAllowed } from '../market/index.js';
import { buyReservation } from './account-ledger.js';
import type { OrderRecord, SimExchange } from './exchange.js';
import { remainingOf } from './matching-engine.js';
import type { MarketTick } from './matching-engine.js';

/**
 * Business validation of order entry and revision, in KRX terms; the KIS wire (sim/messages.ts) maps each rejection to
 * the KIS code of the environment (docs/kis-wire.md §5.2). Checks run in the order a broker would:
 * the stock, the session, the order type, quantity, price, then money or shares.
 */
export type OrderRejection =
  | 'UNKNOWN_SYMBOL'
  | 'HALTED'
  | 'NOT_TRADING_DAY'
  | 'BEFORE_OPEN'
  | 'AFTER_CLOSE'
  | 'UNSUPPORTED_ORDER_TYPE'
  | 'INVALID_QTY'
  | 'INVALID_PRICE'
  | 'MARKET_WITH_PRICE'
  | 'OFF_TICK'
  | 'OUTSIDE_LIMITS'
  | 'INSUFFICIENT_CASH'
  | 'INSUFFICIENT_SELLABLE'
  | 'ORDER_NOT_FOUND'
  | 'NOTHING_TO_CANCEL'
  | 'QTY_EXCEEDS_REMAINING'
  | 'BRANCH_MISMATCH';

export type EntryResult = { ok: true; record: OrderRecord } | { ok: false; reason: OrderRejection };

export interface PlaceInput {
  account: string;
  symbol: string;
  side: Side;
  /** ORD_DVSN, ORD_QTY, ORD_UNPR as sent */
  ordDvsn: string;
  qty: string;
  price: string;
  now: EpochMs;
}

export interface ReviseInput {
  account: string;
  branch: string;
  orgnOdno: string;
  kind: 'modify' | 'cancel';
  ordDvsn: string;
  qty: string;
  price: string;
  /** QTY_ALL_ORD_YN = Y */
  all: boolean;
  now: EpochMs;
}

const MAX_QTY = 100_000_000;

function fail(reason: OrderRejection): EntryResult {
  return { ok: false, reason };
}

function orderType(ordDvsn: string): OrderType | null {
  return ordDvsn === '00' ? 'limit' : ordDvsn === '01' ? 'market' : null;
}

function parseQty(text: string): Shares | null {
  if (!/^\d{1,10}$/.test(text)) return null;
  const q = Number(text);
  return q > 0 && q <= MAX_QTY ? shares(q) : null;
}

/**
 * Sessions (§11.1): live takes limit and market orders from the opening auction to the close;
 * paper only 09:00–15:30 by default (§11.1: "a simulator in paper mode should default to
 * accepting orders 09:00–15:30 only").
 */
function sessionCheck(ex: SimExchange, env: KisEnv, now: EpochMs, type: OrderType): OrderRejection | null {
  const cal = ex.deps.calendar;
  const date = kstDateOf(now);
  if (!cal.isTradingDay(date)) return 'NOT_TRADING_DAY';
  const b = cal.bounds(date);
  if (env === 'paper') return now < b.open ? 'BEFORE_OPEN' : now >= b.close ? 'AFTER_CLOSE' : null;
  if (isOrderTypeAllowed(cal.phase(now), type)) return null;
  return now < b.openingAuctionStart ? 'BEFORE_OPEN' : 'AFTER_CLOSE';
}

/** Checks a price against the grid and today's limits; 0 is required for market orders. */
function priceCheck(ex: SimExchange, symbol: string, type: OrderType, text: string, now: EpochMs): { price: Krw; unit: Krw } | OrderRejection {
  if (!/^\d{1,10}$/.test(text)) return 'INVALID_PRICE';
  const p = Number(text);
  const q = ex.deps.market.quote(symbol, now);
  if (type === 'market') return p === 0 ? { price: krw(0), unit: q.upper } : 'MARKET_WITH_PRICE';
  if (p <= 0) return 'INVALID_PRICE';
  if (!isOnTick(krw(p))) return 'OFF_TICK';
  if (p < q.lower || p > q.upper) return 'OUTSIDE_LIMITS';
  return { price: krw(p), unit: krw(p) };
}

/** The current minute's market for an order arriving now; null outside continuous trading. */
function currentTick(ex: SimExchange, symbol: string, now: EpochMs): MarketTick | null {
  const cal = ex.deps.calendar;
  if (cal.phase(now) !== 'regular') return null;
  const date = kstDateOf(now);
  return ex.deps.market.minuteTick(symbol, date, Math.floor((now - cal.bounds(date).open) / 60_000));
}

function book(ex: SimExchange, r: OrderRecord, now: EpochMs): void {
  ex.record(r);
  if (r.engineId === null) return;
  const res = ex.apply({
    kind: 'submit',
    order: { id: r.engineId, account: r.account, symbol: r.symbol, side: r.side, type: r.type, qty: r.qty, limit: r.price, at: now },
    tick: currentTick(ex, r.symbol, now),
  });
  if (res.rejected) throw new Error(`matching engine refused a validated order: ${res.rejected}`);
}

export function placeOrder(ex: SimExchange, env: KisEnv, input: PlaceInput): EntryResult {
  const { market } = ex.deps;
  const sym = market.symbol(input.symbol);
  if (!sym) return fail('UNKNOWN_SYMBOL');
  // a suspended stock (거래정지) or one in a temporary halt (synthetic/listings.ts) takes no orders
  if (market.halted(sym.code, input.now)) return fail('HALTED');
  const type = orderType(input.ordDvsn);
  const session = sessionCheck(ex, env, input.now, type ?? 'limit');
  if (session) return fail(session);
  if (!type) return fail('UNSUPPORTED_ORDER_TYPE');
  const qty = parseQty(input.qty);
  if (qty === null) return fail('INVALID_QTY');
  const price = priceCheck(ex, sym.code, type, input.price, input.now);
  if (typeof price === 'string') return fail(price);
  if (input.side === 'buy') {
    if (buyReservation(price.unit, qty, ex.deps.fees) > ex.cash(input.account, input.now).available) return fail('INSUFFICIENT_CASH');
  } else if (qty > ex.sellable(input.account, sym.code)) {
    return fail('INSUFFICIENT_SELLABLE');
  }
  const date = kstDateOf(input.now);
  const odno = ex.nextOrderNumber(date);
  const record: OrderRecord = {
    date, odno, branch: ex.deps.branch, account: input.account, symbol: sym.code, name: sym.name, side: input.side,
    type, qty, price: price.price, orderedAt: input.now, kind: 'new', orgnOdno: null, reserveUnit: price.unit, engineId: `${date}:${odno}`,
  };
  book(ex, record, input.now);
  return { ok: true, record };
}

export function reviseOrder(ex: SimExchange, env: KisEnv, input: ReviseInput): EntryResult {
  const date = kstDateOf(input.now);
  const orig = ex.findRecord(input.account, date, input.orgnOdno);
  if (!orig) return fail('ORDER_NOT_FOUND');
  if (input.branch !== orig.branch) return fail('BRANCH_MISMATCH');
  const type = input.kind === 'cancel' ? orig.type : orderType(input.ordDvsn);
  const session = sessionCheck(ex, env, input.now, type ?? 'limit');
  if (session) return fail(session);
  const o = ex.engineOrder(orig.engineId);
  if (!o || o.status !== 'working') return fail('NOTHING_TO_CANCEL');
  const rem = remainingOf(o);
  let qty: Shares;
  if (input.all) {
    qty = rem;
  } else {
    const q = parseQty(input.qty);
    if (q === null) return fail('INVALID_QTY');
    if (q > rem) return fail('QTY_EXCEEDS_REMAINING');
    qty = q;
  }

  let price: { price: Krw; unit: Krw } = { price: krw(0), unit: krw(0) };
  if (input.kind === 'modify') {
    if (!type) return fail('UNSUPPORTED_ORDER_TYPE');
    const checked = priceCheck(ex, orig.symbol, type, input.price, input.now);
    if (typeof checked === 'string') return fail(checked);
    price = checked;
    if (orig.side === 'buy') {
      const fees = ex.deps.fees;
      const freed = buyReservation(orig.reserveUnit, rem, fees) - buyReservation(orig.reserveUnit, shares(rem - qty), fees);
      if (buyReservation(price.unit, qty, fees) > ex.cash(input.account, input.now).available + freed) return fail('INSUFFICIENT_CASH');
    }
  }

  const res = ex.apply({ kind: 'cancel', orderId: o.id, qty, at: input.now });
  if (res.rejected) return fail(res.rejected === 'QTY_EXCEEDS_REMAINING' ? 'QTY_EXCEEDS_REMAINING' : 'NOTHING_TO_CANCEL');
  const odno = ex.nextOrderNumber(date);
  const record: OrderRecord = {
    date, odno, branch: orig.branch, account: input.account, symbol: orig.symbol, name: orig.name, side: orig.side,
    type: input.kind === 'cancel' ? orig.type : (type ?? orig.type), qty, price: price.price, orderedAt: input.now, kind: input.kind,
    orgnOdno: orig.odno, reserveUnit: input.kind === 'cancel' ? krw(0) : price.unit,
    engineId: input.kind === 'cancel' ? null : `${date}:${odno}`,
  };
  book(ex, record, input.now);
  return { ok: true, record };
}
