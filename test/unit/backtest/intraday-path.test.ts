import { describe, expect, it } from 'vitest';
import { runBacktest, syntheticMarketBars } from '../../../src/backtest/index.js';
import type { BacktestDecision, DayPath } from '../../../src/backtest/index.js';
import { workOrderOnPath } from '../../../src/backtest/execution.js';
import type { DayOrder } from '../../../src/backtest/execution.js';
import { kstInstant, krw, tradingDate } from '../../../src/domain/index.js';
import type { DailyBar, StockCode, TradingDate } from '../../../src/domain/index.js';
import { createEngineState } from '../../../src/exchange/index.js';
import { DEFAULT_FEE_RATES, addTicks } from '../../../src/market/index.js';
import { loadCalendar } from '../../../src/runtime/index.js';
import { createSimCalendar, createSyntheticMarket } from '../../../src/synthetic/index.js';
import { backtestSettings } from '../../helpers/backtest-settings.js';

/**
 * The sim source's fills follow the synthetic intraday path (docs/backtest.md §2) through the
 * simulator's own matching engine: checked here against the market's minute ticks, which the
 * simulator's exchange feeds the same engine (exchange/exchange.ts advanceTo).
 */
const calendar = loadCalendar('config/krx-calendar.json');
const SEED = 7;
const SYMBOLS = 30;
const FROM = tradingDate('20260302');
const TO = tradingDate('20260430');
const source = syntheticMarketBars({ seed: SEED, symbols: SYMBOLS, from: FROM, to: TO, calendar });
// a second market of the same seed, as sim mode builds it: the expected values come from its ticks
const market = createSyntheticMarket({
  seed: SEED, symbols: SYMBOLS, clock: { now: () => kstInstant(TO, '235959') }, calendar: createSimCalendar(calendar),
});

interface Day { symbol: StockCode; bar: DailyBar; prevClose: number; path: DayPath; lasts: number[] }

/** The symbol-days of the period (no halts: listings without designations), with the minute lasts of the market. */
function days(count: number): Day[] {
  const out: Day[] = [];
  for (const s of market.symbols()) {
    if (s.designations.length > 0) continue;
    const bars = source.bars.get(s.code)!;
    for (let i = 1; i < bars.length; i++) {
      const bar = bars[i]!;
      if (bar.date < FROM || out.length >= count) continue;
      const path = source.paths(s.code, bar.date)!;
      const steps = market.steps(bar.date);
      const lasts = Array.from({ length: steps }, (_, k) => market.minuteTick(s.code, bar.date, k).last);
      out.push({ symbol: s.code, bar, prevClose: bars[i - 1]!.close, path, lasts });
    }
  }
  return out;
}
const DAYS = days(400);

const buy = (d: Day, limit: number, qty: number, type: 'limit' | 'market' = 'limit'): DayOrder => ({
  id: '1', symbol: d.symbol, side: 'buy', type, qty, limit: krw(type === 'market' ? 0 : limit),
});
const work = (d: Day, order: DayOrder) =>
  workOrderOnPath(createEngineState(), order, d.bar, krw(d.prevClose), d.path);
const minute = (date: TradingDate, k: number): number => kstInstant(date, '090000') + k * 60_000;

describe('fills on the synthetic intraday path', () => {
  it('gives the market\'s own minute ticks, inside the day\'s bar, and its closing auction at the close', () => {
    for (const d of DAYS.slice(0, 40)) {
      expect(d.path.steps).toBe(d.lasts.length);
      for (let k = 0; k < d.path.steps; k++) {
        const t = d.path.tick(k)!;
        expect(t).toEqual(market.minuteTick(d.symbol, d.bar.date, k));
        expect(t.last).toBeGreaterThanOrEqual(d.bar.low);
        expect(t.last).toBeLessThanOrEqual(d.bar.high);
      }
      expect(d.lasts[0]).toBe(d.bar.open);
      expect(d.path.closing).toMatchObject({ price: d.bar.close, at: kstInstant(d.bar.date, '153000') });
    }
  });

  it('fills a small market buy in the opening auction at the bar\'s open', () => {
    for (const d of DAYS.slice(0, 40)) {
      const r = work(d, buy(d, 0, 1, 'market'));
      expect(r.fills).toEqual([expect.objectContaining({ qty: 1, price: d.bar.open, at: minute(d.bar.date, 0) })]);
    }
  });

  it('fills a limit buy below the open at the first minute whose last trade goes through it, at its limit', () => {
    let checked = 0;
    for (const d of DAYS) {
      const limit = addTicks(d.bar.open, -2);
      const k = d.lasts.findIndex((p) => p < limit);
      if (k < 0) continue;
      checked += 1;
      const r = work(d, buy(d, limit, 1));
      expect(r.fills).toEqual([expect.objectContaining({ qty: 1, price: limit, at: minute(d.bar.date, k) })]);
      expect(limit).toBeGreaterThan(d.bar.low);
      expect(limit).toBeLessThanOrEqual(d.bar.high);
      // more than that minute's volume: the rest waits for the next minutes that trade through it
      const volume = Math.floor(d.path.tick(k)!.volume);
      const big = work(d, buy(d, limit, volume + 1));
      expect(big.fills[0]).toMatchObject({ qty: volume, at: minute(d.bar.date, k) });
      const next = d.lasts.findIndex((p, i) => i > k && p < limit);
      if (next > 0) expect(big.fills[1]).toMatchObject({ qty: 1, price: limit, at: minute(d.bar.date, next) });
    }
    expect(checked).toBeGreaterThan(20);
  });

  it('leaves a limit the path never trades through to the closing auction, or to expiry', () => {
    let toClose = 0;
    for (const d of DAYS) {
      const below = work(d, buy(d, addTicks(d.bar.low, -1), 5));
      expect(below.fills).toEqual([]);
      expect(below.state.orders.get('1')?.status).toBe('expired');
      // the closing auction prints under every minute's last: a limit at the close fills only there
      if (d.bar.close >= Math.min(...d.lasts)) continue;
      toClose += 1;
      const r = work(d, buy(d, d.bar.close, 1));
      expect(r.fills).toEqual([
        expect.objectContaining({ qty: 1, price: d.bar.close, at: kstInstant(d.bar.date, '153000') }),
      ]);
    }
    expect(toClose).toBeGreaterThan(5);
  });
});

describe('a sim-source backtest on the paths', () => {
  async function run() {
    const s = syntheticMarketBars({ seed: SEED, symbols: SYMBOLS, from: FROM, to: TO, calendar });
    const asked: string[] = [];
    const orders: BacktestDecision[] = [];
    const settings = await backtestSettings();
    const r = runBacktest({
      settings, bars: s.bars, from: FROM, to: TO, fees: DEFAULT_FEE_RATES,
      onDecision: (d) => { if (d.outcome === 'order') orders.push(d); },
      paths: (symbol, date) => {
        asked.push(`${symbol} ${date}`);
        return s.paths(symbol, date);
      },
    });
    const daily = runBacktest({ settings, bars: s.bars, from: FROM, to: TO, fees: DEFAULT_FEE_RATES });
    return { r, asked, orders, daily };
  }

  it('is deterministic, asks only for the paths of pending orders, and fills consistently with the bars', async () => {
    const a = await run();
    const b = await run();
    expect(b.r.hash).toBe(a.r.hash);
    expect(b.r.fills).toEqual(a.r.fills);
    expect(a.r.summary.orders).toBeGreaterThan(20);
    // the same bars on the daily model fill differently: the paths are used
    expect(a.daily.hash).not.toBe(a.r.hash);
    // a path is asked for once per order, on the day after its decision, and never otherwise
    const days = [...new Set([...source.bars.values()].flat().map((x) => x.date))].sort();
    const next = (d: TradingDate): TradingDate => days[days.indexOf(d) + 1]!;
    const expected = a.orders.filter((d) => d.date < TO).map((d) => `${d.symbol} ${next(d.date)}`);
    expect(a.asked).toEqual(expected);
    const intraday = a.r.fills.filter((f) => f.at > minute(f.date, 0) && f.at < kstInstant(f.date, '153000'));
    expect(intraday.length).toBeGreaterThan(0);
    const atOpen = new Set(a.r.fills.filter((f) => f.at === minute(f.date, 0)).map((f) => f.orderId));
    for (const f of a.r.fills) {
      const bar = source.bars.get(f.symbol)!.find((x) => x.date === f.date)!;
      // never better than the market traded that day
      if (f.side === 'buy') expect(f.price).toBeGreaterThanOrEqual(bar.low);
      else expect(f.price).toBeLessThanOrEqual(bar.high);
      // outside the bar only when our own size moved the price: the order took liquidity at the open
      if (f.price < bar.low || f.price > bar.high) {
        expect(atOpen.has(f.orderId)).toBe(true);
      }
    }
  }, 60_000);
});
