import { AppError } from '../domain/index.js';

/**
 * Name exclusions are regular expressions, matched case-insensitively: plain substrings cannot
 * tell a preferred share (삼성전자우, 현대차2우B) from a name that merely contains 우 (우리기술).
 * The default list lives with the config default (scan.excludeNamePatterns), its only home.
 */
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
