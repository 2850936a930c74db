import { AppError } from '../domain/index.js';
import { STREAM, foldSeed, uniform } from '../synthetic/index.js';

/**
 * Scripted misbehaviour of the wire, to test what a client does when KIS (or the network) does
 * not answer as hoped. Rules come from tests (inject) or from options/CLI as spec strings:
 * `kind[:pathSuffix][:times][:ms]`, e.g. 'accept-then-drop:order-cash:1', 'latency::*:100',
 * 'rate-limit:inquire-price:3'. An empty path matches every request; times '*' is for ever.
 * WebSocket faults (ws-drop, ws-delay, ws-disconnect) hit outgoing data frames, and their second
 * field is a TR_ID: 'ws-drop:H0STCNI9:1', 'ws-delay:H0STCNT0:*:300', 'ws-disconnect::1'.
 */
export type FaultKind =
  | 'latency'
  | 'rate-limit'
  | 'token-expired'
  | 'http-500'
  | 'timeout'
  | 'accept-then-drop'
  | 'reset-before-accept'
  /** the order is acknowledged, then refused by the exchange: its row shows rjct_qty */
  | 'reject-after-accept'
  /** tokenP refuses with EGW00133 (one issuance a minute, docs/kis-wire.md §3.1); give path 'tokenP' */
  | 'token-throttle'
  /** order-cash refuses as after the close (the environment's answer), nothing booked; give path 'order-cash' */
  | 'market-closed'
  /** WebSocket (realtime-server.ts): the next data frame (of the TR_ID in the path field) is never sent */
  | 'ws-drop'
  /** a data frame is sent `ms` late */
  | 'ws-delay'
  /** the session is cut instead of sending the frame */
  | 'ws-disconnect';

export const FAULT_KINDS: readonly FaultKind[] = [
  'latency', 'rate-limit', 'token-expired', 'http-500', 'timeout', 'accept-then-drop', 'reset-before-accept', 'reject-after-accept',
  'token-throttle', 'market-closed', 'ws-drop', 'ws-delay', 'ws-disconnect',
];

/** WebSocket faults apply to outgoing data frames only; the others to HTTP requests only. */
export function faultScope(kind: FaultKind): 'http' | 'ws' {
  return kind.startsWith('ws-') ? 'ws' : 'http';
}

export interface FaultRule {
  kind: FaultKind;
  match?: { path?: string; trId?: string };
  /** how many requests it hits; default 1; Infinity = every matching request */
  times?: number;
  /** chance a matching request is hit, 0..1 (default 1); drawn from the simulator's seed */
  probability?: number;
  /** latency in ms (latency only) */
  ms?: number;
}

export interface ActiveFault extends FaultRule {
  /** hits left */
  remaining: number;
}

export interface FaultController {
  inject(rule: FaultRule | string): ActiveFault;
  clear(): void;
  active(): ActiveFault[];
}

function bad(spec: string, why: string): never {
  throw new AppError('SIM_FAULT_SPEC_INVALID', `fault spec "${spec}": ${why} (format kind[:pathSuffix][:times][:ms], kinds: ${FAULT_KINDS.join(', ')})`, {
    details: { spec },
  });
}

function isKind(s: string): s is FaultKind {
  return (FAULT_KINDS as readonly string[]).includes(s);
}

export function parseFaultSpec(spec: string): FaultRule {
  const parts = spec.trim().split(':');
  if (parts.length > 4) bad(spec, 'too many fields');
  const [kind = '', path = '', times = '', ms = ''] = parts;
  if (!isKind(kind)) bad(spec, `unknown kind "${kind}"`);
  const rule: FaultRule = { kind };
  if (path !== '' && path !== '*') {
    if (!/^[A-Za-z0-9/_-]+$/.test(path)) bad(spec, `path suffix "${path}" may hold only letters, digits, '/', '-' and '_'`);
    // a WebSocket fault's second field names the TR_ID of the frames it hits
    rule.match = faultScope(kind) === 'ws' ? { trId: path } : { path };
  }
  if (times === '*') rule.times = Infinity;
  else if (times !== '') {
    if (!/^\d+$/.test(times) || Number(times) < 1) bad(spec, `times must be a whole number ≥ 1 or '*', got "${times}"`);
    rule.times = Number(times);
  }
  if (ms !== '') {
    if (!/^\d+$/.test(ms)) bad(spec, `ms must be a whole number of milliseconds, got "${ms}"`);
    if (kind !== 'latency' && kind !== 'ws-delay') bad(spec, `ms applies to latency and ws-delay only, not ${kind}`);
    rule.ms = Number(ms);
  }
  if (kind === 'latency' && rule.ms === undefined) bad(spec, 'latency needs ms, e.g. latency::*:100');
  if (kind === 'ws-delay' && rule.ms === undefined) bad(spec, 'ws-delay needs ms, e.g. ws-delay:H0STCNI9:1:500');
  return rule;
}

function validate(rule: FaultRule): FaultRule {
  const name = JSON.stringify(rule);
  if (!isKind(rule.kind)) bad(name, `unknown kind "${String(rule.kind)}"`);
  if (rule.times !== undefined && !(rule.times === Infinity || (Number.isInteger(rule.times) && rule.times >= 1))) bad(name, 'times must be ≥ 1');
  if (rule.probability !== undefined && !(rule.probability >= 0 && rule.probability <= 1)) bad(name, 'probability must be within 0..1');
  if (rule.ms !== undefined && !(Number.isInteger(rule.ms) && rule.ms >= 0)) bad(name, 'ms must be a whole number ≥ 0');
  if ((rule.kind === 'latency' || rule.kind === 'ws-delay') && rule.ms === undefined) bad(name, `${rule.kind} needs ms`);
  return rule;
}

/** What the server asks the controller for each request; hits are consumed as they are returned. */
export interface FaultMatcher {
  /** `scope`: 'http' (default) for requests, 'ws' for WebSocket data frames (path '/ws') */
  take(path: string, trId: string, scope?: 'http' | 'ws'): ActiveFault[];
}

export function createFaultController(seed: number, initial: readonly (FaultRule | string)[] = []): FaultController & FaultMatcher {
  let rules: ActiveFault[] = [];
  let draws = 0;
  const s = foldSeed(seed);
  const inject = (r: FaultRule | string): ActiveFault => {
    const rule = validate(typeof r === 'string' ? parseFaultSpec(r) : { ...r });
    const active: ActiveFault = { ...rule, remaining: rule.times ?? 1 };
    rules.push(active);
    return active;
  };
  for (const r of initial) inject(r);
  return {
    inject,
    clear: () => {
      rules = [];
    },
    active: () => rules.map((r) => ({ ...r })),
    take(path, trId, scope = 'http') {
      const hits: ActiveFault[] = [];
      for (const r of rules) {
        if (r.remaining <= 0 || faultScope(r.kind) !== scope) continue;
        if (r.match?.path !== undefined && !path.endsWith(r.match.path)) continue;
        if (r.match?.trId !== undefined && r.match.trId !== trId) continue;
        if (r.probability !== undefined && uniform(s, STREAM.fault, draws++) >= r.probability) continue;
        r.remaining -= 1;
        hits.push({ ...r });
      }
      rules = rules.filter((r) => r.remaining > 0);
      return hits;
    },
  };
}
