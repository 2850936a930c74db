import { describe, expect, it } from 'vitest';
import { createManualClock, isAppError, kstInstant, krw, ppm, shares, stockCode, tradingDate } from '../../../src/domain/index.js';
import type { TradingDate } from '../../../src/domain/index.js';
import { DEFAULT_FEE_RATES, DEFAULT_TAX_TABLE, createCalendar, parseCalendarData, priceLimits, roundToTick } from '../../../src/market/index.js';
import { applyFill, applySplit, createLedger, ledgerAccount } from '../../../src/exchange/index.js';
import { createSimulator } from '../../../src/sim/index.js';
import type { SimulatorOptions } from '../../../src/sim/index.js';
import { SEEDED_SPLITS } from '../../../src/synthetic/index.js';
import type { SplitOption } from '../../../src/synthetic/index.js';

/** Issue 8 §6: a split on a seeded day — prices ÷ ratio, adjusted and original history, holdings × ratio. */
const CAL = createCalendar(parseCalendarData({ coveredYears: [2026], holidays: [], specialSessions: [] }));
const D0 = tradingDate('20260311');
const D1 = tradingDate('20260312');
const EX = tradingDate('20260313');
const HYNIX = stockCode('000660');

function sim(splits: SplitOption | undefined, day: TradingDate = D1, extra: Partial<SimulatorOptions> = {}) {
  const clock = createManualClock(kstInstant(day, '100000'));
  const s = createSimulator({ env: 'live', seed: 7, clock, calendar: CAL, fees: DEFAULT_FEE_RATES, symbols: 40, ...(splits === undefined ? {} : { splits }), ...extra });
  return { market: s.market, clock, sim: s };
}

describe('simulated splits', () => {
  const split = [{ symbol: HYNIX, date: EX, num: 5, den: 1 }];

  it('off by default: the same prices as before for every symbol', () => {
    const plain = sim(undefined).market;
    const none = sim('none').market;
    const withSplit = sim(split).market;
    expect(plain.splits()).toEqual([]);
    for (const code of ['005930', '035420', HYNIX]) {
      expect(none.dailyBars(code, { count: 20 })).toEqual(plain.dailyBars(code, { count: 20 }));
    }
    // another symbol is untouched by HYNIX's split
    expect(withSplit.dailyBars('005930', { count: 20, at: kstInstant(EX, '160000') })).toEqual(plain.dailyBars('005930', { count: 20, at: kstInstant(EX, '160000') }));
  });

  it('from the ex-date the base price is the previous close ÷ ratio and the limits follow it', () => {
    const m = sim(split).market;
    const close = m.plan(HYNIX, D1).close;
    const plan = m.plan(HYNIX, EX);
    expect(plan.base).toBe(roundToTick(krw(close / 5), 'nearest'));
    expect({ upper: plan.upper, lower: plan.lower }).toEqual(priceLimits(plan.base));
    expect(m.quote(HYNIX, kstInstant(EX, '083000')).base).toBe(plan.base);
  });

  it('adjusted history divides the bars before the ex-date, original history keeps them, once the ex-date has come', () => {
    const m = sim(split).market;
    const atEx = kstInstant(EX, '160000');
    const original = m.dailyBars(HYNIX, { count: 5, at: atEx, adjusted: false });
    const adjusted = m.dailyBars(HYNIX, { count: 5, at: atEx });
    const o = original.find((b) => b.date === D0)!;
    const a = adjusted.find((b) => b.date === D0)!;
    expect(a).toEqual({ ...o, open: Math.round(o.open / 5), high: Math.round(o.high / 5), low: Math.round(o.low / 5), close: Math.round(o.close / 5), volume: o.volume * 5 });
    expect(adjusted.find((b) => b.date === EX)).toEqual(original.find((b) => b.date === EX));
    // the day before the ex-date nothing is adjusted yet
    expect(m.dailyBars(HYNIX, { count: 5, at: kstInstant(D1, '160000') }).find((b) => b.date === D0)).toEqual(o);
  });

  it('seeded splits are deterministic, a few, never the anchor names, within five trading days', () => {
    const a = sim('seeded').market.splits();
    const b = sim('seeded').market.splits();
    expect(a).toEqual(b);
    expect(a).toHaveLength(SEEDED_SPLITS);
    for (const s of a) {
      expect(['005930', '000660', '035420']).not.toContain(s.symbol);
      // 2026-03-12 is a Thursday: five trading days later is Thursday 2026-03-19
      expect(s.date > D1 && s.date <= tradingDate('20260319')).toBe(true);
      expect([2, 5, 10]).toContain(s.num);
    }
  });

  it('refuses a split of an unknown symbol, on a closed day, or by a ratio of 1', () => {
    const code = (o: SplitOption) => {
      try { sim(o); } catch (e) { return isAppError(e) ? e.code : 'other'; }
      return 'none';
    };
    expect(code([{ symbol: stockCode('999990'), date: EX, num: 2, den: 1 }])).toBe('SIM_INVALID_OPTIONS');
    expect(code([{ symbol: HYNIX, date: tradingDate('20260314'), num: 2, den: 1 }])).toBe('SIM_INVALID_OPTIONS');
    expect(code([{ symbol: HYNIX, date: EX, num: 3, den: 3 }])).toBe('SIM_INVALID_OPTIONS');
  });

  it('the ledger holds quantity × ratio at the same purchase amount (a reverse split drops the fraction)', () => {
    const rates = { commission: ppm(141), taxTable: DEFAULT_TAX_TABLE };
    let l = createLedger([{ account: 'A', initialCash: krw(10_000_000) }]);
    l = applyFill(l, {
      orderId: 'o1', account: 'A', symbol: HYNIX, exchange: 'KOSPI', side: 'buy', qty: shares(10), price: krw(150_000),
      at: kstInstant(D1, '100000'), date: D1, settleDate: EX,
    }, rates).state;
    const after = applySplit(l, HYNIX, 5, 1);
    expect(ledgerAccount(after, 'A').positions.get(HYNIX)).toEqual({ qty: 50, cost: 1_500_000 });
    expect(ledgerAccount(applySplit(l, HYNIX, 1, 3), 'A').positions.get(HYNIX)).toEqual({ qty: 3, cost: 1_500_000 });
    expect(ledgerAccount(applySplit(l, stockCode('005930'), 5, 1), 'A').positions.get(HYNIX)).toEqual({ qty: 10, cost: 1_500_000 });
  });
});
