import { describe, expect, it } from 'vitest';
import { epochMs } from '../../../src/domain/index.js';
import type { OrderRecord, OrderStatus } from '../../../src/domain/index.js';
import {
  attemptOf, countsAsOrderToday, ENTRY_RETRY_BASE_MS, ENTRY_RETRY_MAX_MS, entryRetryBackoffMs, MAX_ENTRY_ATTEMPTS, nextEntryAttempt,
} from '../../../src/signals/entry-attempt.js';
import { at, localOrder } from '../../helpers/builders.js';

const BASE = 'i.momentum-volume.005930.buy.20260312.entry';
const T0 = at('100000');
const attempt = (n: number, status: OrderStatus, p: Partial<OrderRecord> = {}): OrderRecord =>
  localOrder({ intentKey: n === 1 ? BASE : `${BASE}-${n}`, status, updatedAt: T0, ...p });
const next = (orders: OrderRecord[], now = T0 + 3_600_000) => nextEntryAttempt({ baseKey: BASE, baseSignal: 'entry', orders, now: epochMs(now) });

describe('nextEntryAttempt', () => {
  it('starts with the plain entry key', () => {
    expect(next([])).toEqual({ ok: true, signal: 'entry', attempt: 1 });
    // other symbols' and external orders are not the family
    expect(next([localOrder({ intentKey: 'i.momentum-volume.000660.buy.20260312.entry', status: 'failed' }), localOrder({ origin: 'external', intentKey: BASE, status: 'failed' })]))
      .toEqual({ ok: true, signal: 'entry', attempt: 1 });
  });

  it('follows an attempt proven never placed with the next key, after the backoff', () => {
    const failed = [attempt(1, 'failed', { rejectCode: 'EGW00201' })];
    expect(next(failed, T0 + ENTRY_RETRY_BASE_MS - 1)).toMatchObject({ ok: false, guard: 'entry-retry', context: { attempts: 1, lastRejectCode: 'EGW00201' } });
    expect(next(failed, T0 + ENTRY_RETRY_BASE_MS)).toEqual({
      ok: true, signal: 'entry-2', attempt: 2, after: [{ intentKey: BASE, status: 'failed', rejectCode: 'EGW00201' }],
    });
    const three = [attempt(1, 'failed'), attempt(2, 'failed'), attempt(3, 'failed')];
    expect(next(three, T0 + 4 * ENTRY_RETRY_BASE_MS - 1).ok).toBe(false);
    expect(next(three, T0 + 4 * ENTRY_RETRY_BASE_MS)).toMatchObject({ ok: true, signal: 'entry-4', attempt: 4 });
  });

  it('never starts a new attempt while one is open or unknown, nor after one was placed or refused for good', () => {
    for (const status of ['pending', 'submitting', 'unknown', 'accepted', 'partial', 'filled', 'cancelled', 'expired', 'rejected'] as const) {
      // every builder order has a submit time: 'rejected' here is the broker's definitive answer
      // no order now, recorded as blocked by the attempt that holds the day's entry (not as an order the worker refuses)
      expect(next([attempt(1, 'failed'), attempt(2, status)])).toMatchObject({
        ok: false, guard: 'entry-made-today', context: { intentKey: `${BASE}-2`, status, attempt: 2 },
      });
      expect(next([attempt(1, status)])).toMatchObject({ ok: false, guard: 'entry-made-today', context: { intentKey: BASE, status, attempt: 1 } });
    }
  });

  it('counts an intent refused by our own checks before it was submitted (LOCAL_STALE) as never placed', () => {
    const local = attempt(1, 'rejected', { rejectCode: 'LOCAL_STALE', submittedAt: null, venueOrderId: null });
    expect(next([local])).toMatchObject({ ok: true, signal: 'entry-2', attempt: 2 });
    // A rejection by the broker went through 'submitting' and has a submit time: definitive.
    expect(next([attempt(1, 'rejected', { rejectCode: 'APBK0952', submittedAt: T0 })])).toMatchObject({ ok: false, guard: 'entry-made-today' });
  });

  it('stops after MAX_ENTRY_ATTEMPTS attempts that were not placed', () => {
    const all = Array.from({ length: MAX_ENTRY_ATTEMPTS }, (_, i) => attempt(i + 1, 'failed'));
    expect(next(all, T0 + 86_400_000)).toMatchObject({ ok: false, context: { attempts: MAX_ENTRY_ATTEMPTS } });
  });

  it('reads attempt numbers only from the key and its -N forms', () => {
    expect(attemptOf(BASE, BASE)).toBe(1);
    expect(attemptOf(BASE, `${BASE}-7`)).toBe(7);
    expect(attemptOf(BASE, `${BASE}-07`)).toBeNull();
    expect(attemptOf(BASE, `${BASE}x`)).toBeNull();
    expect(attemptOf(BASE, `${BASE}-2-3`)).toBeNull();
  });

  it('doubles the backoff up to its cap', () => {
    expect(entryRetryBackoffMs(1)).toBe(ENTRY_RETRY_BASE_MS);
    expect(entryRetryBackoffMs(2)).toBe(2 * ENTRY_RETRY_BASE_MS);
    expect(entryRetryBackoffMs(30)).toBe(ENTRY_RETRY_MAX_MS);
  });
});

describe('countsAsOrderToday (risk.maxOrdersPerDay)', () => {
  it('counts what was or may have been placed, not what was rejected, refused locally or never placed', () => {
    const counted = (status: OrderStatus, p: Partial<OrderRecord> = {}) => countsAsOrderToday(localOrder({ status, ...p }));
    for (const s of ['pending', 'submitting', 'unknown', 'accepted', 'partial', 'filled', 'cancelled', 'expired'] as const) expect(counted(s)).toBe(true);
    expect(counted('rejected', { rejectCode: 'APBK0952' })).toBe(false);
    expect(counted('rejected', { rejectCode: 'LOCAL_STALE' })).toBe(false);
    expect(counted('failed', { rejectCode: 'EGW00201' })).toBe(false);
    expect(counted('filled', { origin: 'external' })).toBe(false);
  });
});
