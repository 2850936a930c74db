import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { epochMs, kstInstant, systemClock, tradingDate } from '../../../src/domain/index.js';
import type { Clock, EpochMs, KisEnv, RateBudget, TokenStore } from '../../../src/domain/index.js';
import { createKisClient } from '../../../src/kis/index.js';
import type { KisClient, KisClientOptions } from '../../../src/kis/index.js';
import { DEFAULT_FEE_RATES, createCalendar, parseCalendarData } from '../../../src/market/index.js';
import { createRedisLock, createRedisRateBudget } from '../../../src/redis/index.js';
import type { RedisRateBudget } from '../../../src/redis/index.js';
import { SIM_DEFAULT_CREDENTIALS, createSimulator } from '../../../src/sim/index.js';
import type { Simulator, SimulatorOptions } from '../../../src/sim/index.js';

/**
 * The real client against the real simulator over HTTP on 127.0.0.1:0, with a real Redis for
 * the budget and the lock. Both sides share one clock that runs in real time from a trading
 * morning (so the simulator's sessions and its one-second rate window behave as at KIS) and
 * that a test may jump forward — the token manager's one-per-minute wait uses that jump
 * instead of a real minute.
 */
export interface JumpClock extends Clock {
  jump(ms: number): void;
  /** total ms jumped so far: how long the client would have waited in real life */
  jumped(): number;
}

/** 2026-03-12 (Thursday) 10:00 KST: regular session */
export const MORNING = kstInstant(tradingDate('20260312'), '100000');

export function createJumpClock(start: EpochMs = MORNING): JumpClock {
  const origin = systemClock.now();
  let offset = 0;
  return {
    now: () => epochMs(start + (systemClock.now() - origin) + offset),
    jump: (ms) => { offset += ms; },
    jumped: () => offset,
  };
}

const calendarJson = JSON.parse(readFileSync(join(import.meta.dirname, '../../../config/krx-calendar.json'), 'utf8')) as unknown;
export const calendar = createCalendar(parseCalendarData(calendarJson));

export async function startSim(env: KisEnv, clock: Clock, extra: Partial<SimulatorOptions> = {}): Promise<{ sim: Simulator; url: string }> {
  const sim = createSimulator({ env, seed: 7, clock, calendar, fees: DEFAULT_FEE_RATES, symbols: 40, ...extra });
  const { url } = await sim.start(0);
  return { sim, url };
}

export function budgetFor(redis: Redis, env: KisEnv, ratePerSec: number): RedisRateBudget {
  return createRedisRateBudget(redis, { key: `test:kis:${env}:${randomUUID()}`, ratePerSec });
}

export interface ClientSetup {
  env: KisEnv;
  url: string;
  clock: JumpClock;
  redis: Redis;
  tokenStore: TokenStore;
  rateBudget: RateBudget;
  /** unique per test so parallel files never share a token lock */
  lockPrefix: string;
}

export function simClient(s: ClientSetup, extra: Partial<KisClientOptions> = {}): KisClient {
  return createKisClient({
    env: s.env, baseUrl: s.url, appKey: SIM_DEFAULT_CREDENTIALS.appKey, appSecret: SIM_DEFAULT_CREDENTIALS.appSecret,
    account: SIM_DEFAULT_CREDENTIALS.account,
    timeouts: { connectMs: 1_000, headersMs: 3_000, bodyMs: 3_000, totalMs: 5_000 },
    rateBudget: s.rateBudget, tokenStore: s.tokenStore, lock: createRedisLock(s.redis, { prefix: s.lockPrefix }), clock: s.clock,
    retry: { attempts: 3, baseDelayMs: 20, maxDelayMs: 100 },
    sleep: (ms) => { s.clock.jump(ms); return Promise.resolve(); },
    ...extra,
  });
}
