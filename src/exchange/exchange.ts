import { epochMs, kstDateOf, krw, shares } from '../domain/index.js';
import type { EpochMs, Krw, Shares, StockCode, TradingDate } from '../domain/index.js';
import { applyFill, applySplit, buyReservation, cashSettledBy, createLedger, ledgerAccount } from './account-ledger.js';
import type { LedgerState, TradeRecord } from './account-ledger.js';
import { applyEngineEvent, createEngineState, pruneFinished, remainingOf, workingOrders } from './matching-engine.js';
import type { EngineEvent, EngineOrder, EngineResult, EngineState } from './matching-engine.js';
import type { ExchangeDeps, ExchangeState, OrderRecord, SimCashView, SimHoldingView, SimOrderView } from './exchange-types.js';

/**
 * The exchange and its accounts: order records with KIS order numbers, the pure matching engine
 * and ledger underneath, advanced lazily to "now" (matching runs for every minute that passed
 * since the last request, so fills happen as sim time passes without any timer).
 */
export type { ExchangeCalendar, ExchangeDeps, ExchangeMarket, ExchangeState, OrderKind, OrderRecord, SimCashView, SimHoldingView, SimOrderView } from './exchange-types.js';

export class SimExchange implements ExchangeState {
  private engine: EngineState = createEngineState();
  /** finished orders pruned from the engine, kept for the order views */
  private readonly finished = new Map<string, EngineOrder>();
  private ledger: LedgerState;
  private readonly records = new Map<string, OrderRecord[]>();
  private readonly counters = new Map<string, { next: number; count: number }>();
  private advancedTo: EpochMs = epochMs(0);
  private received = 0;
  private cancels = 0;
  /** engine ids of orders the exchange refused after acceptance */
  private readonly rejectedAfterAccept = new Set<string>();
  /** how many of market.splits() (sorted by ex-date) the ledger has applied */
  private splitsApplied = 0;

  constructor(readonly deps: ExchangeDeps) {
    this.ledger = createLedger(deps.accounts);
  }

  get ordersReceived(): number {
    return this.received;
  }

  get cancelsReceived(): number {
    return this.cancels;
  }

  hasAccount(account: string): boolean {
    return this.ledger.accounts.has(account);
  }

  nextOrderNumber(date: TradingDate): string {
    const dayNo = this.deps.calendar.dayNumber(date);
    const draw = this.deps.orderNumberDraw;
    const c = this.counters.get(date) ?? { next: 10_000 + (draw(dayNo, 0) % 20_000), count: 0 };
    const odno = String(c.next).padStart(10, '0');
    // other customers' orders take numbers in between, so ours are increasing but not consecutive
    c.count += 1;
    c.next += 1 + (draw(dayNo, c.count) % 5);
    this.counters.set(date, c);
    return odno;
  }

  record(r: OrderRecord): void {
    const list = this.records.get(r.date) ?? [];
    list.push(r);
    this.records.set(r.date, list);
    if (r.kind === 'cancel') this.cancels += 1;
    else if (r.kind === 'new') this.received += 1;
  }

  findRecord(account: string, date: TradingDate, odno: string): OrderRecord | undefined {
    return this.records.get(date)?.find((r) => r.account === account && r.odno === odno);
  }

  /**
   * The exchange refuses an order KIS had already acknowledged (e.g. a price band moved): its
   * unfilled rest leaves the book and shows as rjct_qty. False when there is nothing to refuse.
   */
  rejectAccepted(date: TradingDate, odno: string, at: EpochMs): boolean {
    const r = this.records.get(date)?.find((x) => x.odno === odno && x.kind === 'new');
    const o = this.engineOrder(r?.engineId ?? null);
    if (!r || !o || o.status !== 'working') return false;
    const res = this.apply({ kind: 'cancel', orderId: o.id, qty: null, at });
    if (res.rejected) return false;
    this.rejectedAfterAccept.add(o.id);
    return true;
  }

  engineOrder(id: string | null): EngineOrder | undefined {
    return id === null ? undefined : (this.engine.orders.get(id) ?? this.finished.get(id));
  }

  /** Applies one engine event and books its fills; the caller decides what a rejection means. */
  apply(event: EngineEvent): EngineResult {
    const result = applyEngineEvent(this.engine, event);
    this.engine = result.state;
    for (const f of result.fills) {
      const sym = this.deps.market.symbol(f.symbol);
      const date = kstDateOf(f.at);
      const out = applyFill(this.ledger, {
        ...f, exchange: sym?.exchange ?? 'KOSPI', date, settleDate: this.deps.calendar.addTradingDays(date, 2),
      }, this.deps.fees);
      this.ledger = out.state;
    }
    return result;
  }

  /** Runs matching for every minute step between the last advance and `now`, then the close. */
  advanceTo(now: EpochMs): void {
    if (now <= this.advancedTo) return;
    const { market, calendar } = this.deps;
    const dates = [...new Set(workingOrders(this.engine).map((o) => kstDateOf(o.at)))].sort();
    for (const date of dates) {
      if (!calendar.isTradingDay(date)) continue;
      const b = calendar.bounds(date);
      const steps = market.steps(date);
      const from = this.advancedTo < b.open ? 0 : Math.floor((this.advancedTo - b.open) / 60_000) + 1;
      const to = now < b.open ? -1 : Math.min(steps - 1, Math.floor((now - b.open) / 60_000));
      if (this.advancedTo < b.open && now >= b.open) {
        // orders entered in the opening auction (08:30–09:00) trade at one price at 09:00 (§11.1)
        for (const symbol of this.workingSymbols(date)) {
          const { at, ...auction } = market.openingAuction(symbol, date);
          this.apply({ kind: 'open', symbol: symbol as StockCode, at, auction });
        }
      }
      for (let k = from; k <= to; k++) {
        for (const symbol of this.workingSymbols(date)) {
          // nothing trades in a halted stock (synthetic/listings.ts): its orders wait, unmatched
          if (market.halted(symbol, epochMs(b.open + k * 60_000))) continue;
          this.apply({ kind: 'tick', tick: market.minuteTick(symbol, date, k) });
        }
      }
      if (now >= b.close) {
        for (const symbol of this.workingSymbols(date)) {
          const auction = market.closingAuction(symbol, date);
          // a suspended stock has no closing auction either: its orders expire unfilled
          const volume = market.halted(symbol, auction.at) ? 0 : auction.volume;
          this.apply({ kind: 'close', symbol: symbol as StockCode, at: auction.at, price: auction.price, volume });
        }
      }
    }
    this.applySplitsBy(kstDateOf(now));
    // orders that can never trade again (a day that was not a trading day) expire too
    for (const o of workingOrders(this.engine)) {
      const date = kstDateOf(o.at);
      if (!calendar.isTradingDay(date) || now >= calendar.bounds(date).close) {
        this.apply({ kind: 'close', symbol: o.symbol, at: now, price: krw(0), volume: 0 });
      }
    }
    if (this.engine.orders.size > 50) {
      for (const o of this.engine.orders.values()) if (o.status !== 'working') this.finished.set(o.id, o);
      this.engine = pruneFinished(this.engine);
    }
    this.advancedTo = now;
  }

  /**
   * Holdings change at the start of each ex-date that has come, after the fills of the days before
   * it (the loop above) and before any order of the ex-date can reach the engine.
   */
  private applySplitsBy(today: TradingDate): void {
    const splits = this.deps.market.splits();
    for (let s = splits[this.splitsApplied]; s && s.date <= today; s = splits[this.splitsApplied]) {
      this.ledger = applySplit(this.ledger, s.symbol, s.num, s.den);
      this.splitsApplied += 1;
    }
  }

  private workingSymbols(date: TradingDate): string[] {
    return [...new Set(workingOrders(this.engine).filter((o) => kstDateOf(o.at) === date).map((o) => o.symbol as string))];
  }

  /** Cash held back by working buys, each at its reservation price (§7.2 note, §12). */
  reserved(account: string, except?: string): Krw {
    let total = 0;
    for (const list of this.records.values()) {
      for (const r of list) {
        if (r.account !== account || r.side !== 'buy' || r.engineId === null || r.engineId === except) continue;
        const o = this.engineOrder(r.engineId);
        if (o && o.status === 'working') total += buyReservation(r.reserveUnit, remainingOf(o), this.deps.fees);
      }
    }
    return krw(total);
  }

  /** Held shares less what working sells already promise. */
  sellable(account: string, symbol: string): Shares {
    const pos = ledgerAccount(this.ledger, account).positions.get(symbol);
    let pending = 0;
    for (const o of workingOrders(this.engine, symbol)) if (o.account === account && o.side === 'sell') pending += remainingOf(o);
    return shares(Math.max(0, (pos?.qty ?? 0) - pending));
  }

  cash(account: string, now?: EpochMs): SimCashView {
    const acc = ledgerAccount(this.ledger, account);
    const { calendar } = this.deps;
    const today = kstDateOf(now ?? this.advancedTo);
    const d0 = cashSettledBy(acc, today);
    const d1 = cashSettledBy(acc, calendar.next(today));
    const d2 = cashSettledBy(acc, null);
    const reserved = this.reserved(account);
    return { d0, d1, d2, reserved, available: krw(d2 - reserved) };
  }

  orders(account: string, date?: TradingDate): SimOrderView[] {
    const dates = date === undefined ? [...this.records.keys()].sort() : [date];
    const out: SimOrderView[] = [];
    for (const d of dates) {
      for (const r of this.records.get(d) ?? []) if (r.account === account) out.push(this.view(r));
    }
    return out;
  }

  view(r: OrderRecord): SimOrderView {
    const o = this.engineOrder(r.engineId);
    if (!o) {
      // a cancel row: its quantity is the quantity it cancelled (fixture domestic-inquire-daily-ccld)
      return {
        ...r, filledQty: shares(0), filledValue: krw(0), remainingQty: shares(0), cancelledQty: r.qty, expiredQty: shares(0),
        rejectedQty: shares(0), status: 'cancelled',
      };
    }
    if (this.rejectedAfterAccept.has(o.id)) {
      return {
        ...r, filledQty: o.filledQty, filledValue: o.filledValue, remainingQty: shares(0), cancelledQty: shares(0),
        expiredQty: shares(0), rejectedQty: o.cancelledQty, status: 'rejected',
      };
    }
    return {
      ...r, filledQty: o.filledQty, filledValue: o.filledValue, remainingQty: remainingOf(o), cancelledQty: o.cancelledQty,
      expiredQty: o.expiredQty, rejectedQty: shares(0), status: o.status,
    };
  }

  holdings(account: string): SimHoldingView[] {
    const acc = ledgerAccount(this.ledger, account);
    return [...acc.positions].map(([symbol, p]) => ({
      symbol: symbol as StockCode,
      name: this.deps.market.symbol(symbol)?.name ?? symbol,
      qty: p.qty,
      sellableQty: this.sellable(account, symbol),
      cost: p.cost,
    }));
  }

  trades(account: string): readonly TradeRecord[] {
    return ledgerAccount(this.ledger, account).trades;
  }
}
