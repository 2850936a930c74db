import { z } from 'zod';

/**
 * Field builders for strategy params, in the voice of the config loader ("path: reason"). Percents
 * may carry decimals; each strategy converts them to basis points with domain basisPoints().
 */
export function pct(defaultValue: number, min: number, max: number) {
  return z.number().min(min).max(max).default(defaultValue);
}

export function days(defaultValue: number, min: number, max: number) {
  return z.int().min(min).max(max).default(defaultValue);
}

/** KRX daily limits are ±30 % (docs/kis-wire.md §11.2): a change outside that never happens. */
export const changePct = (defaultValue: number) => pct(defaultValue, -30, 30);

/** For a refinement across fields: run it only when each field is valid, so a bad value gets one problem, not two. */
export const whenFieldsValid = { when: (payload: { issues: readonly unknown[] }): boolean => payload.issues.length === 0 };
