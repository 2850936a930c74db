import { computePositions, krw, shares } from '../domain/index.js';
import type { FillRecord, Krw, Position, PositionOrigin, StockCode, TradingDate } from '../domain/index.js';
import { settlementDate } from '../market/index.js';
import type { FeeRates, TradingCalendar } from '../market/index.js';
import { applyFill, buyReservation, cashSettledBy, createLedger, ledgerAccount } from '../exchange/index.js';
import type { EngineFill, LedgerState } from '../exchange/index.js';
import type { DayOrder } from './execution.js';
import type { BacktestFill } from './types.js';

const ACCOUNT = 'backtest';

/** An order waiting for the next day's bar, with what the decision behind it said. */
export interface PendingOrder extends DayOrder {
  orderId: number;
  strategy: string;
  rule: string;
  decidedOn: TradingDate;
  /** what a buy holds back of the cash until it is worked (sim/account-ledger.ts buyReservation) */
  reservation: Krw;
}

/**
 * The simulated account: cash flows with their T+2 settlement (the simulator's ledger), the fills,
 * and positions at average cost from those fills (domain/positions.ts, as the daemon keeps them).
 */
export class Account {
  private ledger: LedgerState;
  private readonly fillsBySymbol = new Map<StockCode, FillRecord[]>();
  readonly positions = new Map<StockCode, Position>();
  readonly origins = new Map<StockCode, PositionOrigin>();
  readonly fills: BacktestFill[] = [];
  readonly pending = new Map<StockCode, PendingOrder>();
  /** the day's realised P&L, fees and tax, reset by takeDay() */
  private day = { realised: 0, fees: 0, tax: 0 };
  /** settledCash(), until the next fill */
  private settled: number | null = null;

  constructor(initialCash: Krw, private readonly fees: FeeRates, private readonly calendar: TradingCalendar) {
    this.ledger = createLedger([{ account: ACCOUNT, initialCash }]);
  }

  /** Cash once everything has settled (the D+2 projection buying power uses), less what pending buys hold back. */
  buyingPower(): Krw {
    let held = 0;
    for (const o of this.pending.values()) held += o.reservation;
    return krw(this.settledCash() - held);
  }

  /**
   * Cash once everything has settled. It changes only with a fill (record), so it is summed over the
   * ledger's flows once after each fill, not on every entry that reaches sizing (bench/README.md).
   */
  private settledCash(): number {
    this.settled ??= cashSettledBy(ledgerAccount(this.ledger, ACCOUNT), null);
    return this.settled;
  }

  /** Settled-by-D+2 cash plus the held shares at `mark` (the last close of each). */
  equity(mark: (symbol: StockCode) => Krw): Krw {
    let value = this.settledCash();
    for (const p of this.positions.values()) value += p.qty * mark(p.symbol);
    return krw(value);
  }

  reservationFor(unitPrice: Krw, qty: number): Krw {
    return buyReservation(unitPrice, shares(qty), this.fees);
  }

  record(f: EngineFill, order: PendingOrder, date: TradingDate): void {
    const settleDate = settlementDate(date, this.calendar);
    const { state, trade } = applyFill(this.ledger, {
      orderId: f.orderId, account: ACCOUNT, symbol: f.symbol, exchange: 'KOSPI', side: f.side, qty: f.qty,
      price: f.price,
      at: f.at, date, settleDate,
    }, this.fees);
    this.ledger = state;
    this.settled = null;
    const seq = this.fills.length + 1;
    this.fills.push({
      seq, orderId: order.orderId, date, at: f.at, symbol: f.symbol, side: f.side, qty: f.qty, price: f.price,
      amount: trade.amount,
      commission: trade.commission, tax: trade.tax, strategy: order.strategy, rule: order.rule,
    });
    const list = this.fillsBySymbol.get(f.symbol) ?? [];
    this.fillsBySymbol.set(f.symbol, list);
    const before = this.positions.get(f.symbol);
    if (f.side === 'buy' && (before === undefined || before.qty === 0)) {
      this.origins.set(f.symbol, { openedDate: date, openingOrderId: order.orderId, strategy: order.strategy });
    }
    list.push({
      id: seq, fillKey: `${order.orderId}.${seq}`, orderId: order.orderId, symbol: f.symbol, side: f.side, qty: f.qty,
      price: f.price,
      value: trade.amount, commission: trade.commission, tax: trade.tax, tradingDate: date, at: f.at,
    });
    // Only this symbol's fills: positions are per symbol, so the rest need no recomputing.
    const after = computePositions(list)[0]!;
    this.day.realised += after.realizedPnl - (before?.realizedPnl ?? 0);
    this.day.fees += trade.commission;
    this.day.tax += trade.tax;
    if (after.qty > 0) this.positions.set(f.symbol, after);
    else {
      this.positions.delete(f.symbol);
      this.origins.delete(f.symbol);
      // a flat symbol's history no longer moves its average: the next position starts afresh
      this.fillsBySymbol.delete(f.symbol);
    }
  }

  takeDay(): { realised: number; fees: number; tax: number } {
    const d = this.day;
    this.day = { realised: 0, fees: 0, tax: 0 };
    return d;
  }
}
