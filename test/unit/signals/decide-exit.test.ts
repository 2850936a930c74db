import { describe, it, expect } from 'vitest';
import { krw, shares, tradingDate } from '../../../src/domain/index.js';
import type { Krw } from '../../../src/domain/index.js';
import type { DailyBar, ExitPolicy } from '../../../src/domain/index.js';
import { decideExit, REGULAR_SESSION } from '../../../src/signals/index.js';
import type { ExitRule, ExitState, StrategyInstance } from '../../../src/signals/index.js';
import { SYM, TODAY, bars, quote } from './builders.js';
import { strategyInstance } from '../../helpers/builders.js';

const policy: ExitPolicy = { stopLossBp: 300, takeProfitBp: 500, breakEvenAfterBp: null, trailAtrMultiple: null, atrPeriod: 14, maxHoldDays: 5 };

function exit(price: number, opts: {
  days?: number; avg?: number; p?: Partial<ExitPolicy>; flattenDue?: boolean; previous?: ExitState | null; bars?: DailyBar[];
  strategy?: StrategyInstance | null;
} = {}) {
  return decideExit({
    snapshot: {
      symbol: SYM, today: TODAY, quote: quote({ price: price as Krw }), bars: opts.bars ?? bars([10_000, 10_000, 10_000]),
      session: REGULAR_SESSION, scan: null,
    },
    position: { qty: shares(10), avgPrice: krw(opts.avg ?? 10_000), openedDate: tradingDate('20260309'), daysHeld: opts.days ?? 2 },
    policy: { ...policy, ...opts.p }, previous: opts.previous ?? null, flattenDue: opts.flattenDue ?? false, strategy: opts.strategy ?? null,
  });
}

describe('decideExit: every rule', () => {
  it.each<{ name: string; price: number; days?: number; avg?: number; p?: Partial<ExitPolicy>; rule: ExitRule }>([
    { name: 'zero price (the Ouroboros −100 % bug)', price: 0, rule: 'no-price' },
    { name: 'zero price even past the holding limit', price: 0, days: 9, rule: 'no-price' },
    { name: 'negative price', price: -1, rule: 'no-price' },
    { name: 'loss exactly at the stop', price: 9_700, rule: 'stop-loss' },
    { name: 'loss beyond the stop', price: 9_000, rule: 'stop-loss' },
    { name: 'loss just inside the stop', price: 9_710, rule: 'hold' },
    { name: 'gain exactly at the target', price: 10_500, rule: 'take-profit' },
    { name: 'gain just below the target', price: 10_490, rule: 'hold' },
    { name: 'holding limit reached', price: 10_100, days: 5, rule: 'max-hold' },
    { name: 'one day before the holding limit', price: 10_100, days: 4, rule: 'hold' },
    { name: 'stop-loss wins over the holding limit', price: 9_500, days: 7, rule: 'stop-loss' },
    { name: 'a stop written as a negative number is the same distance', price: 9_700, p: { stopLossBp: -300 }, rule: 'stop-loss' },
    { name: 'a negative stop never exits a gain', price: 10_300, p: { stopLossBp: -300 }, rule: 'hold' },
    { name: 'unknown average price: no P&L rule, holding limit still applies', price: 10_100, avg: 0, days: 5, rule: 'max-hold' },
    { name: 'unknown average price within the limit', price: 5_000, avg: 0, rule: 'hold' },
  ])('$name → $rule', ({ price, days, avg, p, rule }) => {
    const signal = exit(price, { ...(days === undefined ? {} : { days }), ...(avg === undefined ? {} : { avg }), ...(p === undefined ? {} : { p }) });
    expect(signal.rule).toBe(rule);
    expect(signal.action).toBe(rule === 'hold' || rule === 'no-price' ? 'hold' : 'exit');
  });

  it('says what decided, in words', () => {
    expect(exit(9_680).detail).toBe('loss 3.20 % ≥ stop 3.00 %');
    expect(exit(10_500).detail).toBe('gain 5.00 % ≥ 5.00 %');
    expect(exit(10_100, { days: 5 }).detail).toBe('held 5 of 5 trading days');
    expect(exit(10_100).detail).toBeNull();
  });

  it('reports the return it acted on, and none without a price', () => {
    expect(exit(9_700).values).toMatchObject({ pnlBp: -300, price: 9_700, avgPrice: 10_000, stopLossBp: 300, tradingDaysHeld: 2 });
    expect(exit(0).values.pnlBp).toBeNull();
  });
});

describe('decideExit: the flatten before the close (schedule.flattenBeforeCloseMinutes)', () => {
  it('sells a position that no other rule would sell once the flatten time has come', () => {
    expect(exit(10_100, { flattenDue: true }).rule).toBe('flatten-before-close');
    expect(exit(10_100, { flattenDue: true }).action).toBe('exit');
    expect(exit(10_100, { flattenDue: true }).values.flattenDue).toBe(true);
    expect(exit(10_100, { flattenDue: false }).rule).toBe('hold');
  });
  it('leaves the name of a stop-loss, take-profit or holding limit that fires at the same time', () => {
    expect(exit(9_000, { flattenDue: true }).rule).toBe('stop-loss');
    expect(exit(10_600, { flattenDue: true }).rule).toBe('take-profit');
    expect(exit(10_100, { flattenDue: true, days: 5 }).rule).toBe('max-hold');
  });
  it('does not act without a price', () => {
    expect(exit(0, { flattenDue: true }).rule).toBe('no-price');
  });
});

describe('decideExit: the state machine (peak, break-even lock, ATR trail)', () => {
  it('carries the peak since entry between evaluations, from quotes and completed highs after the opening day', () => {
    const first = exit(10_300);
    expect(first.state).toEqual({ peakPrice: 10_300, breakEvenArmed: false });
    // a lower price later keeps the earlier peak
    expect(exit(10_100, { previous: first.state }).state.peakPrice).toBe(10_300);
    // bars dated after the opening day (20260309) count; the opening day's own high does not
    const withHighs = bars([12_000, 10_000, 10_000]).map((b, i) => ({ ...b, high: krw(i === 0 ? 12_000 : 10_400) }));
    expect(withHighs[0]!.date).toBe('20260309');
    expect(exit(10_100, { bars: withHighs }).state.peakPrice).toBe(10_400);
  });

  it('arms the break-even lock once the peak is far enough up, and sells when the price falls back to the average', () => {
    const p = { breakEvenAfterBp: 200, takeProfitBp: null };
    const up = exit(10_250, { p });
    expect(up.rule).toBe('hold');
    expect(up.state.breakEvenArmed).toBe(true);
    expect(exit(10_050, { p, previous: up.state }).rule).toBe('hold');
    const back = exit(10_000, { p, previous: up.state });
    expect(back.rule).toBe('break-even');
    expect(back.action).toBe('exit');
    // never armed: the same price is a hold
    expect(exit(10_000, { p }).rule).toBe('hold');
    // the hard stop still comes first
    expect(exit(9_600, { p, previous: up.state }).rule).toBe('stop-loss');
  });

  it('trails the peak by k ATRs', () => {
    // 15 bars with a 200-won range each: ATR(14) = 200
    const ranged = bars(Array<number>(15).fill(10_000)).map((b) => ({ ...b, high: krw(10_100), low: krw(9_900) }));
    const p = { trailAtrMultiple: 2, takeProfitBp: null, stopLossBp: 3000 };
    const peak: ExitState = { peakPrice: krw(11_000), breakEvenArmed: false };
    const above = exit(10_650, { p, bars: ranged, previous: peak });
    expect(above.values).toMatchObject({ trailAtr: 200, trailStop: 10_600, peakPrice: 11_000 });
    expect(above.rule).toBe('hold');
    expect(exit(10_600, { p, bars: ranged, previous: peak }).rule).toBe('trailing-stop');
    // without enough bars for the ATR the trail is off, not zero
    expect(exit(10_600, { p, previous: peak }).values.trailStop).toBeNull();
  });

  it('asks the strategy for its own exit after the protective ones, before the time stop', () => {
    const own = (fire: boolean): StrategyInstance => ({
      ...strategyInstance(), exit: () => ({ fire, rule: 'own-exit', values: { ownValue: 1 } }),
    });
    expect(exit(10_100, { strategy: own(true) }).rule).toBe('own-exit');
    expect(exit(10_100, { strategy: own(true) }).values.ownValue).toBe(1);
    expect(exit(10_100, { strategy: own(false), days: 5 }).rule).toBe('max-hold');
    expect(exit(9_000, { strategy: own(true) }).rule).toBe('stop-loss');
    expect(exit(10_600, { strategy: own(true) }).rule).toBe('take-profit');
  });

  it('keeps the previous state when there is no price', () => {
    const previous: ExitState = { peakPrice: krw(10_800), breakEvenArmed: true };
    expect(exit(0, { previous }).state).toBe(previous);
  });
});
