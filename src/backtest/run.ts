import { AppError, krw } from '../domain/index.js';
import type { DailyPnl, TradingDate } from '../domain/index.js';
import { createEngineState, pruneFinished } from '../exchange/index.js';
import type { EngineState } from '../exchange/index.js';
import { performanceMetrics, summarize } from '../review/index.js';
import { Account } from './account.js';
import { barCalendar } from './calendar.js';
import { decideEntries, decideExits } from './decisions.js';
import type { DayContext } from './decisions.js';
import { workOrder, workOrderOnPath } from './execution.js';
import { sha256Of } from './hash.js';
import { closeInstant } from './quote.js';
import { roundTrips } from './round-trips.js';
import { advance, buildSeries, markOf, numberDays, tradingDays } from './series.js';
import type { BacktestInput, BacktestResult } from './types.js';
import { dayUniverse } from './universe.js';

/**
 * The orders decided at yesterday's close meet today's bar, or today's intraday path when the
 * source has one (docs/backtest.md §2). An order for a symbol without a bar today (halted, or
 * missing from the data) expires unfilled.
 */
function workPending(
  ctx: DayContext, engine: EngineState, today: TradingDate, paths: BacktestInput['paths'],
): { engine: EngineState; unfilled: number } {
  let state = engine;
  let unfilled = 0;
  const orders = [...ctx.account.pending.values()].sort((a, b) => a.orderId - b.orderId);
  for (const order of orders) {
    const s = ctx.bySymbol.get(order.symbol)!;
    ctx.account.pending.delete(order.symbol);
    if (s.at < 1) {
      unfilled += 1;
      continue;
    }
    const bar = s.bars[s.at]!;
    const prevClose = s.bars[s.at - 1]!.close;
    // asked for here only, at today's open, after every decision up to yesterday's close
    const path = paths?.(order.symbol, today) ?? null;
    const r = path === null
      ? workOrder(state, order, bar, prevClose, ctx.settings.slippageTicks)
      : workOrderOnPath(state, order, bar, prevClose, path);
    state = r.state;
    for (const f of r.fills) ctx.account.record(f, order, today);
    if (r.fills.reduce((q, f) => q + f.qty, 0) < order.qty) unfilled += 1;
  }
  return { engine: pruneFinished(state), unfilled };
}

function dailyRow(ctx: DayContext, today: TradingDate, peak: number): DailyPnl {
  const { mark } = ctx;
  const equity = ctx.account.equity(mark);
  let unrealised = 0;
  for (const p of ctx.account.positions.values()) unrealised += p.qty * mark(p.symbol) - p.cost;
  const day = ctx.account.takeDay();
  const peakEquity = Math.max(peak, equity);
  const drawdown = peakEquity - equity;
  return {
    date: today, realised: krw(day.realised), unrealised: krw(unrealised), fees: krw(day.fees), tax: krw(day.tax),
    equity,
    peakEquity: krw(peakEquity), drawdown: krw(drawdown),
    drawdownBp: peakEquity > 0 ? Math.trunc((drawdown * 10_000) / peakEquity) : 0,
  };
}

/**
 * The backtest, day by day over the bars (docs/backtest.md): at each day's open the orders decided
 * at the previous close are worked through the matching engine; at the close the day is marked,
 * then exits of the held positions are decided, then entries, by the daemon's own decision code
 * on bars up to that close only. Deterministic: no clock, no randomness, symbols in code order.
 */
export function runBacktest(input: BacktestInput): BacktestResult {
  const { settings, from, to } = input;
  if (settings.strategies.length === 0) throw new AppError('BACKTEST_INVALID_INPUT', 'no enabled strategy to backtest');
  if (from > to) throw new AppError('BACKTEST_INVALID_INPUT', `--from ${from} is after --to ${to}`);
  const series = buildSeries(input.bars);
  const days = tradingDays(series, to);
  numberDays(series, days);
  const calendar = input.calendar ?? barCalendar(days);
  const account = new Account(settings.initialCash, input.fees, calendar);
  const bySymbol = new Map(series.map((s) => [s.symbol, s]));
  const ctx: DayContext = {
    settings, account, series, bySymbol,
    dayIndex: new Map(days.map((d, i) => [d, i])), exitStates: new Map(), losingExits: {},
    dayStartEquity: settings.initialCash, closeAt: closeInstant(from), ordersToday: 0, nextOrderId: 1, evaluations: 0,
    orders: 0, onDecision: input.onDecision, openBuys: null, mark: (symbol) => markOf(bySymbol.get(symbol)!),
  };
  const flattenDue = settings.signals.flattenBeforeCloseMinutes > 0;
  const names = input.names ?? {};
  // a Map: looking a code up in a plain object first interns it, once per evaluation (bench/README.md)
  const nameOf = new Map(Object.entries(names));
  const universe = dayUniverse(input.universe, settings.scan, settings.strategies, series, ctx.bySymbol, names);
  let engine = createEngineState();
  let unfilled = 0;
  let peak = settings.initialCash as number;
  let exposed = 0;
  const daily: DailyPnl[] = [];
  const total = days.filter((d) => d >= from).length;
  for (const [dayNo, today] of days.entries()) {
    advance(series, dayNo);
    if (today < from) continue;
    const worked = workPending(ctx, engine, today, input.paths);
    ctx.openBuys = null;
    engine = worked.engine;
    unfilled += worked.unfilled;
    const row = dailyRow(ctx, today, peak);
    daily.push(row);
    peak = row.peakEquity;
    if (account.positions.size > 0) exposed += 1;
    // Orders decided at the last close would fill after the period: the run ends at that close.
    if (today === days.at(-1)) break;
    ctx.ordersToday = 0;
    ctx.closeAt = closeInstant(today);
    decideExits(ctx, today, flattenDue);
    decideEntries(ctx, today, nameOf, universe.entries(today, ctx.closeAt, new Set(account.positions.keys())));
    ctx.dayStartEquity = row.equity;
    input.onDay?.(daily.length, total, today);
  }
  unfilled += account.pending.size;
  const marks = new Map(series.filter((s) => s.last >= 0).map((s) => [s.symbol, markOf(s)]));
  const trips = roundTrips(account.fills, marks);
  const base = summarize(trips, daily);
  const summary = {
    ...base, ...performanceMetrics(daily, settings.initialCash, exposed), evaluations: ctx.evaluations,
    orders: ctx.orders, unfilled,
    fees: daily.reduce((s, d) => s + d.fees, 0),
  };
  return {
    roundTrips: trips, daily, fills: account.fills, summary, hash: sha256Of(account.fills), universe: universe.report,
  };
}
