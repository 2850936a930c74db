import { describe, expect, it } from 'vitest';
import { createManualClock, krw, shares, silentLogger } from '../../../src/domain/index.js';
import type { Broker, DecisionInput, MarketData, OrderBook, OrderType } from '../../../src/domain/index.js';
import { loadCalendar } from '../../../src/runtime/index.js';
import { runEvaluateEntry } from '../../../src/signals/index.js';
import type { EvaluateDeps } from '../../../src/signals/index.js';
import { createTempStore } from '../../helpers/temp-store.js';
import { MIDDAY, SYM, bars, quote } from './builders.js';
import { strategyInstance } from '../../helpers/builders.js';

const calendar = loadCalendar('config/krx-calendar.json');

/**
 * runEvaluateEntry against a real store and hand-written ports: the default quote (last 10,500,
 * tick 10, limits 7,000–13,000) passes the momentum rule over five flat 10,000 bars.
 */
function setup(book: OrderBook, entryType: OrderType = 'limit', offsetTicks = 1) {
  const t = createTempStore({ clock: createManualClock(MIDDAY) });
  const decisions: DecisionInput[] = [];
  const bookCalls: string[] = [];
  const market = {
    quote: () => Promise.resolve(quote()),
    orderBook: (s: string) => { bookCalls.push(s); return Promise.resolve(book); },
    dailyBars: () => Promise.resolve(bars([10_000, 10_000, 10_000, 10_000, 10_000])),
  } as unknown as MarketData;
  const broker = {
    buyingPower: () => Promise.resolve({ cash: krw(10_000_000), maxQty: shares(900), unitPrice: krw(13_000) }),
  } as unknown as Broker;
  const deps: EvaluateDeps = {
    market, broker, bars: t.store.bars, decisions: { insert: (d) => decisions.push(d) }, positions: t.store.positions,
    orders: t.store.orders, fills: t.store.fills, risk: t.store.risk, calendar, clock: t.clock, log: silentLogger, configHash: 'h',
    strategies: [strategyInstance({ params: { lookbackDays: 5 } })],
    limits: { maxPositions: 5, maxOrdersPerDay: 20, maxDailyLossBp: 300, cooldownMinutes: 120, maxOrderValue: krw(5_000_000), minCashReserve: krw(0) },
    maxPositionBp: 1000, commissionPpm: 141, entryType, exitType: 'limit', limitOffsetTicks: offsetTicks,
  };
  const run = () => runEvaluateEntry(deps, { strategy: null, symbol: SYM, candidate: null, scanSnapshotIds: [] });
  const priceInputs = () => decisions.at(-1)?.inputs.price as { limit: number; reference: number; source: string; clampedTo: string | null };
  return { run, priceInputs, bookCalls };
}

const level = (price: number, qty = 100) => ({ price: krw(price), qty: shares(qty) });
const bookOf = (asks: ReturnType<typeof level>[], bids: ReturnType<typeof level>[] = []): OrderBook => ({ symbol: SYM, asks, bids, at: MIDDAY });

describe('runEvaluateEntry prices a limit entry from the order book (issue #8 §5)', () => {
  it('starts from the best ask, not the last trade, and offsets ticks from there', async () => {
    const s = setup(bookOf([level(10_550), level(10_560)], [level(10_500)]));
    const r = await s.run();
    expect(r.intent?.price).toBe(10_560); // best ask 10,550 + 1 tick; the last price would give 10,510
    expect(s.priceInputs()).toMatchObject({ limit: 10_560, reference: 10_550, source: 'best-ask', clampedTo: null });
    expect(s.bookCalls).toEqual([SYM]);
  });

  it('keeps the price inside the day\'s limits when the ask plus the offset would cross the upper limit', async () => {
    const s = setup(bookOf([level(12_950)]), 'limit', 10);
    const r = await s.run();
    expect(s.priceInputs()).toMatchObject({ limit: 13_000, reference: 12_950, source: 'best-ask', clampedTo: 'upper' });
    expect(r.intent?.price).toBe(13_000);
  });

  it('falls back to the last price, and records it, when the book has no ask', async () => {
    const s = setup(bookOf([], [level(10_490)]));
    const r = await s.run();
    expect(r.intent?.price).toBe(10_510);
    expect(s.priceInputs()).toMatchObject({ limit: 10_510, reference: 10_500, source: 'last' });
  });

  it('does not fetch the book for a market entry', async () => {
    const s = setup(bookOf([level(10_550)]), 'market');
    const r = await s.run();
    expect(r.intent?.price).toBe(0);
    expect(s.bookCalls).toEqual([]);
  });
});
