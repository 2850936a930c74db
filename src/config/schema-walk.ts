import type { z } from 'zod';

/**
 * Reads the shape of the config schema at a key path, so env overrides can be typed by the
 * field they target and problems can suggest the nearest valid key. Only the wrappers the
 * config schema uses are unwrapped.
 */

/**
 * 'sections': a record whose values are objects, keyed by ids (`strategies.<id>`);
 * 'record': a record of plain values, keyed by names (`strategies.<id>.params`).
 */
export type LeafKind = 'string' | 'enum' | 'boolean' | 'number' | 'object' | 'array' | 'sections' | 'record' | 'unknown';

export interface SchemaNode {
  kind: LeafKind;
  nullable: boolean;
  /** the keys of an object node, else [] */
  keys: string[];
}

interface Def {
  type: string;
  innerType?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  valueType?: z.ZodType;
  /** a pipe (`.transform()`): the schema its input is checked against */
  in?: z.ZodType;
}

function defOf(schema: z.ZodType): Def {
  return schema._zod.def;
}

const WRAPPERS = new Set(['default', 'prefault', 'optional', 'nullable', 'readonly', 'catch']);

function unwrap(schema: z.ZodType): { core: z.ZodType; nullable: boolean } {
  let current = schema;
  let nullable = false;
  // A strategy's params schema is a pipe (`.transform()` to basis points): its keys are its input's.
  for (let def = defOf(current); (WRAPPERS.has(def.type) && def.innerType) || (def.type === 'pipe' && def.in); def = defOf(current)) {
    if (def.type === 'nullable') nullable = true;
    current = (def.type === 'pipe' ? def.in : def.innerType)!;
  }
  return { core: current, nullable };
}

function child(schema: z.ZodType, key: string | number): z.ZodType | undefined {
  const def = defOf(unwrap(schema).core);
  if (def.type === 'object' && typeof key === 'string') return def.shape?.[key];
  if (def.type === 'array') return def.element;
  if (def.type === 'record' && typeof key === 'string') return def.valueType;
  return undefined;
}

export function schemaAt(root: z.ZodType, path: readonly (string | number)[]): z.ZodType | undefined {
  let current: z.ZodType | undefined = root;
  for (const key of path) {
    if (current === undefined) return undefined;
    current = child(current, key);
  }
  return current;
}

export function describeNode(schema: z.ZodType | undefined): SchemaNode {
  if (schema === undefined) return { kind: 'unknown', nullable: false, keys: [] };
  const { core, nullable } = unwrap(schema);
  const def = defOf(core);
  switch (def.type) {
    case 'string':
      return { kind: 'string', nullable, keys: [] };
    case 'enum':
      return { kind: 'enum', nullable, keys: [] };
    case 'boolean':
      return { kind: 'boolean', nullable, keys: [] };
    case 'number':
      return { kind: 'number', nullable, keys: [] };
    case 'array':
      return { kind: 'array', nullable, keys: [] };
    case 'object':
      return { kind: 'object', nullable, keys: Object.keys(def.shape ?? {}) };
    case 'record': {
      const value = def.valueType === undefined ? undefined : defOf(unwrap(def.valueType).core).type;
      return { kind: value === 'object' ? 'sections' : 'record', nullable, keys: [] };
    }
    default:
      return { kind: 'unknown', nullable, keys: [] };
  }
}

export function nodeAt(root: z.ZodType, path: readonly (string | number)[]): SchemaNode {
  return describeNode(schemaAt(root, path));
}
