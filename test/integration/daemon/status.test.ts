import { afterEach, describe, expect, inject, it } from 'vitest';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { createApp } from '../../../src/app.js';
import { loadConfig } from '../../../src/config/index.js';
import { epochMs, silentLogger, systemClock, tradingDate } from '../../../src/domain/index.js';
import type { Clock } from '../../../src/domain/index.js';
import { HEARTBEAT_KEY, openStore } from '../../../src/store/index.js';
import type { Heartbeat } from '../../../src/store/index.js';
import { registerTradeLogCommands } from '../../../src/cli/trade-log-commands.js';
import { createTempStore } from '../../helpers/temp-store.js';
import { daemonEnv, ROOT, spawnDaemon, startSharedSim, waitFor } from '../../helpers/daemon.js';

/**
 * Issue 9 item 4: `kis-trader status` says whether the daemon runs, from the heartbeat the
 * daemon writes into its trade log, its age and whether its process is alive.
 */
const DATE = tradingDate('20261126');
const QUIET = { KIS_TRADER__STRATEGIES__MOMENTUM_VOLUME__PARAMS__MIN_CHANGE_PCT: '29', KIS_TRADER__STRATEGIES__MOMENTUM_VOLUME__PARAMS__MAX_CHANGE_PCT: '30' };
const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function status(dbPath: string, clock: Clock = systemClock): Promise<string> {
  return cli(dbPath, ['status'], clock);
}

async function cli(dbPath: string, args: string[], clock: Clock = systemClock): Promise<string> {
  const out: string[] = [];
  const program = new Command().exitOverride();
  registerTradeLogCommands(program, {
    out: (s) => void out.push(s), err: (s) => void out.push(s), exit: (code) => { throw new Error(`exit ${code}`); }, clock,
    source: `sim · ${dbPath}`,
    withStore(fn) {
      const store = openStore({ path: dbPath, synchronous: 'FULL', clock });
      try { return fn(store); } finally { store.close(); }
    },
    // read-write here too: the first status runs before the daemon creates the log
    withReadStore(fn) {
      const store = openStore({ path: dbPath, synchronous: 'FULL', clock });
      try { return fn(store); } finally { store.close(); }
    },
  });
  await program.parseAsync(['node', 'kis-trader', ...args]);
  return out.join('\n');
}

const readHeartbeat = (dbPath: string): Heartbeat | null => {
  const store = openStore({ path: dbPath, synchronous: 'FULL', clock: systemClock });
  try { return store.kv.get<Heartbeat>(HEARTBEAT_KEY); } finally { store.close(); }
};

describe('kis-trader status', () => {
  it('says running (pid, mode, since, last reconcile, queue depths, WebSocket) while the daemon runs, and not running after it stops', async () => {
    const h = await startSharedSim({ date: DATE, hhmmss: '103000' });
    const d = daemonEnv(h, inject('redisUrl'), QUIET);
    cleanups.push(() => h.stop(), () => d.cleanup());
    expect(await status(d.dbPath)).toContain('daemon: not running (no heartbeat');

    const app = createApp({ loaded: loadConfig({ dir: join(ROOT, 'config'), env: d.env }), env: d.env, cwd: ROOT, log: silentLogger });
    let stopped = false;
    cleanups.push(() => (stopped ? undefined : app.stop()));
    await app.start();
    await waitFor(() => { const hb = readHeartbeat(d.dbPath); return hb?.queues && hb.lastReconcile !== null ? true : undefined; }, 10_000, 'a heartbeat with the first reconcile and queue depths');
    // the simulator serves the KIS WebSocket: its going live is written at once, not with the next
    // 15-s heartbeat
    await waitFor(() => (readHeartbeat(d.dbPath)?.websocket?.connected ? true : undefined), 8_000, 'a heartbeat with the WebSocket connected');
    const running = await status(d.dbPath, app.clock);
    expect(running).toContain(`daemon: running (pid ${process.pid} on ${hostname()}, mode sim, since `);
    expect(running).toMatch(/last reconcile: 2026-11-26 10:3\d/);
    expect(running).toMatch(/queues: signals \d+ waiting, \d+ active, \d+ delayed, \d+ failed; orders \d+ waiting/);
    expect(running).toMatch(/^websocket: connected, [1-9]\d* registrations?, \d+ trades?, \d+ fill notices?$/m);

    stopped = true;
    await app.stop();
    expect(await status(d.dbPath)).toMatch(/daemon: not running \(stopped; last heartbeat \d+ s ago\)/);
  }, 60_000);

  it('halt and resume: the halt shows in status, resume says what it lifted, or that nothing was halted', async () => {
    const t = createTempStore();
    const dbPath = t.path;
    expect(await cli(dbPath, ['halt', 'earnings', 'week'])).toBe('entries halted');
    expect(await status(dbPath)).toContain('entries HALTED: earnings week');
    expect(await cli(dbPath, ['resume'])).toBe('entries resumed (the halt was: earnings week)');
    expect(await status(dbPath)).toContain('entries allowed');
    expect(await cli(dbPath, ['resume'])).toBe('entries were not halted');
  });

  it('says not running when the daemon was killed with SIGKILL (its process is gone)', async () => {
    const h = await startSharedSim({ date: DATE, hhmmss: '103000' });
    const d = daemonEnv(h, inject('redisUrl'), QUIET);
    cleanups.push(() => h.stop(), () => d.cleanup());
    const p = spawnDaemon(d.env);
    cleanups.push(async () => { if (p.child.exitCode === null && p.child.signalCode === null) { p.child.kill('SIGKILL'); await p.exited; } });
    await p.waitForLog((l) => l['msg'] === 'kis-trader ready');
    expect(await status(d.dbPath)).toContain(`daemon: running (pid ${p.child.pid} `);
    p.child.kill('SIGKILL');
    await p.exited;
    expect(await status(d.dbPath)).toMatch(new RegExp(`daemon: not running \\(process ${p.child.pid} is gone; last heartbeat \\d+ s ago\\)`));
  }, 60_000);

  it('says not running when the heartbeat is too old, even if some process has that pid', async () => {
    const t = createTempStore();
    const old = Date.now() - 10 * 60_000;
    const hb: Heartbeat = { pid: process.pid, host: hostname(), mode: 'paper', since: old - 60_000, at: old, lastScan: null, lastReconcile: null, queues: null, stoppedAt: null };
    t.store.kv.set(HEARTBEAT_KEY, hb, epochMs(old));
    t.store.close();
    expect(await status(t.path)).toContain('daemon: not running (heartbeat too old; last heartbeat 10 min ago)');
  });
});
