import { describe, expect, it } from 'vitest';
import { stalledWorker } from '../../../src/queues/index.js';

describe('stalledWorker', () => {
  const busy = (p: Partial<{ active: number; lastStartedAt: number | null; runningSince: number | null }>) =>
    ({ active: 0, lastStartedAt: null, runningSince: 0, ...p });
  it('is stalled when jobs wait, none runs here and none started for the window', () => {
    expect(stalledWorker(busy({ runningSince: 0 }), 3, 60_000, 60_000)).toBe(true);
    expect(stalledWorker(busy({ lastStartedAt: 10_000 }), 3, 70_000, 60_000)).toBe(true);
  });
  it('is not stalled with nothing waiting, a job running, a recent start, or before it runs', () => {
    expect(stalledWorker(busy({}), 0, 600_000, 60_000)).toBe(false);
    expect(stalledWorker(busy({ active: 1 }), 3, 600_000, 60_000)).toBe(false);
    expect(stalledWorker(busy({ lastStartedAt: 30_000 }), 3, 60_000, 60_000)).toBe(false);
    expect(stalledWorker(busy({ runningSince: null }), 3, 600_000, 60_000)).toBe(false);
  });
});
