import { afterEach, describe, expect, inject, it } from 'vitest';
import { tradingDate } from '../../../src/domain/index.js';
import { daemonEnv, startSharedSim } from '../../helpers/daemon.js';
import type { DaemonProcess } from '../../helpers/daemon.js';
import { EAGER, crashChaos, printFigures } from '../../helpers/chaos.js';

/**
 * The short form of the chaos suite's crash test (test/chaos/crash.test.ts runs 50 kills in every
 * simulator variant): 8 kill -9 over a trading session at 60× with dropped answers and latency,
 * then the trade log must match the simulator's books — nothing sent twice, every fill once.
 */
const DATE = tradingDate('20261126');
const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('kill -9 at random moments (short)', () => {
  it('sends no order twice and books every fill once', async () => {
    const h = await startSharedSim({ date: DATE, hhmmss: '090500', speed: 60, variant: 'captured' });
    const d = daemonEnv(h, inject('redisUrl'), EAGER);
    cleanups.push(() => h.stop(), () => d.cleanup());
    const track = (p: DaemonProcess) => cleanups.push(async () => { if (p.child.exitCode === null && p.child.signalCode === null) { p.child.kill('SIGKILL'); await p.exited; } });
    const f = await crashChaos({ h, d, date: DATE, kills: 8, seed: 14, track });
    printFigures('crash short (captured)', { ...f });
    expect(f.kills).toBe(8);
    expect(f.orders).toBeGreaterThan(0);
  }, 240_000);
});
