import { describe, expect, it } from 'vitest';
import { createManualClock, epochMs, kstInstant, tradingDate } from '../../../src/domain/index.js';
import type { EpochMs } from '../../../src/domain/index.js';
import { DEFAULT_FEE_RATES, addTicks, createCalendar, isOnTick, parseCalendarData } from '../../../src/market/index.js';
import { callAuction } from '../../../src/exchange/index.js';
import { createSimulator } from '../../../src/sim/index.js';
import type { SyntheticMarket } from '../../../src/synthetic/index.js';

const CAL = createCalendar(parseCalendarData({
  coveredYears: [2026],
  holidays: [{ date: '2026-01-01', reason: 'New Year' }, { date: '2026-03-02', reason: 'substitute holiday' }],
  specialSessions: [],
}));
const DAY = tradingDate('20260312');
const NEXT = tradingDate('20260313');
const at = (hhmmss: string, day = DAY): EpochMs => kstInstant(day, hhmmss);

function market(seed: number, start = at('100000')): SyntheticMarket {
  return createSimulator({ env: 'live', seed, clock: createManualClock(start), calendar: CAL, fees: DEFAULT_FEE_RATES }).market;
}

describe('synthetic market', () => {
  it('holds the newest day\'s intraday paths only: a daemon in sim mode for months does not grow', () => {
    const clock = createManualClock(at('100000'));
    const m = createSimulator({ env: 'live', seed: 3, clock, calendar: CAL, fees: DEFAULT_FEE_RATES }).market;
    const codes = m.symbols().slice(0, 150).map((s) => s.code);
    for (const c of codes) m.quote(c);
    expect(m.heldPaths()).toBe(150);
    clock.set(at('100000', NEXT));
    for (const c of codes) m.quote(c);
    expect(m.heldPaths()).toBe(150);
    // yesterday asked for again is held beside today's, until the next day drops it
    expect(m.quote(codes[0]!, at('140000')).price).toBeGreaterThan(0);
    expect(m.heldPaths()).toBe(151);
    const third = CAL.nextTradingDay(NEXT);
    clock.set(at('100000', third));
    m.quote(codes[1]!);
    expect(m.heldPaths()).toBe(1);
  });

  it('lists at least 200 distinct six-digit symbols on both markets across a wide price range', () => {
    const m = market(1);
    const syms = m.symbols();
    expect(syms.length).toBeGreaterThanOrEqual(200);
    expect(new Set(syms.map((s) => s.code)).size).toBe(syms.length);
    expect(new Set(syms.map((s) => s.name)).size).toBe(syms.length);
    // common stocks six digits; ETNs 'Q' + six digits, the other special listings six characters (docs/kis-wire.md §6)
    for (const s of syms) expect(s.code).toMatch(s.product === 'etn' ? /^Q\d{6}$/ : s.product === 'stock' && s.designations.length === 0 && s.creditAllowed ? /^\d{6}$/ : /^[0-9A-Z]{6}$/);
    expect(new Set(syms.map((s) => s.exchange))).toEqual(new Set(['KOSPI', 'KOSDAQ']));
    const prices = syms.map((s) => m.quote(s.code).price);
    expect(Math.min(...prices)).toBeLessThan(5_000);
    expect(Math.max(...prices)).toBeGreaterThan(200_000);
  });

  it('gives the same quote for the same seed and instant, whatever was asked before', () => {
    const a = market(7);
    const b = market(7);
    b.quote('005930', at('143000'));
    b.dailyBars('000660', { count: 30 });
    for (const t of [at('090000'), at('101500'), at('152500'), at('160000')]) {
      for (const s of a.symbols().slice(0, 20)) expect(b.quote(s.code, t)).toEqual(a.quote(s.code, t));
    }
    expect(b.book('005930', at('101500'))).toEqual(a.book('005930', at('101500')));
  });

  it('gives a different market for a different seed', () => {
    const a = market(7);
    const b = market(8);
    const differ = a.symbols().filter((s) => a.quote(s.code).price !== b.quote(s.code).price).length;
    expect(differ).toBeGreaterThan(150);
  });

  it('keeps every price on the tick grid and inside the day limits, minute by minute, for every symbol', () => {
    const m = market(3);
    const steps = m.steps(DAY);
    expect(steps).toBe(380);
    // collected, then asserted once: a million expect() calls would take minutes
    const bad: string[] = [];
    const check = (ok: boolean, what: string) => {
      if (!ok && bad.length < 20) bad.push(what);
    };
    for (const s of m.symbols()) {
      const plan = m.plan(s.code, DAY);
      let lastVolume = -1;
      for (let k = 0; k < steps; k++) {
        const t = m.minuteTick(s.code, DAY, k);
        const where = `${s.code} step ${k}`;
        check(isOnTick(t.last) && t.last >= plan.lower && t.last <= plan.upper, `${where}: price ${t.last}`);
        check(t.volume > 0, `${where}: no volume`);
        for (const l of [...t.asks, ...t.bids]) check(isOnTick(l.price) && l.price >= plan.lower && l.price <= plan.upper, `${where}: level ${l.price}`);
        if (t.asks[0] && t.bids[0]) check(t.asks[0].price > t.bids[0].price, `${where}: crossed book`);
        if (k % 20 === 0) {
          const q = m.quote(s.code, t.at);
          check(q.price === t.last && q.volume > lastVolume && q.high >= q.price && q.low <= q.price && q.open === plan.open, `${where}: quote`);
          lastVolume = q.volume;
        }
      }
      const close = m.quote(s.code, at('153000'));
      check(close.price === plan.close && isOnTick(close.price) && close.volume > lastVolume, `${s.code}: close`);
    }
    expect(bad).toEqual([]);
  });

  it('has a year of daily history ending yesterday, and today becomes tomorrow\'s history unchanged', () => {
    const m = market(5, at('080000'));
    const bars = m.dailyBars('005930', { count: 260 });
    expect(bars).toHaveLength(260);
    expect(bars[bars.length - 1]!.date).toBe('20260311');
    expect(bars.map((b) => b.date)).not.toContain('20260302');
    for (const b of bars) {
      expect(b.low).toBeLessThanOrEqual(Math.min(b.open, b.close));
      expect(b.high).toBeGreaterThanOrEqual(Math.max(b.open, b.close));
    }
    const pre = m.quote('005930', at('080000'));
    expect(pre.state).toBe('pre-open');
    expect(pre.price).toBe(bars[bars.length - 1]!.close);
    expect(pre.volume).toBe(0);

    const closed = m.quote('005930', at('170000'));
    const tomorrow = m.dailyBars('005930', { count: 2, at: at('080000', NEXT) });
    expect(tomorrow[1]).toMatchObject({ date: DAY, close: closed.price, high: closed.high, low: closed.low, volume: closed.volume, open: closed.open });
    expect(m.quote('005930', at('080000', NEXT)).base).toBe(closed.price);
    // a weekend shows Friday, closed
    const sat = m.quote('005930', epochMs(at('120000', tradingDate('20260314'))));
    expect(sat.date).toBe(NEXT);
    expect(sat.state).toBe('closed');
  });

  it('moves the rankings through the day: trend days surge at different times', () => {
    const m = market(11);
    const surging = m.symbols().filter((s) => m.plan(s.code, DAY).regime === 'surge');
    expect(surging.length).toBeGreaterThan(3);
    const top = (t: EpochMs) =>
      m.symbols().map((s) => m.quote(s.code, t)).sort((a, b) => (b.price - b.base) / b.base - (a.price - a.base) / a.base).slice(0, 5)
        .map((q) => q.symbol.code).join();
    expect(top(at('093000'))).not.toBe(top(at('143000')));
    const gains = surging.map((s) => {
      const q = m.quote(s.code, at('152500'));
      return (q.high - q.open) / q.open;
    });
    expect(Math.max(...gains)).toBeGreaterThan(0.04);
  });

  it('quotes a spread wider than one tick at times: more on thin names and in the first minutes, the same for the same seed', () => {
    const m = market(7);
    const steps = m.steps(DAY);
    const turnover = (code: string) => {
      const s = m.symbol(code)!;
      return s.avgVolume * s.homePrice;
    };
    const byTurnover = [...m.symbols()].sort((a, b) => turnover(a.code) - turnover(b.code));
    const thin = byTurnover.slice(0, 40);
    const liquid = byTurnover.slice(-40);
    let misplaced = 0;
    // share of minutes whose best ask is more than one tick above the best bid
    const wide = (codes: readonly { code: string }[], from: number, to: number) => {
      let n = 0;
      let w = 0;
      for (const s of codes) {
        for (let k = from; k < to; k++) {
          const t = m.minuteTick(s.code, DAY, k);
          const ask = t.asks[0];
          const bid = t.bids[0];
          if (!ask || !bid) continue;
          n++;
          if (ask.price > addTicks(bid.price, 1)) w++;
          // the last trade sits at the bid or inside the spread, never at or above the ask
          if (!(ask.price > t.last && bid.price <= t.last)) misplaced++;
        }
      }
      return w / n;
    };
    const thinDay = wide(thin, 30, steps);
    const liquidDay = wide(liquid, 30, steps);
    const liquidOpen = wide(liquid, 0, 5);
    expect(misplaced).toBe(0);
    expect(liquidDay).toBeGreaterThan(0);
    expect(liquidDay).toBeLessThan(0.15);
    expect(thinDay).toBeGreaterThan(liquidDay + 0.2);
    expect(liquidOpen).toBeGreaterThan(liquidDay + 0.2);
    // what the order book endpoint shows at an instant is the minute the engine matches against
    const code = thin[0]!.code;
    const t = m.minuteTick(code, DAY, 42);
    expect(m.book(code, t.at)).toMatchObject({ asks: t.asks, bids: t.bids });
    expect(market(7).minuteTick(code, DAY, 42)).toEqual(t);
  });

  it('has opening-auction interest that alone clears at the planned open', () => {
    const m = market(5);
    for (const s of m.symbols().slice(0, 30)) {
      const a = m.openingAuction(s.code, DAY);
      const plan = m.plan(s.code, DAY);
      expect(a.at).toBe(at('090000'));
      expect(a.reference).toBe(plan.base);
      const orders = [
        ...a.bids.map((l, i) => ({ id: `b${i}`, side: 'buy' as const, limit: l.price, qty: l.qty, priority: 0 })),
        ...a.asks.map((l, i) => ({ id: `s${i}`, side: 'sell' as const, limit: l.price, qty: l.qty, priority: 0 })),
      ];
      expect(callAuction(orders, a.reference, a.lower, a.upper).price).toBe(plan.open);
    }
  });
});
