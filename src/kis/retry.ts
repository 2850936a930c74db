import { setTimeout as delay } from 'node:timers/promises';

/** Bounded exponential backoff with jitter for idempotent reads (never for order POSTs). */
export interface RetryPolicy {
  /** total attempts including the first */
  attempts: number;
  /**
   * total attempts when the failures are EGW00201: nothing was executed (docs/kis-wire.md §4) and
   * the shared budget has already slowed down, so a read keeps trying; at 20 % spurious EGW00201
   * ten attempts leave one read in ten million unanswered, four left one in 600
   */
  rateLimitedAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, rateLimitedAttempts: 10, baseDelayMs: 200, maxDelayMs: 3_000 };

/**
 * Delay before retry number `retry` (1 = first retry): base·2^(retry−1) capped, "equal jitter"
 * (half fixed, half random) so callers that failed together do not come back together.
 */
export function backoffMs(policy: RetryPolicy, retry: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

export async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0) return;
  await delay(ms, undefined, signal === undefined ? undefined : { signal });
}
