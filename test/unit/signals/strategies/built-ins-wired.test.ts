import { describe, expect, it } from 'vitest';
import { krw, kstInstant, shares } from '../../../../src/domain/index.js';
import type { ExitPolicy, StrategySlice } from '../../../../src/domain/index.js';
import { BUILT_IN_STRATEGIES, bindStrategy, decideEntry, decideExit } from '../../../../src/signals/index.js';
import type { StrategyInstance } from '../../../../src/signals/index.js';
import { TODAY, bars } from '../builders.js';
import { ranged, snapshot } from './snapshot.js';

const policy: ExitPolicy = {
  stopLossBp: 300, takeProfitBp: null, breakEvenAfterBp: null, trailAtrMultiple: null, atrPeriod: 14, maxHoldDays: null,
};

function bound(use: string, exits: Partial<ExitPolicy> = {}): StrategyInstance {
  const strategy = BUILT_IN_STRATEGIES.get(use)!;
  const slice: StrategySlice = {
    id: `my-${use}`, use, module: null, params: {}, budgetBp: 10_000, maxPositions: 5, exits: { ...policy, ...exits },
    universe: { minPrice: null, maxPrice: null, minTradedValue: null, maxRank: null, symbols: [], exclude: [] },
  };
  return bindStrategy(slice, strategy, strategy.params.parse({}));
}

// The strategies through the entry and exit decisions the daemon and the backtester call: their
// values sit beside the common ones without replacing them, and their own exits run.
describe('built-in strategies in decideEntry and decideExit', () => {
  it('rsi2-mean-reversion enters, keeping the review RSI(14) apart from its RSI(2)', () => {
    const b = bars(Array.from({ length: 100 }, (_, i) => 5_000 + 50 * i), 2_000_000);
    const decision = decideEntry(snapshot({ quote: { price: krw(9_000) }, bars: b }), bound('rsi2-mean-reversion'));
    expect(decision).toMatchObject({ action: 'enter', rule: 'rsi2-mean-reversion', values: { strategy: 'my-rsi2-mean-reversion', price: 9_000 } });
    expect(decision.values.signalRsi).toBeCloseTo(5, 9);
    expect(decision.values.rsi).toBe(100); // 14 rising closes
  });

  it('breakout-atr enters, and its trailing stop comes from exits, before its channel exit', () => {
    const b = ranged(bars(Array<number>(20).fill(10_000)), 100);
    const strategy = bound('breakout-atr', { trailAtrMultiple: 2, stopLossBp: 1_000 });
    expect(decideEntry(snapshot({ quote: { price: krw(10_200) }, bars: b }), strategy)).toMatchObject({ action: 'enter', rule: 'breakout-atr' });
    const position = { qty: shares(10), avgPrice: krw(10_000), openedDate: TODAY, daysHeld: 0 };
    // peak 10,000 (the average price), ATR 200: the trail is at 9,600, the 10-day low 9,900, the stop 9,000
    const at = (price: number) => decideExit({
      snapshot: snapshot({ quote: { price: krw(price) }, bars: b }), position, policy: strategy.exits, previous: null, flattenDue: false, strategy,
    });
    expect(at(9_800)).toMatchObject({ action: 'exit', rule: 'channel-exit', values: { trailStop: 9_600, channelLow: 9_900 } });
    expect(at(9_600)).toMatchObject({ action: 'exit', rule: 'trailing-stop' });
    expect(at(9_950)).toMatchObject({ action: 'hold', rule: 'hold', values: { strategyExitRule: 'hold' } });
  });

  it('gap-and-go enters at the open and its gap-fill exit applies on the entry day only', () => {
    const b = bars(Array<number>(20).fill(10_000));
    const q = { at: kstInstant(TODAY, '091500'), open: krw(10_300), price: krw(10_400), volume: shares(60_000) };
    const strategy = bound('gap-and-go');
    expect(decideEntry(snapshot({ quote: q, bars: b }), strategy)).toMatchObject({ action: 'enter', rule: 'gap-and-go' });
    const exit = (openedDate: typeof TODAY) => decideExit({
      snapshot: snapshot({ quote: { ...q, price: krw(10_250) }, bars: b }),
      position: { qty: shares(10), avgPrice: krw(10_400), openedDate, daysHeld: 0 }, policy, previous: null, flattenDue: false, strategy,
    });
    expect(exit(TODAY)).toMatchObject({ action: 'exit', rule: 'gap-fill' });
    expect(exit(b.at(-1)!.date)).toMatchObject({ action: 'hold', rule: 'hold', values: { strategyExitRule: 'not-entry-day' } });
  });
});
