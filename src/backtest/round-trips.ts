import { krw } from '../domain/index.js';
import type { Krw, RoundTrip, StockCode } from '../domain/index.js';
import type { BacktestFill } from './types.js';

/**
 * Round trips from the backtest's fills, by the rules of v_round_trips (docs/review.md): one entry
 * order and the exit fills matched to its shares FIFO per symbol; a fill matched in parts splits
 * its value, commission and tax by cumulative rounding, so the parts add up to the fill exactly.
 * test/integration/backtest/round-trips-conform.test.ts holds this and the SQL view to one answer.
 */
const halfUp = (x: number): number => Math.sign(x) * Math.round(Math.abs(x));
/** the share of x over shares a…b of a fill of q: round(x·b/q) − round(x·a/q) */
const part = (x: number, a: number, b: number, q: number): number => halfUp((x * b) / q) - halfUp((x * a) / q);

interface Trip {
  id: number;
  symbol: StockCode;
  strategy: string;
  openedAt: number;
  tradingDate: RoundTrip['tradingDate'];
  qty: number;
  entryValue: number;
  entryFees: number;
  closedQty: number;
  closedEntryValue: number;
  closedEntryFees: number;
  exitValue: number;
  commission: number;
  tax: number;
  closedAt: number | null;
  exitRule: string | null;
}

interface Lot { trip: Trip; fill: BacktestFill; used: number }

function sell(lots: Lot[], f: BacktestFill, at: number): void {
  let sold = 0;
  while (sold < f.qty && lots.length > 0) {
    const lot = lots[0]!;
    const m = Math.min(f.qty - sold, lot.fill.qty - lot.used);
    const b = lot.fill;
    const t = lot.trip;
    const entryValue = part(b.amount, lot.used, lot.used + m, b.qty);
    const entryCommission = part(b.commission, lot.used, lot.used + m, b.qty);
    const entryTax = part(b.tax, lot.used, lot.used + m, b.qty);
    const exitCommission = part(f.commission, sold, sold + m, f.qty);
    const exitTax = part(f.tax, sold, sold + m, f.qty);
    t.closedQty += m;
    t.closedEntryValue += entryValue;
    t.closedEntryFees += entryCommission + entryTax;
    t.exitValue += part(f.amount, sold, sold + m, f.qty);
    t.commission += entryCommission + exitCommission;
    t.tax += entryTax + exitTax;
    t.closedAt = at;
    t.exitRule = f.rule;
    lot.used += m;
    sold += m;
    if (lot.used === b.qty) lots.shift();
  }
}

function toRoundTrip(t: Trip, mark: Krw | null): RoundTrip {
  const openQty = t.qty - t.closedQty;
  const openCost = t.entryValue + t.entryFees - t.closedEntryValue - t.closedEntryFees;
  const gross = t.exitValue - t.closedEntryValue;
  const net = gross - t.commission - t.tax;
  const closedCost = t.closedEntryValue + t.closedEntryFees;
  const closed = openQty === 0 && t.closedQty > 0;
  return {
    id: t.id, symbol: t.symbol, strategy: t.strategy, status: closed ? 'closed' : 'open',
    openedAt: t.openedAt as RoundTrip['openedAt'],
    closedAt: t.closedAt as RoundTrip['closedAt'],
    holdingSeconds: closed && t.closedAt !== null ? Math.trunc((t.closedAt - t.openedAt) / 1000) : null,
    qty: t.qty, closedQty: t.closedQty, entryPrice: krw(halfUp(t.entryValue / t.qty)),
    exitPrice: t.closedQty > 0 ? krw(halfUp(t.exitValue / t.closedQty)) : null, gross: krw(gross),
    commission: krw(t.commission),
    tax: krw(t.tax), net: krw(net),
    returnBp: t.closedQty > 0 && closedCost > 0 ? Math.trunc((net * 10_000) / closedCost) : null,
    exitRule: t.exitRule, openQty, openCost: krw(openCost), tradingDate: t.tradingDate,
    unrealised: closed || mark === null ? null : krw(mark * openQty - openCost), mark: closed ? null : mark,
  };
}

/**
 * Fills in engine order. Fill instants are the engine's (the open, or the tick that traded through
 * a limit); `marks` price the trips still open (the last close).
 */
export function roundTrips(fills: readonly BacktestFill[], marks: ReadonlyMap<StockCode, Krw>): RoundTrip[] {
  const trips = new Map<number, Trip>();
  const lots = new Map<StockCode, Lot[]>();
  for (const f of fills) {
    const at = f.at;
    const queue = lots.get(f.symbol) ?? [];
    lots.set(f.symbol, queue);
    if (f.side === 'sell') {
      sell(queue, f, at);
      continue;
    }
    let t = trips.get(f.orderId);
    if (!t) {
      t = {
        id: f.orderId, symbol: f.symbol, strategy: f.strategy, openedAt: at, tradingDate: f.date, qty: 0, entryValue: 0,
        entryFees: 0, closedQty: 0, closedEntryValue: 0, closedEntryFees: 0, exitValue: 0, commission: 0, tax: 0,
        closedAt: null, exitRule: null,
      };
      trips.set(f.orderId, t);
    }
    t.qty += f.qty;
    t.entryValue += f.amount;
    t.entryFees += f.commission + f.tax;
    queue.push({ trip: t, fill: f, used: 0 });
  }
  return [...trips.values()].map((t) => toRoundTrip(t, marks.get(t.symbol) ?? null));
}
