import type { SignalValues, Snapshot, Strategy, StrategySignal } from './types.js';
import { rulesParams } from './rules-schema.js';
import type { Condition, Op, Operand, RuleGroup, RuleItem, RulesParams } from './rules-schema.js';
import { FIELDS, INDICATORS } from './rules-values.js';
import type { RuleKind } from './rules-values.js';

/**
 * The rules strategy: entry and exit rules written in the config file (rules-schema.ts). Every
 * operand is computed and every condition tested before the rule decides, so the decision log
 * shows all of them: each operand under its expression text (`rsi(2)`), each condition under its
 * index and text (`[0] rsi(2) < 10`, `[2.1] …` inside a nested group) as true, false or null
 * when an operand had no value. A condition without a value is false.
 */

const COMPARE: Readonly<Record<Op, (a: number, b: number) => boolean>> = {
  '<': (a, b) => a < b, '<=': (a, b) => a <= b, '>': (a, b) => a > b,
  '>=': (a, b) => a >= b, '==': (a, b) => a === b, '!=': (a, b) => a !== b,
};

function isCondition(item: RuleItem): item is RuleItem & Condition {
  return item.left !== undefined && item.op !== undefined && item.right !== undefined;
}

const conditionText = (c: Condition): string => `${c.left.text} ${c.op} ${c.right.text}`;

/** The operands of a rule, each once, in the order written. */
type Computed = Exclude<Operand, { kind: 'number' }>;

function operandsOf(group: RuleGroup): Computed[] {
  const out = new Map<string, Computed>();
  const add = (c: Condition) => { for (const o of [c.left, c.right]) if (o.kind !== 'number') out.set(o.text, o); };
  for (const item of group.all ?? group.any ?? []) {
    if (isCondition(item)) add(item);
    else for (const c of item.all ?? item.any ?? []) add(c);
  }
  return [...out.values()];
}

interface Outcome {
  /** true, false, or null when an operand had no value */
  result: boolean | null;
  text: string;
  /** operands without a value */
  missing: string[];
}

function combine(mode: 'all' | 'any', outcomes: readonly Outcome[]): boolean {
  return mode === 'all' ? outcomes.every((o) => o.result === true) : outcomes.some((o) => o.result === true);
}

/** Evaluates one rule over a snapshot: fires with the rule's name, or names the condition that failed. */
export function evaluateRule(group: RuleGroup, kind: RuleKind, snapshot: Snapshot): StrategySignal {
  const name = group.name ?? kind;
  const closes = snapshot.bars.map((b) => b.close as number);
  const values: SignalValues = {};
  for (const o of operandsOf(group)) {
    const v = o.kind === 'field' ? FIELDS[o.name]?.value(snapshot) : INDICATORS[o.name]?.value(snapshot, closes, o.args);
    values[o.text] = v === undefined || v === null || !Number.isFinite(v) ? null : v;
  }
  const valueOf = (o: Operand): number | null => (o.kind === 'number' ? o.value : (values[o.text] as number | null));
  const test = (c: Condition, label: string): Outcome => {
    const [l, r] = [valueOf(c.left), valueOf(c.right)];
    const missing = [c.left, c.right].filter((o) => valueOf(o) === null).map((o) => o.text);
    const result = l === null || r === null ? null : COMPARE[c.op](l, r);
    values[`[${label}] ${conditionText(c)}`] = result;
    return { result, text: conditionText(c), missing };
  };

  const mode = group.all ? 'all' : 'any';
  const outcomes = (group.all ?? group.any ?? []).map((item, i): Outcome => {
    if (isCondition(item)) return test(item, String(i));
    const inner = item.all ? 'all' : 'any';
    const parts = (item.all ?? item.any ?? []).map((c, j) => test(c, `${i}.${j}`));
    const result = combine(inner, parts);
    values[`[${i}] ${inner}`] = result;
    return { result, text: inner, missing: result ? [] : parts.flatMap((p) => p.missing) };
  });

  if (combine(mode, outcomes)) return { fire: true, rule: name, values };
  const noValue = (missing: readonly string[]) => (missing.length > 0 ? ` (no value: ${[...new Set(missing)].join(', ')})` : '');
  if (mode === 'any') return { fire: false, rule: `${name}:none${noValue(outcomes.flatMap((o) => o.missing))}`, values };
  const i = outcomes.findIndex((o) => o.result !== true);
  const failed = outcomes[i];
  return { fire: false, rule: `${name}:[${i}] ${failed?.text ?? ''}${noValue(failed?.missing ?? [])}`, values };
}

/** The completed bars a rule reads: its longest indicator's need. */
function barsOf(group: RuleGroup | null): number {
  if (group === null) return 0;
  return Math.max(0, ...operandsOf(group).map((o) => (o.kind === 'indicator' ? o.bars : 0)));
}

export const rules: Strategy<RulesParams> = {
  name: 'rules',
  summary: 'entry and exit rules written in the config file: conditions over quote, scan, position and indicators',
  params: rulesParams,
  barsNeeded: (p) => Math.max(barsOf(p.entry), barsOf(p.exit)),
  entry: (snapshot, p) => evaluateRule(p.entry, 'entry', snapshot),
  exit: (snapshot, p) => (p.exit === null ? { fire: false, rule: 'no-exit-rule', values: {} } : evaluateRule(p.exit, 'exit', snapshot)),
};
