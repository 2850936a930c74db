import { afterEach, describe, expect, inject, it } from 'vitest';
import { join } from 'node:path';
import { createApp } from '../../../src/app.js';
import { loadConfig } from '../../../src/config/index.js';
import { tradingDate } from '../../../src/domain/index.js';
import type { Logger, TradingDate } from '../../../src/domain/index.js';
import { daemonEnv, ROOT, startSharedSim, waitFor } from '../../helpers/daemon.js';
import type { SimHarness } from '../../helpers/daemon.js';

/**
 * Issue 13: "the start-up scan runs on a closed day today (118 KIS calls on a holiday)". The daemon
 * in-process against the simulator, started on a holiday, a weekend and a trading day outside the
 * scan window, makes no ranking or quote call, and still reconciles with the broker at start.
 * The calls are counted by path on the simulator.
 */
const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** what a scan reads: the rankings, then quotes and daily bars of its candidates */
const SCAN_PATH = /volume-rank|ranking\/fluctuation|inquire-price|inquire-daily-itemchartprice|asking-price/;
/** what reconciliation reads: the balance and the day's orders */
const RECONCILE_PATH = /inquire-balance|inquire-daily-ccld/;

function callsTo(h: SimHarness, path: RegExp): number {
  return Object.entries(h.sim.stats().byPath).filter(([p]) => path.test(p)).reduce((n, [, c]) => n + c, 0);
}

/** Starts the daemon at `hhmmss` KST on `date`; resolves once the start-up scan has run or said why not. */
async function startAt(date: TradingDate, hhmmss: string): Promise<{ h: SimHarness; stop(): Promise<void> }> {
  const h = await startSharedSim({ date, hhmmss });
  const d = daemonEnv(h, inject('redisUrl'));
  cleanups.push(() => h.stop(), () => d.cleanup());
  // Only to know when the decision was made: the test asserts on the calls the simulator received.
  const skipped: string[] = [];
  const log: Logger = {
    debug: () => undefined, warn: () => undefined, error: () => undefined, fatal: () => undefined,
    info: (obj: unknown, msg?: string) => {
      if (typeof msg === 'string' && msg.startsWith('scan not run now')) skipped.push(msg);
    },
    child: () => log,
  };
  const loaded = loadConfig({ dir: join(ROOT, 'config'), env: d.env });
  const app = createApp({ loaded, env: d.env, cwd: ROOT, log });
  await app.start();
  let stopped = false;
  cleanups.push(() => (stopped ? undefined : app.stop()));
  const decided = () => (skipped.length > 0 || callsTo(h, SCAN_PATH) > 0 ? true : undefined);
  await waitFor(decided, 20_000, 'the start-up scan to run or be skipped');
  return { h, stop: async () => { stopped = true; await app.stop(); } };
}

describe('no scan outside the session', () => {
  it.each([
    ['a holiday (Christmas, a Friday)', '20261225', '103000'],
    ['a Saturday', '20261128', '103000'],
    ['a trading day before the open', '20261126', '070000'],
    ['a trading day after the close', '20261126', '170000'],
  ])('on %s the daemon makes no ranking or quote call, and reconciles at start', async (_what, date, hhmmss) => {
    const { h, stop } = await startAt(tradingDate(date), hhmmss);
    // stop() waits for every scheduled run in progress: nothing can still be on its way after it.
    await stop();
    expect(callsTo(h, SCAN_PATH)).toBe(0);
    expect(callsTo(h, RECONCILE_PATH)).toBeGreaterThan(0);
  }, 60_000);

  it('in the regular session of a trading day it scans at start (the count above can see a scan)', async () => {
    const { h } = await startAt(tradingDate('20261126'), '103000');
    const ranked = () => (callsTo(h, /volume-rank|ranking\/fluctuation/) > 0 ? true : undefined);
    await waitFor(ranked, 20_000, 'the start-up scan\'s rankings');
    expect(callsTo(h, RECONCILE_PATH)).toBeGreaterThan(0);
  }, 60_000);
});
