import { z } from 'zod';
import type { PlainObject } from './merge.js';
import { setPath } from './merge.js';
import { formatPath, showValue } from './problems.js';
import { nodeAt } from './schema-walk.js';
import type { Env } from './secrets.js';

/** `KIS_TRADER__RISK__MAX_POSITIONS=3` sets risk.maxPositions (docs/architecture.md §5). */
export const ENV_PREFIX = 'KIS_TRADER__';

export interface EnvOverride {
  name: string;
  path: string[];
}

export interface EnvLayer {
  value: PlainObject;
  overrides: EnvOverride[];
  problems: string[];
}

function camelCase(segment: string): string {
  return segment.toLowerCase().replace(/_+([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function normalise(key: string): string {
  return key.toLowerCase().replace(/_/g, '');
}

/**
 * Maps each SCREAMING_SNAKE segment onto the schema's key at that level (so PAPER_TLS → paperTls).
 * Below a record of sections the segment is an id, whose dashes an environment variable name
 * cannot hold: STRATEGIES__MOMENTUM_VOLUME → strategies.momentum-volume (ids have no underscores).
 */
function resolvePath(root: z.ZodType, segments: string[]): string[] {
  const path: string[] = [];
  for (const segment of segments) {
    const node = nodeAt(root, path);
    if (node.kind === 'sections') {
      path.push(segment.toLowerCase().replace(/_/g, '-'));
      continue;
    }
    const match = node.keys.find((k) => normalise(k) === normalise(segment));
    path.push(match ?? camelCase(segment));
  }
  return path;
}

const stringbool = z.stringbool();

type Parsed = { ok: true; value: unknown } | { ok: false; reason: string };

function parseJsonOr(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

/**
 * Strings stay strings where the schema wants a string (so "0900" is not the number 900);
 * booleans follow z.stringbool (never z.coerce.boolean, which reads "false" as true: docs/stack.md §7);
 * lists may also be written comma-separated; anything else is JSON when it parses.
 */
function parseValue(root: z.ZodType, path: string[], raw: string): Parsed {
  const node = nodeAt(root, path);
  if (node.nullable && raw.trim() === 'null') return { ok: true, value: null };
  switch (node.kind) {
    case 'string':
    case 'enum':
      return { ok: true, value: raw };
    case 'boolean': {
      const parsed = stringbool.safeParse(raw.trim());
      return parsed.success
        ? { ok: true, value: parsed.data }
        : { ok: false, reason: `expected a boolean (true/false, 1/0, yes/no, on/off), got ${showValue(raw)}` };
    }
    case 'array': {
      const value = parseJsonOr(raw);
      if (typeof value !== 'string') return { ok: true, value };
      return { ok: true, value: raw.split(',').map((s) => s.trim()).filter((s) => s !== '') };
    }
    default:
      return { ok: true, value: parseJsonOr(raw) };
  }
}

export function readEnvOverrides(env: Env, root: z.ZodType): EnvLayer {
  const value: PlainObject = {};
  const overrides: EnvOverride[] = [];
  const problems: string[] = [];
  const names = Object.keys(env)
    .filter((name) => name.toUpperCase().startsWith(ENV_PREFIX))
    .map((name) => ({ name, segments: name.slice(ENV_PREFIX.length).split('__') }))
    // Shallow first, so KIS_TRADER__RISK='{…}' is refined by KIS_TRADER__RISK__MAX_POSITIONS.
    .sort((a, b) => a.segments.length - b.segments.length || a.name.localeCompare(b.name));
  for (const { name, segments } of names) {
    const raw = env[name];
    if (raw === undefined) continue;
    if (segments.some((s) => !/^[A-Za-z0-9_]+$/.test(s) || s.startsWith('_') || s.endsWith('_'))) {
      problems.push(`${name}: not a config key (use KIS_TRADER__SECTION__KEY, e.g. KIS_TRADER__RISK__MAX_POSITIONS)`);
      continue;
    }
    const path = resolvePath(root, segments);
    const parsed = parseValue(root, path, raw);
    if (!parsed.ok) {
      problems.push(`${formatPath(path)}: ${parsed.reason} (from ${name})`);
      continue;
    }
    setPath(value, path, parsed.value);
    overrides.push({ name, path });
  }
  return { value, overrides, problems };
}
