import type { DistributedLock, EpochMs, Lane, RateBudget, StoredToken, TokenStore } from '../../src/domain/index.js';

/**
 * In-memory stand-ins for the ports the KIS client needs, for tests that do not exercise
 * Redis or SQLite themselves. Hand-written implementations, not module mocks.
 */
export interface MemoryTokenStore extends TokenStore {
  readonly tokens: Map<string, StoredToken>;
  readonly attempts: Map<string, EpochMs | null>;
}

export function createMemoryTokenStore(): MemoryTokenStore {
  const tokens = new Map<string, StoredToken>();
  const attempts = new Map<string, EpochMs | null>();
  return {
    tokens,
    attempts,
    load: (k) => tokens.get(k) ?? null,
    save: (k, t) => { tokens.set(k, t); },
    clear: (k) => { tokens.delete(k); },
    lastIssueAttempt: (k) => attempts.get(k) ?? null,
    recordIssueAttempt: (k, at) => { attempts.set(k, at); },
  };
}

/** A mutex per name inside one process. */
export function createLocalLock(): DistributedLock {
  const tails = new Map<string, Promise<unknown>>();
  return {
    async withLock<T>(name: string, _ttlMs: number, _waitMs: number, fn: () => Promise<T>): Promise<T> {
      const prev = tails.get(name) ?? Promise.resolve();
      const run = prev.then(fn, fn);
      tails.set(name, run.catch(() => undefined));
      return run;
    },
  };
}

export interface CountingBudget extends RateBudget {
  readonly acquired: Lane[];
  penalties: number;
}

/** Grants at once and records what was asked for. */
export function createCountingBudget(): CountingBudget {
  const budget: CountingBudget = {
    acquired: [],
    penalties: 0,
    acquire: (lane) => { budget.acquired.push(lane); return Promise.resolve(0); },
    penalize: () => { budget.penalties++; return Promise.resolve(); },
    currentRate: () => Promise.resolve(Number.POSITIVE_INFINITY),
  };
  return budget;
}
