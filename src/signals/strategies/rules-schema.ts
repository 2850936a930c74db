import { z } from 'zod';
import { FIELDS, INDICATORS, MAX_BARS } from './rules-values.js';
import type { IndicatorDef, RuleKind } from './rules-values.js';

/**
 * The params of the rules strategy: an entry rule and an optional exit rule, each a named list of
 * conditions combined with `all` or `any`. Operands are parsed here, so an unknown field or
 * indicator, a wrong argument count, a window out of range or a field the rule cannot know is a
 * config error with its path (`entry.all[1].right: …`). docs/strategies.md "Rules strategies".
 */

export type Operand =
  | { kind: 'number'; text: string; value: number }
  | { kind: 'field'; text: string; name: string }
  | { kind: 'indicator'; text: string; name: string; args: number[]; bars: number };

export const OPS = ['<', '<=', '>', '>=', '==', '!='] as const;
export type Op = (typeof OPS)[number];

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;
const NAME = /^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z][A-Za-z0-9]*)?$/;
const CALL = /^([A-Za-z][A-Za-z0-9]*)\s*\(([^()]*)\)$/;

/** Edit distance with adjacent swaps, for did-you-mean hints (config/suggest.ts is out of reach of signals/). */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  const at = (i: number, j: number): number => d[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1);
      const row = d[i];
      if (row) row[j] = best;
    }
  }
  return at(a.length, b.length);
}

function didYouMean(word: string, names: readonly string[]): string {
  const limit = Math.min(3, Math.max(1, Math.floor(word.length / 3)));
  let best: string | null = null;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const name of names) {
    const d = distance(word.toLowerCase(), name.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [name, d];
  }
  return best !== null && bestDistance <= limit ? ` (did you mean ${best}?)` : '';
}

function onlyIn(name: string, only: RuleKind | undefined, kind: RuleKind): string | null {
  if (only === undefined || only === kind) return null;
  if (name.startsWith('position.')) return `${name}: position fields are only known to exit rules (an entry has no position yet)`;
  if (name.startsWith('scan.')) return `${name}: scan fields are only known to entry rules (exits are evaluated without a scan row)`;
  return `${name} is only known to ${only} rules`;
}

function checkArgs(name: string, def: IndicatorDef, args: readonly number[]): string | null {
  if (args.length !== def.args.length) {
    return `${name} takes ${def.args.length} argument${def.args.length === 1 ? '' : 's'}, ${def.usage}, got ${args.length}`;
  }
  for (const [i, kind] of def.args.entries()) {
    const v = args[i] ?? 0;
    if (kind === 'window' && !(Number.isInteger(v) && v >= 1 && v <= MAX_BARS)) {
      return `${def.usage}: a window is a whole number of days from 1 to ${MAX_BARS}, got ${v}`;
    }
    if (kind === 'multiplier' && !(v > 0 && v <= 10)) return `${def.usage}: the multiplier must be above 0 and at most 10, got ${v}`;
  }
  return def.check?.(args) ?? null;
}

function parseCall(name: string, argText: string, kind: RuleKind): Operand | string {
  // high(n)/low(n) are indicators, high/low today's fields: the parentheses tell them apart.
  const def = INDICATORS[name];
  if (def === undefined && FIELDS[name] !== undefined) return `${name} is a field: write it without parentheses`;
  if (def === undefined) return `unknown indicator "${name}"${didYouMean(name, Object.keys(INDICATORS))}`;
  const parts = argText.trim() === '' ? [] : argText.split(',').map((a) => a.trim());
  const bad = parts.find((a) => !NUMBER.test(a));
  if (bad !== undefined) return `${def.usage}: arguments are numbers, got ${JSON.stringify(bad)}`;
  const args = parts.map(Number);
  const problem = checkArgs(name, def, args) ?? onlyIn(name, def.only, kind);
  if (problem !== null) return problem;
  const bars = def.bars(args);
  const text = `${name}(${args.join(',')})`;
  if (bars > MAX_BARS) return `${text} needs ${bars} completed daily bars; at most ${MAX_BARS} are available`;
  return { kind: 'indicator', text, name, args, bars };
}

/** An operand as the config writes it: a number, a field name or an indicator call. */
export function parseOperand(raw: unknown, kind: RuleKind): Operand | string {
  if (typeof raw === 'number') return Number.isFinite(raw) ? { kind: 'number', text: String(raw), value: raw } : 'must be a finite number';
  if (typeof raw !== 'string') return 'expected a number, a field (price, scan.rank, …) or an indicator (sma(20), …)';
  const text = raw.trim();
  if (NUMBER.test(text)) return `a number is written without quotes: ${text}`;
  const call = CALL.exec(text);
  if (call) return parseCall(call[1] ?? '', call[2] ?? '', kind);
  if (!NAME.test(text)) return 'expected a number, a field (price, scan.rank, …) or an indicator (sma(20), …)';
  const field = FIELDS[text];
  if (field !== undefined) return onlyIn(text, field.only, kind) ?? { kind: 'field', text, name: text };
  const indicator = INDICATORS[text];
  if (indicator !== undefined) return `${text} is an indicator: write ${indicator.usage}`;
  return `unknown field "${text}"${didYouMean(text, Object.keys(FIELDS))}`;
}

function operandSchema(kind: RuleKind) {
  return z.unknown().transform((raw, ctx): Operand => {
    const parsed = parseOperand(raw, kind);
    if (typeof parsed !== 'string') return parsed;
    ctx.issues.push({ code: 'custom', message: parsed, input: raw });
    return z.NEVER;
  });
}

function conditionSchema(kind: RuleKind) {
  const operand = operandSchema(kind);
  return z.strictObject({ left: operand, op: z.enum(OPS), right: operand }).superRefine((c, ctx) => {
    if (c.left.kind === 'number' && c.right.kind === 'number') {
      ctx.addIssue({ code: 'custom', path: ['left'], message: 'compares two numbers: one side must be a field or an indicator' });
    }
  });
}

/** `all` or `any`, never both, never neither. */
function oneMode(g: { all?: unknown; any?: unknown }, ctx: z.RefinementCtx, what: string): void {
  if (g.all !== undefined && g.any !== undefined) ctx.addIssue({ code: 'custom', path: ['any'], message: `${what} has either all or any, not both` });
  if (g.all === undefined && g.any === undefined) ctx.addIssue({ code: 'custom', path: [], message: `${what} needs all: [conditions] or any: [conditions]` });
}

const MAX_ITEMS = 20;

function groupSchema(kind: RuleKind) {
  const condition = conditionSchema(kind);
  const conditions = z.array(condition).min(1).max(MAX_ITEMS).optional();
  const operand = operandSchema(kind);
  // A condition or a group of conditions, told apart by its keys; one object so unknown keys get a did-you-mean.
  const item = z.strictObject({
    left: operand.optional(), op: z.enum(OPS).optional(), right: operand.optional(), all: conditions, any: conditions,
  }).superRefine((it, ctx) => {
    const isGroup = it.all !== undefined || it.any !== undefined;
    const isCondition = it.left !== undefined || it.op !== undefined || it.right !== undefined;
    if (isGroup && isCondition) {
      ctx.addIssue({ code: 'custom', path: [], message: 'is a condition (left, op, right) or a group (all or any), not both' });
    } else if (isGroup) {
      oneMode(it, ctx, 'a group');
    } else {
      for (const key of ['left', 'op', 'right'] as const) if (it[key] === undefined) ctx.addIssue({ code: 'custom', path: [key], message: 'is required' });
      if (it.left?.kind === 'number' && it.right?.kind === 'number') {
        ctx.addIssue({ code: 'custom', path: ['left'], message: 'compares two numbers: one side must be a field or an indicator' });
      }
    }
  });
  const items = z.array(item).min(1).max(MAX_ITEMS).optional();
  return z.strictObject({
    /** what the decision log calls the rule when it fires */
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/, {
      error: 'a rule name is 1–40 letters, digits, dots, dashes and underscores',
    }).optional(),
    all: items,
    any: items,
  }).superRefine((g, ctx) => oneMode(g, ctx, `the ${kind} rule`));
}

export const rulesParams = z.strictObject({
  entry: groupSchema('entry'),
  /** absent or null: the strategy has no exit of its own (the protective exits still apply) */
  exit: groupSchema('exit').nullable().default(null),
});

export type RulesParams = z.output<typeof rulesParams>;
export type RuleGroup = RulesParams['entry'];
export type RuleItem = NonNullable<RuleGroup['all']>[number];
export type Condition = z.output<ReturnType<typeof conditionSchema>>;
