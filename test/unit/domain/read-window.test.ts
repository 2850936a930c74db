import { describe, expect, it } from 'vitest';
import { createManualClock, createReadWindow, epochMs, isAppError, mapInWindow, measuredMarket } from '../../../src/domain/index.js';
import type { MarketData, Quote } from '../../../src/domain/index.js';

/** A read that answers when told to, so the test decides the order of answers, not a timer. */
function gate<T>() {
  let open!: (v: T) => void;
  let fail!: (e: unknown) => void;
  const p = new Promise<T>((resolve, reject) => { open = resolve; fail = reject; });
  return { p, open, fail };
}

const flush = () => new Promise<void>((r) => { setImmediate(r); });

describe('read window (domain/read-window.ts)', () => {
  it('is ceil(rate × p90 latency × 1.5), at least 1, at most its cap', () => {
    const clock = createManualClock(epochMs(0));
    const w = createReadWindow({ ratePerSec: 18, clock, max: 32 });
    // before any read: the assumed 200 ms → ceil(18 × 0.2 × 1.5) = 6
    expect(w.size()).toBe(6);
    for (let i = 0; i < 9; i++) w.observe(100);
    w.observe(1000);
    // p90 of nine 100s and one 1000 is 100 → ceil(2.7) = 3
    expect(w.size()).toBe(3);
    for (let i = 0; i < 10; i++) w.observe(10_000);
    expect(w.size()).toBe(32);
    for (let i = 0; i < 50; i++) w.observe(0);
    expect(w.size()).toBe(1);
    // the default cap is two seconds of reads: at 1.8/s, 4
    const paper = createReadWindow({ ratePerSec: 1.8, clock });
    for (let i = 0; i < 10; i++) paper.observe(60_000);
    expect(paper.size()).toBe(4);
  });

  it('never has more reads in flight than its size, answers each read once, in the items\' order', async () => {
    const clock = createManualClock(epochMs(0));
    const w = createReadWindow({ ratePerSec: 20, clock, max: 3, initialLatencyMs: 10_000 });
    expect(w.size()).toBe(3);
    const gates = Array.from({ length: 10 }, () => gate<number>());
    let inFlight = 0;
    let most = 0;
    const started: number[] = [];
    const all = mapInWindow(w, gates, async (g, i) => {
      started.push(i);
      inFlight++;
      most = Math.max(most, inFlight);
      try {
        return await g.p;
      } finally {
        inFlight--;
      }
    });
    await flush();
    expect(started).toEqual([0, 1, 2]);
    // every read takes 10 s by this clock, so the window stays at its cap of 3
    clock.advance(10_000);
    // answers out of order; a failure is its item's alone
    gates[2]!.open(2);
    gates[0]!.fail(new Error('symbol 0 failed'));
    await flush();
    expect(started).toEqual([0, 1, 2, 3, 4]);
    for (const i of [9, 8, 7, 6, 5, 4, 3, 1]) {
      // open in reverse; those not started yet answer when they start
      clock.advance(10_000);
      gates[i]!.open(i);
      await flush();
    }
    const results = await all;
    expect(most).toBe(3);
    expect(started.slice().sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(new Set(started).size).toBe(10);
    expect(results[0]).toMatchObject({ status: 'rejected' });
    expect(results.slice(1).map((r) => (r.status === 'fulfilled' ? r.value : null))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('learns the latency of reads it only measures (the signal stage\'s market)', async () => {
    const clock = createManualClock(epochMs(0));
    const w = createReadWindow({ ratePerSec: 18, clock, max: 32 });
    const slow = gate<Quote>();
    const market = measuredMarket({ quote: () => slow.p } as unknown as MarketData, w);
    const quoted = market.quote('005930' as never);
    clock.advance(1_000);
    slow.open({} as Quote);
    await quoted;
    // one read of 1 s → ceil(18 × 1 × 1.5) = 27
    expect(w.size()).toBe(27);
  });

  it('refuses settings that cannot work, naming them', () => {
    const clock = createManualClock(epochMs(0));
    let e: unknown;
    try { createReadWindow({ ratePerSec: 0, clock }); } catch (err) { e = err; }
    expect(isAppError(e, 'CONFIG_INVALID')).toBe(true);
    expect(String((e as Error).message)).toMatch(/ratePerSec > 0 \(got 0\)/);
  });
});
