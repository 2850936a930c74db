import { AppError, epochMs, krw, kstDateOf, shares } from '../domain/index.js';
import type { BookLevel, Clock, DailyBar, EpochMs, Krw, TradingDate } from '../domain/index.js';
import { addTicks, tickSize } from '../market/index.js';
import { adjustBar, resolveSplits } from './corporate-actions.js';
import type { SimSplit, SplitOption } from './corporate-actions.js';
import { createPlanChain, createTradingDayList } from './daily-plan.js';
import type { DayPlan, PlanChain } from './daily-plan.js';
import { STREAM, foldSeed, uniform } from './hash-random.js';
import { buildIntradayPath } from './intraday-path.js';
import { tempHaltWindow } from './listings.js';
import type { IntradayPath } from './intraday-path.js';
import type { OpeningAuctionBook } from '../exchange/index.js';
import type { SimCalendar } from './sim-calendar.js';
import { buildUniverse } from './universe.js';
import type { SimSymbol } from './universe.js';

/**
 * The deterministic market: what any symbol looks like at any instant, computed on demand from
 * (seed, symbol, time). Paths are memoized per symbol-day (at most PATH_CACHE, and none of a day
 * before the newest asked for once that day has come); past days keep a bar.
 */
export type { MinuteTick, SimQuote, SyntheticMarket, TradingState } from './market-types.js';
import type { SimQuote, SyntheticMarket } from './market-types.js';

const BOOK_LEVELS = 10;
const PATH_CACHE = 450;
/** minutes after the open during which spreads are often wider than one tick */
const WIDE_OPEN_MINUTES = 10;
/** tick levels of market interest each side of the open in the opening auction */
const AUCTION_LEVELS = 10;

export function createSyntheticMarket(opts: { seed: number; symbols: number; clock: Clock; calendar: SimCalendar; splits?: SplitOption }): SyntheticMarket {
  const { clock, calendar: cal } = opts;
  const seed = foldSeed(opts.seed);
  const universe = buildUniverse(seed, opts.symbols);
  const days = createTradingDayList(cal);
  const byCode = new Map(universe.map((s) => [s.code as string, s]));
  const chains = new Map<number, PlanChain>();
  const paths = new Map<string, IntradayPath>();
  let newestPathDay = '';
  const bars = new Map<string, DailyBar>();
  const splits = resolveSplits({ seed: opts.seed, option: opts.splits, universe, calendar: cal, startDay: cal.sessionDay(clock.now()) });
  const splitsOf = (code: string): SimSplit[] => splits.filter((x) => x.symbol === code);

  const sym = (code: string): SimSymbol => {
    const s = byCode.get(code);
    if (!s) throw new AppError('SIM_UNKNOWN_SYMBOL', `no such symbol in the simulator: ${code}`, { details: { code } });
    return s;
  };
  const chainOf = (s: SimSymbol): PlanChain => {
    let c = chains.get(s.index);
    if (!c) {
      c = createPlanChain(seed, s, days, splitsOf(s.code));
      chains.set(s.index, c);
    }
    return c;
  };
  const planOf = (s: SimSymbol, d: TradingDate): DayPlan => {
    const p = chainOf(s).plan(d);
    if (!p) throw new AppError('SIM_INVALID_OPTIONS', `no simulated history on ${d} (history starts 2024-01-02)`, { details: { date: d } });
    return p;
  };
  const steps = (d: TradingDate): number => {
    const b = cal.bounds(d);
    return Math.max(1, Math.round((b.closingAuctionStart - b.open) / 60_000));
  };
  const pathOf = (s: SimSymbol, d: TradingDate, keep: boolean): IntradayPath => {
    const key = `${s.index}:${d}`;
    const hit = paths.get(key);
    if (hit) {
      paths.delete(key);
      paths.set(key, hit);
      return hit;
    }
    const p = buildIntradayPath(seed, s, planOf(s, d), steps(d));
    // A new newest day drops the older days' paths (a daemon in sim mode runs for months, and the
    // LRU bound alone held two days' worth); a walk through one symbol's history still hits the LRU.
    if (keep) {
      if (d > newestPathDay) {
        for (const k of paths.keys()) if (k.slice(k.indexOf(':') + 1) < d) paths.delete(k);
        newestPathDay = d;
      }
      paths.set(key, p);
      if (paths.size > PATH_CACHE) {
        const oldest = paths.keys().next().value;
        if (oldest !== undefined) paths.delete(oldest);
      }
    }
    return p;
  };
  const fullBar = (s: SimSymbol, d: TradingDate): DailyBar => {
    const key = `${s.index}:${d}`;
    const hit = bars.get(key);
    if (hit) return hit;
    const plan = planOf(s, d);
    const p = pathOf(s, d, false);
    const bar: DailyBar = {
      symbol: s.code, date: d, open: plan.open, high: p.dayHigh, low: p.dayLow, close: plan.close,
      volume: shares(p.dayVolume), value: krw(Math.round(p.dayValue)),
    };
    bars.set(key, bar);
    return bar;
  };
  const prevBar = (s: SimSymbol, d: TradingDate): DailyBar | null => {
    const pd = cal.previous(d);
    // on an ex-date yesterday is shown in today's units, as its close is today's base
    return chainOf(s).plan(pd) ? adjustBar(fullBar(s, pd), splitsOf(s.code), d) : null;
  };

  const quote = (code: string, at?: EpochMs): SimQuote => {
    const s = sym(code);
    const t = at ?? clock.now();
    const d = cal.sessionDay(t);
    const plan = planOf(s, d);
    const b = cal.bounds(d);
    // on a weekend or holiday the quote is the last trading day's, fully closed
    const sameDay = kstDateOf(t) === d;
    const base = { symbol: s, at: t, date: d, base: plan.base, upper: plan.upper, lower: plan.lower, prev: prevBar(s, d) };
    if (sameDay && t < b.open) {
      return { ...base, state: 'pre-open', price: plan.base, open: krw(0), high: krw(0), low: krw(0), tick: tickSize(plan.base), volume: 0, value: 0, highAt: null, lowAt: null };
    }
    const path = pathOf(s, d, true);
    if (!sameDay || t >= b.close) {
      const k = argExtremes(path, path.steps - 1);
      // the closing auction may set the day's high or low
      const hiAt = plan.close > (path.high[path.steps - 1] ?? 0) ? b.close : stepAt(b.open, k.hi);
      const loAt = plan.close < (path.low[path.steps - 1] ?? Infinity) ? b.close : stepAt(b.open, k.lo);
      return {
        ...base, state: 'closed', price: plan.close, open: plan.open, high: path.dayHigh, low: path.dayLow, tick: tickSize(plan.close),
        volume: path.dayVolume, value: Math.round(path.dayValue), highAt: hiAt, lowAt: loAt,
      };
    }
    const k = Math.min(path.steps - 1, Math.floor((t - b.open) / 60_000));
    const price = krw(path.prices[k] ?? plan.open);
    const ext = argExtremes(path, k);
    return {
      ...base, state: t >= b.closingAuctionStart ? 'auction' : 'continuous', price, open: plan.open,
      high: krw(path.high[k] ?? price), low: krw(path.low[k] ?? price), tick: tickSize(price),
      volume: path.cumVolume[k] ?? 0, value: Math.round(path.cumValue[k] ?? 0), highAt: stepAt(b.open, ext.hi), lowAt: stepAt(b.open, ext.lo),
    };
  };

  /**
   * Best ask minus best bid, in ticks. One tick on a liquid name most of the time; wider on thin
   * names and in the first minutes after the open, when the book is still filling, so that a
   * price of "last + one tick" is not always marketable (docs/kis-wire.md §6.2 shows the touch, not the
   * last trade). Deterministic from (seed, symbol, day, minute).
   */
  const spreadTicks = (s: SimSymbol, plan: DayPlan, stepKey: number): number => {
    // turnover 3e8..3e11 won a day across the universe (universe.ts): 1 at the thin end, 0 at the liquid end
    const thin = 1 - Math.min(1, Math.max(0, (Math.log10(Math.max(1, s.avgVolume * s.homePrice)) - 8.5) / 3));
    const sinceOpen = stepKey >= 0 && stepKey < WIDE_OPEN_MINUTES ? 1 - stepKey / WIDE_OPEN_MINUTES : 0;
    const chance = Math.min(0.9, 0.05 + 0.5 * thin + 0.6 * sinceOpen);
    if (uniform(seed, s.index, plan.dayNo, STREAM.spread, stepKey, 0) >= chance) return 1;
    return 2 + Math.floor(uniform(seed, s.index, plan.dayNo, STREAM.spread, stepKey, 1) * (1 + 3 * thin));
  };

  const levels = (s: SimSymbol, plan: DayPlan, stepKey: number, last: Krw): { asks: BookLevel[]; bids: BookLevel[] } => {
    const perStep = plan.dayVolume / steps(plan.date);
    const size = (side: number, level: number) =>
      shares(Math.max(1, Math.round(perStep * (0.3 + 1.4 * uniform(seed, s.index, plan.dayNo, STREAM.book, stepKey, side * 16 + level)) * (1 + 0.15 * level))));
    const asks: BookLevel[] = [];
    const bids: BookLevel[] = [];
    // the last trade is the best bid, or inside a wider spread; never above the best ask (§6.2 levels are best first)
    const spread = spreadTicks(s, plan, stepKey);
    const below = spread === 1 ? 0 : Math.floor(uniform(seed, s.index, plan.dayNo, STREAM.spread, stepKey, 2) * spread);
    const bestBid = addTicks(last, -below);
    let a = addTicks(bestBid, spread - 1);
    let bd = bestBid;
    for (let i = 0; i < BOOK_LEVELS; i++) {
      a = addTicks(a, 1);
      if (a <= plan.upper) asks.push({ price: a, qty: size(1, i) });
      if (i === 0) {
        if (bestBid >= plan.lower) bids.push({ price: bestBid, qty: size(2, i) });
      } else {
        const next = addTicks(bd, -1);
        if (next < bd && next >= plan.lower) bids.push({ price: next, qty: size(2, i) });
        bd = next;
      }
    }
    return { asks, bids };
  };

  /**
   * The market's own orders in the opening call auction (docs/kis-wire.md §11.1): buy and sell interest
   * spread over ten ticks each side of the planned open, equal at every level, so that alone they
   * execute the most at exactly the planned open; orders of ours large enough move the price.
   * Levels beyond the day's limits sit at the limit. The volume is a share of the first minute's.
   */
  const openingAuction = (code: string, date: TradingDate): OpeningAuctionBook & { at: EpochMs } => {
    const s = sym(code);
    const plan = planOf(s, date);
    const path = pathOf(s, date, true);
    const volume = Math.max(1, Math.round((path.volumes[0] ?? 1) * (0.3 + 0.4 * uniform(seed, s.index, plan.dayNo, STREAM.openingAuction, 0))));
    const perLevel = shares(Math.max(1, Math.round(volume / AUCTION_LEVELS)));
    const clamp = (p: Krw): Krw => (p > plan.upper ? plan.upper : p < plan.lower ? plan.lower : p);
    const side = (from: number, to: number): BookLevel[] => {
      const byPrice = new Map<number, number>();
      for (let i = from; i <= to; i++) {
        const p = clamp(addTicks(plan.open, i));
        byPrice.set(p, (byPrice.get(p) ?? 0) + perLevel);
      }
      return [...byPrice].map(([price, qty]) => ({ price: krw(price), qty: shares(qty) }));
    };
    return {
      at: cal.bounds(date).open, reference: plan.base, lower: plan.lower, upper: plan.upper,
      // buyers from ten ticks below the open to nine above it, sellers the mirror image
      bids: side(-AUCTION_LEVELS, AUCTION_LEVELS - 1).reverse(), asks: side(-(AUCTION_LEVELS - 1), AUCTION_LEVELS),
    };
  };

  return {
    heldPaths: () => paths.size,
    symbols: () => universe,
    symbol: (code) => byCode.get(code),
    quote,
    book(code, at) {
      const q = quote(code, at);
      const plan = planOf(q.symbol, q.date);
      const b = cal.bounds(q.date);
      const stepKey = q.state === 'pre-open' ? -1 : q.state === 'closed' ? 100_000 : Math.floor((q.at - b.open) / 60_000);
      return { symbol: q.symbol.code, ...levels(q.symbol, plan, stepKey, q.price), at: q.at };
    },
    dailyBars(code, o = {}) {
      const s = sym(code);
      const t = o.at ?? clock.now();
      const today = cal.sessionDay(t);
      const end = o.end !== undefined && o.end < today ? (cal.isTradingDay(o.end) ? o.end : cal.previous(o.end)) : today;
      const count = o.count ?? 250;
      const out: DailyBar[] = [];
      let d = end;
      while (out.length < count && chainOf(s).plan(d)) {
        if (d === today) {
          const q = quote(code, t);
          if (q.state !== 'pre-open') {
            out.push({ symbol: s.code, date: d, open: q.open, high: q.high, low: q.low, close: q.price, volume: shares(q.volume), value: krw(q.value) });
          }
        } else {
          out.push(o.adjusted === false ? fullBar(s, d) : adjustBar(fullBar(s, d), splitsOf(s.code), today));
        }
        d = cal.previous(d);
      }
      return out.reverse();
    },
    steps,
    minuteTick(code, date, step) {
      const s = sym(code);
      const plan = planOf(s, date);
      const path = pathOf(s, date, true);
      const k = Math.min(path.steps - 1, Math.max(0, step));
      const last = krw(path.prices[k] ?? plan.open);
      return { symbol: s.code, at: stepAt(cal.bounds(date).open, k), last, ...levels(s, plan, k, last), volume: path.volumes[k] ?? 0 };
    },
    closingAuction(code, date) {
      const s = sym(code);
      const path = pathOf(s, date, true);
      return { price: path.close, volume: path.auctionVolume, at: cal.bounds(date).close };
    },
    plan: (code, date) => planOf(sym(code), date),
    openingAuction,
    splits: () => splits,
    halted(code, at) {
      const s = sym(code);
      if (s.designations.includes('halted')) return true;
      if (!s.designations.includes('temporary-halt')) return false;
      const d = kstDateOf(at);
      if (!cal.isTradingDay(d)) return false;
      const b = cal.bounds(d);
      if (at < b.open || at >= b.closingAuctionStart) return false;
      const k = Math.floor((at - b.open) / 60_000);
      const w = tempHaltWindow(seed, s.index, cal.dayNumber(d), steps(d));
      return k >= w.from && k < w.to;
    },
  };
}

function stepAt(open: EpochMs, k: number): EpochMs {
  return epochMs(open + k * 60_000);
}

/** the first step where today's high and low (so far, through step k) were reached */
function argExtremes(path: IntradayPath, k: number): { hi: number; lo: number } {
  const hiV = path.high[k] ?? 0;
  const loV = path.low[k] ?? 0;
  let hi = 0;
  let lo = 0;
  for (let i = 0; i <= k; i++) {
    if ((path.prices[i] ?? 0) === hiV) { hi = i; break; }
  }
  for (let i = 0; i <= k; i++) {
    if ((path.prices[i] ?? 0) === loV) { lo = i; break; }
  }
  return { hi, lo };
}
