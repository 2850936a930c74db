import { afterEach, describe, expect, inject, it } from 'vitest';
import { tradingDate } from '../../src/domain/index.js';
import { SIM_VARIANT_NAMES } from '../../src/sim/index.js';
import { daemonEnv, startSharedSim } from '../helpers/daemon.js';
import type { DaemonProcess } from '../helpers/daemon.js';
import { EAGER, crashChaos, printFigures } from '../helpers/chaos.js';

/**
 * Issue 14's crash chaos: 50 kill -9 at seeded random moments over a session at 60× with an eager
 * strategy, 30 % of order answers dropped after the exchange booked the order and 400 ms on every
 * order POST; each run starts again on the same SQLite file and Redis and reconciles. At the end,
 * from the simulator's own records: no order sent twice, every fill once in SQLite, positions and
 * cash equal to the simulator's — in every simulator variant.
 */
const DATE = tradingDate('20261126');
const KILLS = 50;
const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe.each(SIM_VARIANT_NAMES)('%s shape: 50 kill -9 over a session', (variant) => {
  it('sends no order twice, books every fill once, and ends with the exchange\'s positions and cash', async () => {
    const h = await startSharedSim({ date: DATE, hhmmss: '090500', speed: 60, variant });
    const d = daemonEnv(h, inject('redisUrl'), EAGER);
    cleanups.push(() => h.stop(), () => d.cleanup());
    const track = (p: DaemonProcess) => cleanups.push(async () => { if (p.child.exitCode === null && p.child.signalCode === null) { p.child.kill('SIGKILL'); await p.exited; } });
    const f = await crashChaos({ h, d, date: DATE, kills: KILLS, seed: 1414, track });
    printFigures(`crash (${variant})`, { ...f });
    expect(f.kills).toBe(KILLS);
    expect(f.orders).toBeGreaterThan(10);
  });
});
