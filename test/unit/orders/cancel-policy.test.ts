import { describe, expect, it } from 'vitest';
import { AppError, epochMs } from '../../../src/domain/index.js';
import { apiError, httpError } from '../../../src/kis/errors.js';
import {
  afterCancelFailure, cancelBackoffMs, CANCEL_RETRY_BASE_MS, CANCEL_RETRY_MAX_MS, classifyCancelFailure,
} from '../../../src/orders/index.js';

/** The errors the broker's cancelOrder throws (kis/call.ts orderError), by their details. */
const rejected = (details: Record<string, unknown>) => new AppError('ORDER_REJECTED', 'x', { details: { outcome: 'rejected', ...details } });
const unknown = (details: Record<string, unknown> = {}) => new AppError('ORDER_UNKNOWN', 'x', { details: { outcome: 'unknown', ...details } });

describe('classifyCancelFailure', () => {
  it('retries what may pass later: gateway refusals, requests that never left, unreadable outcomes', () => {
    expect(classifyCancelFailure(rejected({ msgCode: 'EGW00201', retryable: true, cause: apiError('cancel', 'TTTC0013U', 500, 'EGW00201', '', '1') }))).toBe('transient');
    expect(classifyCancelFailure(rejected({ notSent: true, retryable: true, stage: 'prepare' }))).toBe('transient');
    expect(classifyCancelFailure(unknown({ kind: 'http', status: 500, cause: httpError('cancel', 'TTTC0013U', 500) }))).toBe('transient');
    expect(classifyCancelFailure(new Error('socket hang up'))).toBe('transient');
  });

  it('stops on nothing left to cancel, and on any other definitive refusal', () => {
    expect(classifyCancelFailure(rejected({ msgCode: 'APBK1192', retryable: false, nothingToCancel: true }))).toBe('nothing-to-cancel');
    expect(classifyCancelFailure(rejected({ msgCode: 'APBK1188', retryable: false }))).toBe('refused');
    expect(classifyCancelFailure(new AppError('ORDER_INVALID', 'bad qty', { details: { outcome: 'rejected', notSent: true } }))).toBe('refused');
  });
});

describe('afterCancelFailure', () => {
  const now = epochMs(1_000_000);
  it('schedules the next attempt with a doubling, capped backoff', () => {
    const s1 = afterCancelFailure(null, 'transient', now, 'e');
    expect(s1).toEqual({ attempts: 1, nextAt: now + CANCEL_RETRY_BASE_MS, done: null, lastError: 'e' });
    const s2 = afterCancelFailure(s1, 'transient', now, 'e');
    expect(s2.nextAt).toBe(now + 2 * CANCEL_RETRY_BASE_MS);
    expect(cancelBackoffMs(50)).toBe(CANCEL_RETRY_MAX_MS);
  });

  it('is done after a definitive refusal', () => {
    expect(afterCancelFailure({ attempts: 2, nextAt: now, done: null }, 'nothing-to-cancel', now, 'e')).toMatchObject({ attempts: 3, nextAt: null, done: 'nothing-to-cancel' });
    expect(afterCancelFailure(null, 'refused', now, 'e')).toMatchObject({ attempts: 1, done: 'refused' });
  });
});
