import { describe, expect, it } from 'vitest';
import { basisPoints, krw, shares, tradingDate } from '../../../../src/domain/index.js';
import type { DailyBar, ExitPolicy, Quote, StrategySlice } from '../../../../src/domain/index.js';
import { bindStrategy, decideEntry, decideExit, REGULAR_SESSION } from '../../../../src/signals/index.js';
import type { PositionFields, ScanFields, Snapshot } from '../../../../src/signals/index.js';
import { rules } from '../../../../src/signals/strategies/rules.js';
import { rulesParams } from '../../../../src/signals/strategies/rules-schema.js';
import { SYM, TODAY, bars, quote } from '../builders.js';

// 48 flat days at 10,000 then two falls: RSI(2) is 0 (no gains), the 50-day SMA is 9,988.
const history = bars([...Array<number>(48).fill(10_000), 9_800, 9_600]);

const scanRow = (over: Partial<ScanFields> = {}): ScanFields => ({
  name: '삼성전자', rank: 3, changeBp: 500, tradedValue: krw(1_575_000_000), volume: shares(150_000), ...over,
});

function snapshot(over: { q?: Partial<Quote>; b?: DailyBar[]; scan?: ScanFields | null; position?: PositionFields | null } = {}): Snapshot {
  return {
    symbol: SYM, today: TODAY, quote: quote(over.q), bars: over.b ?? history, session: REGULAR_SESSION,
    scan: over.scan === undefined ? scanRow() : over.scan, position: over.position ?? null,
  };
}

const oversold = rulesParams.parse({
  entry: { name: 'oversold-in-uptrend', all: [
    { left: 'rsi(2)', op: '<', right: 10 },
    { left: 'price', op: '>', right: 'sma(50)' },
    { left: 'scan.rank', op: '<=', right: 10 },
  ] },
});

describe('rules: entry over a snapshot', () => {
  it('fires with the rule name and reports every operand and condition', () => {
    const s = rules.entry(snapshot(), oversold);
    expect(s.fire).toBe(true);
    expect(s.rule).toBe('oversold-in-uptrend');
    expect(s.values).toEqual({
      'rsi(2)': 0, price: 10_500, 'sma(50)': 9_988, 'scan.rank': 3,
      '[0] rsi(2) < 10': true, '[1] price > sma(50)': true, '[2] scan.rank <= 10': true,
    });
  });

  it('names the first failing condition, and still reports the ones after it', () => {
    const s = rules.entry(snapshot({ q: { price: krw(9_900) } }), oversold);
    expect(s.fire).toBe(false);
    expect(s.rule).toBe('oversold-in-uptrend:[1] price > sma(50)');
    expect(s.values['[2] scan.rank <= 10']).toBe(true);
  });

  it('treats too little history as a failed condition and says which operand had no value', () => {
    const s = rules.entry(snapshot({ b: history.slice(-20) }), oversold);
    expect(s.fire).toBe(false);
    expect(s.rule).toBe('oversold-in-uptrend:[1] price > sma(50) (no value: sma(50))');
    expect(s.values['sma(50)']).toBeNull();
    expect(s.values['[1] price > sma(50)']).toBeNull();
    expect(s.values['rsi(2)']).toBe(0);
  });

  it.each([
    ['no scan row', null],
    ['a watch-list candidate (no rank)', scanRow({ rank: null })],
  ])('has no scan.rank with %s', (_what, scan) => {
    const s = rules.entry(snapshot({ scan }), oversold);
    expect(s.rule).toBe('oversold-in-uptrend:[2] scan.rank <= 10 (no value: scan.rank)');
    expect(s.values['scan.rank']).toBeNull();
  });

  it('fires an any-rule on one true condition and reports none when all fail', () => {
    const p = rulesParams.parse({ entry: { name: 'either', any: [
      { left: 'changePct', op: '>=', right: 5 }, { left: 'gapPct', op: '>', right: 3 },
    ] } });
    // the default quote: base 10,000, price 10,500 (+5 %), open 10,000 (no gap)
    expect(rules.entry(snapshot(), p)).toMatchObject({ fire: true, rule: 'either', values: { changePct: 5, gapPct: 0 } });
    expect(rules.entry(snapshot({ q: { price: krw(10_400) } }), p)).toMatchObject({ fire: false, rule: 'either:none' });
    expect(rules.entry(snapshot({ q: { open: krw(10_400) } }), p).values).toMatchObject({ gapPct: 4, '[1] gapPct > 3': true });
  });

  it('names the operands without a value when an any-rule fails for lack of them', () => {
    const p = rulesParams.parse({ entry: { name: 'x', any: [{ left: 'price', op: '>', right: 'high(60)' }, { left: 'scan.rank', op: '==', right: 1 }] } });
    expect(rules.entry(snapshot({ scan: null }), p).rule).toBe('x:none (no value: high(60), scan.rank)');
  });

  it('combines a nested group into its parent', () => {
    const p = rulesParams.parse({ entry: { name: 'n', all: [
      { left: 'price', op: '>', right: 'sma(50)' },
      { any: [{ left: 'rsi(2)', op: '>', right: 90 }, { left: 'volume', op: '>=', right: 100_000 }] },
    ] } });
    const s = rules.entry(snapshot(), p);
    expect(s).toMatchObject({ fire: true, rule: 'n' });
    expect(s.values).toMatchObject({ '[1.0] rsi(2) > 90': false, '[1.1] volume >= 100000': true, '[1] any': true });
    expect(rules.entry(snapshot({ q: { volume: shares(10) } }), p).rule).toBe('n:[1] any');
  });

  it('compares two indicators and the N-day range of completed bars', () => {
    const p = rulesParams.parse({ entry: { name: 'breakout', all: [
      { left: 'price', op: '>', right: 'high(20)' }, { left: 'ema(5)', op: '<', right: 'sma(20)' }, { left: 'close(1)', op: '==', right: 9_600 },
    ] } });
    expect(rules.entry(snapshot(), p)).toMatchObject({ fire: true, values: { 'high(20)': 10_000, 'close(1)': 9_600 } });
  });

  it('measures projected volume against completed days', () => {
    // half the session gone, 150,000 traded: 300,000 projected vs 100,000 a day
    const p = rulesParams.parse({ entry: { all: [{ left: 'projectedVolumeRatio(20)', op: '>=', right: 300 }] } });
    expect(rules.entry(snapshot(), p)).toMatchObject({ fire: true, rule: 'entry', values: { 'projectedVolumeRatio(20)': 300 } });
  });
});

const slice = (params: Record<string, unknown>): StrategySlice => ({
  id: 'mine', use: 'rules', module: null, params,
  universe: { minPrice: null, maxPrice: null, minTradedValue: null, maxRank: null, symbols: [], exclude: [] },
  budgetBp: basisPoints(100), maxPositions: 5, exits: policy,
});

const policy: ExitPolicy = {
  stopLossBp: 300, takeProfitBp: null, breakEvenAfterBp: null, trailAtrMultiple: null, atrPeriod: 14, maxHoldDays: null,
};

function bind(params: Record<string, unknown>) {
  return bindStrategy(slice(params), rules, rulesParams.parse(params));
}

function exitAt(price: number, params: Record<string, unknown>, opts: { days?: number; peak?: number } = {}) {
  const strategy = bind(params);
  return decideExit({
    snapshot: { symbol: SYM, today: TODAY, quote: quote({ price: krw(price) }), bars: history, session: REGULAR_SESSION, scan: null },
    position: { qty: shares(10), avgPrice: krw(10_000), openedDate: tradingDate('20260309'), daysHeld: opts.days ?? 1 },
    policy, previous: opts.peak === undefined ? null : { peakPrice: krw(opts.peak), breakEvenArmed: false }, flattenDue: false, strategy,
  });
}

describe('rules: exits with position fields, through the exit machine', () => {
  const exitRule = {
    entry: { all: [{ left: 'price', op: '>', right: 0 }] },
    exit: { name: 'faded-or-stale', any: [
      { left: 'position.fromPeakPct', op: '<=', right: -4 },
      { left: 'position.daysHeld', op: '>=', right: 3 },
      { left: 'position.unrealisedPct', op: '>=', right: 8 },
    ] },
  };

  it('holds while no condition holds, reporting the position values in percent', () => {
    const d = exitAt(10_200, exitRule, { peak: 10_500 });
    expect(d).toMatchObject({ action: 'hold', rule: 'hold' });
    expect(d.values).toMatchObject({
      'position.fromPeakPct': (10_200 - 10_500) / 10_500 * 100, 'position.daysHeld': 1, 'position.unrealisedPct': 2, strategyExitRule: 'faded-or-stale:none',
    });
  });

  it.each([
    ['4 % off the peak', 10_080, {}, '[0] position.fromPeakPct <= -4'],
    ['held three days', 10_200, { days: 3 }, '[1] position.daysHeld >= 3'],
    ['up 8 %', 10_800, {}, '[2] position.unrealisedPct >= 8'],
  ])('exits %s with the rule name', (_what, price, opts, condition) => {
    const d = exitAt(price, exitRule, { peak: 10_500, ...opts });
    expect(d).toMatchObject({ action: 'exit', rule: 'faded-or-stale' });
    expect(d.values[condition]).toBe(true);
  });

  it('reports the peak since entry in percent', () => {
    const p = { entry: exitRule.entry, exit: { all: [{ left: 'position.peakPct', op: '>=', right: 5 }, { left: 'price', op: '<', right: 'position.avgPrice' }] } };
    expect(exitAt(9_900, p, { peak: 10_500 })).toMatchObject({ action: 'exit', rule: 'exit', values: { 'position.peakPct': 5, 'position.avgPrice': 10_000 } });
  });

  it('leaves the protective exits first: the hard stop decides before the rule', () => {
    expect(exitAt(9_600, exitRule, { days: 5 })).toMatchObject({ action: 'exit', rule: 'stop-loss' });
  });

  it('has no exit of its own without an exit rule', () => {
    const d = exitAt(10_200, { entry: exitRule.entry }, { days: 30 });
    expect(d).toMatchObject({ action: 'hold', rule: 'hold', values: { strategyExitRule: 'no-exit-rule' } });
  });
});

describe('rules: entry through decideEntry', () => {
  it('merges the rule values into the decision and asks the job for enough bars', () => {
    const strategy = bind({ entry: { name: 'oversold', all: [{ left: 'rsi(2)', op: '<', right: 10 }, { left: 'price', op: '>', right: 'sma(50)' }] } });
    expect(strategy.barsNeeded).toBe(50);
    const d = decideEntry(snapshot(), strategy);
    expect(d).toMatchObject({ action: 'enter', rule: 'oversold', values: { strategy: 'mine', use: 'rules', 'sma(50)': 9_988 } });
  });
});
