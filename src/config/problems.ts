import type { z } from 'zod';
import { valueAt } from './merge.js';
import { nodeAt } from './schema-walk.js';
import { closestMatch } from './suggest.js';

/**
 * Turns zod issues into `path.to.key: reason` lines. zod never sees secrets (they are not in the
 * schema), but values are still shown only for plain config values and cut short.
 */

type Path = readonly PropertyKey[];

export function formatPath(path: Path): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(root)' : out;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

export function showValue(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}…` : text;
}

const ARTICLE: Record<string, string> = {
  number: 'a number', int: 'an integer', string: 'a string', boolean: 'a boolean',
  object: 'an object', array: 'an array', null: 'null',
};

function keyPath(path: Path): (string | number)[] {
  return path.filter((k): k is string | number => typeof k !== 'symbol');
}

function invalidType(issue: z.core.$ZodIssueInvalidType, input: unknown, root: z.ZodType): string {
  const value = valueAt(input, issue.path);
  if (value === undefined) return 'is required';
  const expected = ARTICLE[issue.expected] ?? issue.expected;
  if (issue.expected === 'int' && typeof value === 'number') {
    return Number.isFinite(value) && Number.isInteger(value)
      ? `must be a safe integer, got ${showValue(value)}`
      : `expected an integer, got ${showValue(value)}`;
  }
  const orNull = nodeAt(root, keyPath(issue.path)).nullable ? ' or null' : '';
  return `expected ${expected}${orNull}, got ${typeName(value)}`;
}

function bound(value: unknown): string {
  return typeof value === 'bigint' ? value.toString() : String(value);
}

function tooBig(issue: z.core.$ZodIssueTooBig): string {
  const max = bound(issue.maximum);
  let reason: string;
  if (issue.origin === 'array' || issue.origin === 'set') reason = `must have at most ${max} items`;
  else if (issue.origin === 'string') reason = `must be at most ${max} characters`;
  else reason = issue.inclusive === false ? `must be less than ${max}` : `must be at most ${max}`;
  if (issue.path[0] === 'risk') {
    reason += ' (risk limits may only be tightened beyond the default within the allowed range)';
  }
  return reason;
}

function tooSmall(issue: z.core.$ZodIssueTooSmall): string {
  const min = bound(issue.minimum);
  if (issue.origin === 'array' || issue.origin === 'set') {
    return `must have at least ${min} item${min === '1' ? '' : 's'}`;
  }
  if (issue.origin === 'string') return min === '1' ? 'must not be empty' : `must be at least ${min} characters`;
  return issue.inclusive === false ? `must be greater than ${min}` : `must be at least ${min}`;
}

function withGot(message: string, value: unknown): string {
  return typeof value === 'string' ? `${message}, got ${showValue(value)}` : message;
}

/** Where a value came from, e.g. "in config/local.json" or "from KIS_TRADER__RISK__MAX_POSITIONS". */
export type OriginOf = (path: readonly (string | number)[]) => string | undefined;

function line(path: Path, reason: string, originOf: OriginOf | undefined): string {
  const origin = originOf?.(keyPath(path));
  return `${formatPath(path)}: ${reason}${origin === undefined ? '' : ` (${origin})`}`;
}

/** Top-level sections that were replaced, and what a config that still has them should say instead. */
const REPLACED_SECTIONS: Readonly<Record<string, string>> = {
  strategy: 'replaced by strategies (one entry per strategy: strategies.<id>.use, .params, .exits; see the README, '
    + '"Strategies"); strategy.exitBeforeCloseMinutes is now schedule.flattenBeforeCloseMinutes',
};

function unrecognized(issue: z.core.$ZodIssueUnrecognizedKeys, root: z.ZodType, originOf: OriginOf | undefined): string[] {
  const known = nodeAt(root, keyPath(issue.path)).keys;
  return issue.keys.map((key) => {
    const replaced = issue.path.length === 0 ? REPLACED_SECTIONS[key] : undefined;
    if (replaced !== undefined) return line([key], `unrecognized key: ${replaced}`, originOf);
    const near = closestMatch(key, known);
    const hint = near === null ? '' : ` (did you mean ${near}?)`;
    return line([...issue.path, key], `unrecognized key${hint}`, originOf);
  });
}

export function formatIssues(
  issues: readonly z.core.$ZodIssue[],
  input: unknown,
  root: z.ZodType,
  originOf?: OriginOf,
): string[] {
  const out: string[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      out.push(...unrecognized(issue, root, originOf));
      continue;
    }
    const value = valueAt(input, issue.path);
    let reason: string;
    switch (issue.code) {
      case 'invalid_type':
        reason = invalidType(issue, input, root);
        break;
      case 'too_big':
        reason = tooBig(issue);
        break;
      case 'too_small':
        reason = tooSmall(issue);
        break;
      case 'invalid_value':
        reason = `expected one of ${issue.values.map(showValue).join(', ')}, got ${showValue(value)}`;
        break;
      case 'not_multiple_of':
        reason = `must be a multiple of ${bound(issue.divisor)}`;
        break;
      case 'invalid_key':
        // a record's key (a strategy id): say what a key must look like, not zod's "Invalid key in record"
        reason = `is not a valid name: ${issue.issues[0]?.message ?? issue.message}`;
        break;
      default:
        reason = withGot(issue.message, value);
    }
    out.push(line(issue.path, reason, originOf));
  }
  return out;
}
