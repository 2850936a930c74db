import { MockAgent } from 'undici';
import { createManualClock, epochMs, kstInstant, tradingDate } from '../../../src/domain/index.js';
import type { ManualClock } from '../../../src/domain/index.js';
import { createKisClient } from '../../../src/kis/index.js';
import type { KisClient, KisClientOptions } from '../../../src/kis/index.js';
import { createCountingBudget, createLocalLock, createMemoryTokenStore } from '../../helpers/kis-fakes.js';
import type { CountingBudget, MemoryTokenStore } from '../../helpers/kis-fakes.js';

/**
 * A scripted KIS behind an undici MockAgent: every request is recorded (method, path, query,
 * headers, body) and answered by a route function. For request-building and flow tests that do
 * not need real sockets; the simulator covers those.
 */
export interface Recorded {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string>;
  body: string;
}

export interface Reply {
  status?: number;
  body: unknown;
  headers?: Record<string, string>;
}

export type Route = (req: Recorded, n: number) => Reply | Error;

export const ORIGIN = 'http://kis.test';
export const APP_KEY = 'PSappkey-0000-1111-2222-333344445555';
export const APP_SECRET = 'secret'.repeat(30);
export const START = kstInstant(tradingDate('20260312'), '100000');

export interface MockKis {
  client: KisClient;
  requests: Recorded[];
  budget: CountingBudget;
  store: MemoryTokenStore;
  clock: ManualClock;
  sleeps: number[];
  /** requests to a path (prefix match) */
  to(pathPrefix: string): Recorded[];
}

export function tokenReply(token = 'tok-1'): Reply {
  return { body: { access_token: token, token_type: 'Bearer', expires_in: 86400, access_token_token_expired: '2026-03-13 10:00:00' } };
}

export function ok(output: Record<string, unknown>, headers?: Record<string, string>): Reply {
  return { body: { rt_cd: '0', msg_cd: 'MCA00000', msg1: '정상처리 되었습니다.', ...output }, ...(headers ? { headers } : {}) };
}

function headersOf(h: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (h && typeof h === 'object') for (const [k, v] of Object.entries(h as Record<string, unknown>)) out[k.toLowerCase()] = String(v);
  return out;
}

export function createMockKis(route: Route, opts: Partial<KisClientOptions> = {}): MockKis {
  const agent = new MockAgent();
  agent.disableNetConnect();
  const requests: Recorded[] = [];
  const counts = new Map<string, number>();
  agent.get(ORIGIN).intercept({ path: () => true, method: () => true }).reply((o) => {
    const url = new URL(o.path, ORIGIN);
    const rec: Recorded = { method: o.method, path: url.pathname, query: url.searchParams, headers: headersOf(o.headers), body: typeof o.body === 'string' ? o.body : '' };
    requests.push(rec);
    const n = (counts.get(url.pathname) ?? 0) + 1;
    counts.set(url.pathname, n);
    const r = route(rec, n);
    if (r instanceof Error) throw r;
    return { statusCode: r.status ?? 200, data: JSON.stringify(r.body), responseOptions: { headers: { 'content-type': 'application/json', ...r.headers } } };
  }).persist();
  const budget = createCountingBudget();
  const store = createMemoryTokenStore();
  const clock = createManualClock(epochMs(START));
  const sleeps: number[] = [];
  const client = createKisClient({
    env: 'live', baseUrl: ORIGIN, appKey: APP_KEY, appSecret: APP_SECRET, account: '50123456-01',
    timeouts: { connectMs: 1000, headersMs: 1000, bodyMs: 1000, totalMs: 2000 },
    rateBudget: budget, tokenStore: store, lock: createLocalLock(), clock, dispatcher: agent,
    retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 2 },
    sleep: (ms) => { sleeps.push(ms); clock.advance(ms); return Promise.resolve(); },
    ...opts,
  });
  return { client, requests, budget, store, clock, sleeps, to: (p) => requests.filter((r) => r.path.startsWith(p)) };
}
