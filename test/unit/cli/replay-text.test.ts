import { describe, expect, it } from 'vitest';
import { replayText } from '../../../src/cli/replay-command.js';
import type { ReplayDifference } from '../../../src/signals/index.js';
import type { TradingDate } from '../../../src/domain/index.js';

/** What `kis-trader replay` prints: old decisions counted on one line, real differences in a table. */
const DATE = '20260302' as TradingDate;
const diff = (decisionId: number, field: string): ReplayDifference => ({
  decisionId, symbol: '005930', kind: 'entry', field,
  recorded: field === 'inputs' ? 'recorded before replay inputs existed' : 1, replayed: field === 'inputs' ? null : 2,
});
const day = (n: number): { id: number }[] => Array.from({ length: n }, (_, i) => ({ id: i + 1 }));

describe('replayText', () => {
  it('counts the decisions logged before replay inputs on one line, and lists the real differences', () => {
    const lines = replayText({ day: day(40), diffs: [diff(3, 'inputs'), diff(9, 'inputs'), diff(7, 'inputs'), diff(30, 'qty')], hashes: ['h'] }, 'h', DATE, 'trade log x');
    expect(lines[0]).toBe('replay of 20260302: 40 decisions (trade log x), config h now');
    expect(lines[1]).toBe('3 decision(s) (ids 3…9) were logged before replay inputs were recorded: not replayable, not compared (--json lists them)');
    expect(lines[2]).toBe('1 difference(s):');
    expect(lines[3]).toContain('qty');
    expect(lines[3]).not.toContain('inputs');
  });

  it('says no difference among the replayable ones when only old decisions are left', () => {
    const lines = replayText({ day: day(5), diffs: [diff(1, 'inputs')], hashes: ['h', 'g'] }, 'h', DATE, 's');
    expect(lines).toEqual([
      'replay of 20260302: 5 decisions (s), config h now',
      'decided under config g: a difference may be the config\'s, not the code\'s',
      '1 decision(s) (ids 1…1) were logged before replay inputs were recorded: not replayable, not compared (--json lists them)',
      'no difference among the 4 decision(s) that could be replayed',
    ]);
  });

  it('says no difference at all when everything replayed the same', () => {
    expect(replayText({ day: day(2), diffs: [], hashes: ['h'] }, 'h', DATE, 's').at(-1))
      .toBe('no difference: the decision code decides today as it did then, and the daemon sent what it decided');
  });
});
