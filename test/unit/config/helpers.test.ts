import { describe, expect, it } from 'vitest';
import { findJsonError } from '../../../src/config/json-position.js';
import { deepMerge } from '../../../src/config/merge.js';
import { closestMatch, editDistance } from '../../../src/config/suggest.js';

describe('editDistance / closestMatch', () => {
  it('counts a swap of neighbours as one edit', () => {
    expect(editDistance('maxPositons', 'maxPositions')).toBe(1);
    expect(editDistance('topn', 'ntop')).toBe(2);
    expect(editDistance('abc', 'acb')).toBe(1);
  });

  it('suggests the nearest plausible key, or none', () => {
    const keys = ['maxPositions', 'maxPositionPct', 'maxOrderValue'];
    expect(closestMatch('maxPositons', keys)).toBe('maxPositions');
    expect(closestMatch('maxpositionpct', keys)).toBe('maxPositionPct');
    expect(closestMatch('colour', keys)).toBeNull();
  });
});

describe('findJsonError', () => {
  it('returns null for valid JSON', () => {
    expect(findJsonError('{"a": [1, -2.5e3, true, null, "x\\u00e9"]}')).toBeNull();
  });

  it('points at the first bad character', () => {
    expect(findJsonError('{\n  "a": 1,\n}')).toMatchObject({ line: 3, column: 1 });
    expect(findJsonError('{"a": tru}')).toMatchObject({ line: 1, column: 7 });
    expect(findJsonError('{"a": 1} x')).toMatchObject({ line: 1, column: 10 });
    expect(findJsonError('{"a": "unterminated')).toMatchObject({ line: 1, column: 20 });
    expect(findJsonError('')).toMatchObject({ line: 1, column: 1 });
  });
});

describe('deepMerge', () => {
  it('merges objects, replaces arrays and scalars, and leaves inputs untouched', () => {
    const base = { a: { b: 1, c: [1, 2] }, d: 'x' };
    const over = { a: { c: [3] }, d: null };
    expect(deepMerge(base, over)).toEqual({ a: { b: 1, c: [3] }, d: null });
    expect(base).toEqual({ a: { b: 1, c: [1, 2] }, d: 'x' });
  });
});
