import { describe, expect, it } from 'vitest';
import { formatIssues } from '../../../../src/config/index.js';
import { rules } from '../../../../src/signals/strategies/rules.js';
import { rulesParams } from '../../../../src/signals/strategies/rules-schema.js';

/** The problem lines `config check` would print under strategies.<id>.params. */
function problems(params: unknown): string[] {
  const r = rulesParams.safeParse(params);
  return r.success ? [] : formatIssues(r.error.issues, params, rulesParams);
}

const ok = { left: 'price', op: '>', right: 'sma(20)' };

/** An entry rule whose second condition is the given one. */
const entryWith = (cond: unknown) => ({ entry: { name: 'e', all: [ok, cond] } });

describe('rules params: what parses', () => {
  it('parses the README example into operands, with the windows it needs', () => {
    const p = rulesParams.parse({
      entry: { name: 'oversold-in-uptrend', all: [
        { left: 'rsi(2)', op: '<', right: 10 },
        { left: 'price', op: '>', right: 'sma(50)' },
        { left: 'scan.rank', op: '<=', right: 10 },
      ] },
      exit: { name: 'rsi-recovered', any: [{ left: 'rsi(2)', op: '>', right: 70 }, { left: 'position.daysHeld', op: '>=', right: 3 }] },
    });
    expect(p.entry.all?.[0]).toEqual({
      left: { kind: 'indicator', text: 'rsi(2)', name: 'rsi', args: [2], bars: 3 }, op: '<', right: { kind: 'number', text: '10', value: 10 },
    });
    expect(p.entry.all?.[2]?.left).toEqual({ kind: 'field', text: 'scan.rank', name: 'scan.rank' });
    expect(rules.barsNeeded(p)).toBe(50);
  });

  it('writes an expression canonically whatever the spacing', () => {
    const p = rulesParams.parse(entryWith({ left: ' bbUpper( 20 , 2.5 ) ', op: '<', right: 'price' }));
    expect(p.entry.all?.[1]?.left).toMatchObject({ text: 'bbUpper(20,2.5)', args: [20, 2.5], bars: 20 });
  });

  it('counts what each indicator needs beyond its window', () => {
    const need = (expr: string) => rules.barsNeeded(rulesParams.parse({ entry: { all: [{ left: expr, op: '>', right: 0 }] } }));
    expect(need('rsi(14)')).toBe(15);
    expect(need('roc(10)')).toBe(11);
    expect(need('volumeRatio(20)')).toBe(21);
    expect(need('macd(12,26,9)')).toBe(34);
    expect(need('high(100)')).toBe(100);
    expect(need('gapPct')).toBe(0);
  });

  it('takes the larger need of the entry and the exit rule', () => {
    const p = rulesParams.parse({ entry: { all: [ok] }, exit: { any: [{ left: 'price', op: '<', right: 'ema(60)' }] } });
    expect(rules.barsNeeded(p)).toBe(60);
  });

  it('has no exit rule unless one is written', () => {
    expect(rulesParams.parse({ entry: { all: [ok] } }).exit).toBeNull();
  });

  it('accepts one level of nested groups', () => {
    expect(problems({ entry: { all: [ok, { any: [{ left: 'rsi(2)', op: '<', right: 5 }, { left: 'changePct', op: '<', right: -3 }] }] } })).toEqual([]);
  });
});

describe('rules params: each mistake is a problem with its path', () => {
  it.each([
    ['an unknown indicator, with a suggestion', entryWith({ left: 'price', op: '>', right: 'smaa(50)' }),
      'entry.all[1].right: unknown indicator "smaa" (did you mean sma?), got "smaa(50)"'],
    ['an unknown field, with a suggestion', entryWith({ left: 'scan.rnak', op: '<=', right: 10 }),
      'entry.all[1].left: unknown field "scan.rnak" (did you mean scan.rank?), got "scan.rnak"'],
    ['an unknown field without a near name', entryWith({ left: 'mood', op: '>', right: 1 }),
      'entry.all[1].left: unknown field "mood", got "mood"'],
    ['a wrong argument count', entryWith({ left: 'sma(20,2)', op: '<', right: 'price' }),
      'entry.all[1].left: sma takes 1 argument, sma(n), got 2, got "sma(20,2)"'],
    ['a window below 1', entryWith({ left: 'rsi(0)', op: '<', right: 10 }),
      'entry.all[1].left: rsi(n): a window is a whole number of days from 1 to 100, got 0, got "rsi(0)"'],
    ['a window above 100', entryWith({ left: 'sma(200)', op: '<', right: 'price' }),
      'entry.all[1].left: sma(n): a window is a whole number of days from 1 to 100, got 200, got "sma(200)"'],
    ['a fractional window', entryWith({ left: 'ema(2.5)', op: '<', right: 'price' }),
      'entry.all[1].left: ema(n): a window is a whole number of days from 1 to 100, got 2.5, got "ema(2.5)"'],
    ['more history than KIS returns', entryWith({ left: 'macd(50,90,20)', op: '>', right: 0 }),
      'entry.all[1].left: macd(50,90,20) needs 109 completed daily bars; at most 100 are available, got "macd(50,90,20)"'],
    ['MACD fast not below slow', entryWith({ left: 'macd(26,12,9)', op: '>', right: 0 }),
      'entry.all[1].left: the fast period must be below the slow one, got 26 and 12, got "macd(26,12,9)"'],
    ['a Bollinger multiplier of 0', entryWith({ left: 'bbLower(20,0)', op: '>', right: 'price' }),
      'entry.all[1].left: bbLower(n,k): the multiplier must be above 0 and at most 10, got 0, got "bbLower(20,0)"'],
    ['an argument that is not a number', entryWith({ left: 'sma(n)', op: '<', right: 'price' }),
      'entry.all[1].left: sma(n): arguments are numbers, got "n", got "sma(n)"'],
    ['an indicator without arguments', entryWith({ left: 'rsi', op: '<', right: 10 }),
      'entry.all[1].left: rsi is an indicator: write rsi(n), got "rsi"'],
    ['a field with parentheses', entryWith({ left: 'price()', op: '>', right: 1 }),
      'entry.all[1].left: price is a field: write it without parentheses, got "price()"'],
    ['a quoted number', entryWith({ left: 'price', op: '>', right: '10' }),
      'entry.all[1].right: a number is written without quotes: 10, got "10"'],
    ['an operand of the wrong type', entryWith({ left: true, op: '>', right: 1 }),
      'entry.all[1].left: expected a number, a field (price, scan.rank, …) or an indicator (sma(20), …)'],
    ['a position field in an entry rule', entryWith({ left: 'position.daysHeld', op: '>', right: 1 }),
      'entry.all[1].left: position.daysHeld: position fields are only known to exit rules (an entry has no position yet), got "position.daysHeld"'],
    ['an unknown comparison', entryWith({ left: 'price', op: '=>', right: 1 }),
      'entry.all[1].op: expected one of "<", "<=", ">", ">=", "==", "!=", got "=>"'],
    ['a missing operand', entryWith({ left: 'price', op: '>' }), 'entry.all[1].right: is required'],
    ['two numbers compared', entryWith({ left: 1, op: '<', right: 2 }),
      'entry.all[1].left: compares two numbers: one side must be a field or an indicator'],
    ['a mistyped key, with a suggestion', entryWith({ left: 'price', opp: '>', right: 1 }),
      'entry.all[1].opp: unrecognized key (did you mean op?)'],
    ['a group nested twice', entryWith({ any: [{ all: [ok] }] }), 'entry.all[1].any[0].all: unrecognized key'],
    ['a condition and a group at once', entryWith({ left: 'price', op: '>', right: 1, any: [ok] }),
      'entry.all[1]: is a condition (left, op, right) or a group (all or any), not both'],
    ['a rule with both all and any', { entry: { all: [ok], any: [ok] } }, 'entry.any: the entry rule has either all or any, not both'],
    ['a rule with neither', { entry: { name: 'x' } }, 'entry: the entry rule needs all: [conditions] or any: [conditions]'],
    ['an empty rule', { entry: { all: [] } }, 'entry.all: must have at least 1 item'],
    ['no entry rule', {}, 'entry: is required'],
  ])('%s', (_what, params, line) => {
    expect(problems(params)).toContain(line);
  });

  it('says scan fields are unknown to exit rules, and where', () => {
    expect(problems({ entry: { all: [ok] }, exit: { any: [ok, { left: 'scan.rank', op: '>', right: 20 }] } })).toEqual([
      'exit.any[1].left: scan.rank: scan fields are only known to entry rules (exits are evaluated without a scan row), got "scan.rank"',
    ]);
  });

  it('reports every mistake at once', () => {
    expect(problems({ entry: { all: [{ left: 'smaa(5)', op: '<', right: 'prise' }] }, exit: { any: [{ left: 'rsi(0)', op: '>', right: 70 }] } }))
      .toHaveLength(3);
  });
});
