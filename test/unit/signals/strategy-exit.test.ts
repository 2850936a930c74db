import { describe, it, expect } from 'vitest';
import { krw, shares, tradingDate } from '../../../src/domain/index.js';
import type { Krw } from '../../../src/domain/index.js';
import { evaluateExit } from '../../../src/signals/index.js';
import type { ExitRule, StrategyParams } from '../../../src/signals/index.js';
import { SYM, TODAY, bars, quote } from './builders.js';

const params: StrategyParams = {
  lookbackDays: 5,
  minChangeBp: 200,
  maxChangeBp: 1500,
  minVolumeRatioPct: 200,
  requireAboveMa: true,
  takeProfitBp: 500,
  stopLossBp: 300,
  maxHoldDays: 5,
};

function exit(price: number, opts: { days?: number; avg?: number; p?: Partial<StrategyParams>; flattenDue?: boolean } = {}) {
  return evaluateExit({
    position: { symbol: SYM, qty: shares(10), avgPrice: krw(opts.avg ?? 10_000), openedDate: tradingDate('20260309') },
    quote: quote({ price: price as Krw }),
    bars: bars([10_000, 10_000, 10_000]),
    today: TODAY,
    tradingDaysHeld: opts.days ?? 2,
    params: { ...params, ...opts.p },
    ...(opts.flattenDue === undefined ? {} : { flattenDue: opts.flattenDue }),
  });
}

describe('evaluateExit: every rule', () => {
  it.each<{ name: string; price: number; days?: number; avg?: number; p?: Partial<StrategyParams>; rule: ExitRule }>([
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

  it('reports the return it acted on, and none without a price', () => {
    expect(exit(9_700).values).toMatchObject({ pnlBp: -300, price: 9_700, avgPrice: 10_000, stopLossBp: 300, tradingDaysHeld: 2 });
    expect(exit(0).values.pnlBp).toBeNull();
  });
});

describe('evaluateExit: the flatten before the close (strategy.exitBeforeCloseMinutes)', () => {
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
