import { AppError } from '../domain/index.js';

/**
 * Name exclusions are regular expressions, matched case-insensitively: plain substrings cannot
 * tell a preferred share (삼성전자우, 현대차2우B) from a name that merely contains 우 (우리기술).
 */
export const SUGGESTED_EXCLUDE_NAME_PATTERNS: readonly string[] = [
  '스팩',
  'SPAC',
  'ETN',
  // preferred shares: 우, 1우, 2우B, 우C, 우(전환) at the end of the name
  '[0-9]?우[BC]?(\\(전환\\))?$',
];

export interface NamePattern {
  source: string;
  regex: RegExp;
}

export function compileNamePatterns(patterns: readonly string[]): NamePattern[] {
  return patterns.map((source) => {
    try {
      return { source, regex: new RegExp(source, 'iu') };
    } catch (err) {
      throw new AppError('SCAN_INVALID_PATTERN', `invalid name pattern "${source}"`, { cause: err, details: { pattern: source } });
    }
  });
}

/** The first pattern the name matches, or null. */
export function matchNamePattern(name: string, patterns: readonly NamePattern[]): string | null {
  return patterns.find((p) => p.regex.test(name))?.source ?? null;
}
