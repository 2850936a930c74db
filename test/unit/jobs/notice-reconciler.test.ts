import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/domain/index.js';
import { noticeReconciler } from '../../../src/jobs/index.js';

/** jobs/fills.ts: a burst of fill notices costs the reconcile running now and one more, never one each. */
describe('noticeReconciler', () => {
  it('folds the notices that arrive during a reconcile into one more run', async () => {
    const runs: string[] = [];
    let release: () => void = () => undefined;
    const go = noticeReconciler((reason) => {
      runs.push(reason);
      return runs.length === 1 ? new Promise<void>((r) => { release = r; }) : Promise.resolve();
    }, silentLogger);
    const first = go('fill notice 1');
    void go('fill notice 2');
    void go('fill notice 3');
    expect(runs).toEqual(['fill notice 1']);
    release();
    await first;
    await new Promise((r) => setTimeout(r, 0));
    expect(runs).toEqual(['fill notice 1', 'fill notice 3']);
  });

  it('a failed reconcile is logged, not thrown: the poll finds the fill', async () => {
    const errors: unknown[] = [];
    const log = { ...silentLogger, error: (o: unknown) => { errors.push(o); } };
    await expect(noticeReconciler(() => Promise.reject(new Error('EGW00201')), log)('fill notice')).resolves.toBeUndefined();
    expect(errors).toHaveLength(1);
  });
});
