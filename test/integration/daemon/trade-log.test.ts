import { afterEach, describe, expect, inject, it } from 'vitest';
import { closeSync, openSync, rmSync, truncateSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { Redis } from 'ioredis';
import { createApp } from '../../../src/app.js';
import type { App } from '../../../src/app.js';
import { loadConfig } from '../../../src/config/index.js';
import { RISK_KEYS, silentLogger, tradingDate } from '../../../src/domain/index.js';
import type { Halt } from '../../../src/domain/index.js';
import { createProducers } from '../../../src/queues/index.js';
import type { OrderJob } from '../../../src/queues/index.js';
import { openStore, openStoreReadOnly } from '../../../src/store/index.js';
import { registerTradeLogCommands } from '../../../src/cli/trade-log-commands.js';
import { daemonEnv, readOrders, readRows, ROOT, spawnDaemon, startSharedSim, waitFor } from '../../helpers/daemon.js';
import type { DaemonEnv, SimHarness } from '../../helpers/daemon.js';

/**
 * Issue 9 item 3: a lost trade log (0 bytes, deleted) must not make the daemon adopt its own
 * orders of the day as `external` and trade on as if nothing happened; a damaged one must not be
 * traded into. The daemon in-process (and once as a child process, for its exit code) against
 * the simulator over HTTP, real Redis, a real SQLite file.
 */
const DATE = tradingDate('20261126');
const QUIET = { KIS_TRADER__STRATEGIES__MOMENTUM_VOLUME__PARAMS__MIN_CHANGE_PCT: '29', KIS_TRADER__STRATEGIES__MOMENTUM_VOLUME__PARAMS__MAX_CHANGE_PCT: '30' };
const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(): Promise<{ h: SimHarness; d: DaemonEnv; redis: Redis }> {
  const h = await startSharedSim({ date: DATE, hhmmss: '103000' });
  const d = daemonEnv(h, inject('redisUrl'), QUIET);
  const redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: null });
  cleanups.push(() => h.stop(), () => d.cleanup(), () => redis.quit());
  return { h, d, redis };
}

async function startApp(d: DaemonEnv): Promise<App> {
  const loaded = loadConfig({ dir: join(ROOT, 'config'), env: d.env });
  const app = createApp({ loaded, env: d.env, cwd: ROOT, log: silentLogger });
  let stopped = false;
  cleanups.push(() => (stopped ? undefined : app.stop()));
  try {
    await app.start();
  } catch (err) {
    stopped = true;
    await app.stop();
    throw err;
  }
  const stop = app.stop;
  return Object.assign(app, { stop: async () => { stopped = true; await stop(); } });
}

/** First life of the daemon: it buys `symbol` and the fill lands in its log; then it stops cleanly. */
async function tradeOnce(h: SimHarness, d: DaemonEnv, redis: Redis): Promise<string> {
  const symbol = h.sim.market.symbols()[3]!.code;
  const app = await startApp(d);
  const job: OrderJob = {
    intentKey: `i.trade-log-test.${symbol}.buy.${DATE}.entry`, symbol, side: 'buy', type: 'market', qty: 2, price: 0,
    tradingDate: DATE, decisionId: null, configHash: 'test', reason: 'test',
  };
  const producers = createProducers(redis, d.prefix, silentLogger);
  await producers.orders.add(job.intentKey, job);
  await producers.close();
  await waitFor(() => readOrders(d.dbPath).find((o) => o.intent_key === job.intentKey && o.status === 'filled'), 30_000, 'the buy to fill');
  await app.stop();
  return symbol;
}

/** `kis-trader <args>` on its own connection to the file, as the CLI would. */
async function cli(d: DaemonEnv, app: App, ...args: string[]): Promise<string[]> {
  const out: string[] = [];
  const program = new Command().exitOverride();
  registerTradeLogCommands(program, {
    out: (s) => void out.push(s), err: (s) => void out.push(s), exit: (code) => { throw new Error(`exit ${code}`); },
    clock: app.clock,
    source: `sim · ${d.dbPath}`,
    withStore(fn) {
      const store = openStore({ path: d.dbPath, synchronous: 'FULL', clock: app.clock });
      try { return fn(store); } finally { store.close(); }
    },
    withReadStore(fn) {
      const store = openStoreReadOnly({ path: d.dbPath, clock: app.clock });
      try { return fn(store); } finally { store.close(); }
    },
  });
  await program.parseAsync(['node', 'kis-trader', ...args]);
  return out;
}

async function expectHaltedThenAdopt(d: DaemonEnv, symbol: string): Promise<void> {
  const app = await startApp(d);
  const halt = app.store.risk.get<Halt>(RISK_KEYS.halt);
  expect(halt?.reason).toContain('is new, but the broker account holds 1 name(s) and has 1 order(s) today');
  expect(halt?.reason).toContain('kis-trader adopt');
  // reconcile found its own buy of today, but as somebody else's: without adopt no exit would ever sell it
  expect(app.store.orders.forDate(DATE).map((o) => o.origin)).toEqual(['external']);
  expect(app.store.positions.list()).toEqual([]);

  const said = await cli(d, app, 'adopt');
  expect(said.join('\n')).toContain('orders taken over: 1');
  expect(said.join('\n')).toContain('entries resumed');
  expect(app.store.risk.get(RISK_KEYS.halt)).toBeNull();
  const [order] = app.store.orders.forDate(DATE);
  expect(order?.origin).toBe('daemon');
  expect(app.store.orders.events(order!.id).map((e) => e.event)).toContain('adopted');
  // the daemon's position now: exits manage it
  expect(app.store.positions.list().map((p) => [p.symbol, p.qty])).toEqual([[symbol, 2]]);
  // a second adopt takes nothing more
  // the halt is lifted: a plain adopt refuses (external orders would be the owner's), --force takes nothing more
  await expect(cli(d, app, 'adopt')).rejects.toThrow('exit 2');
  expect((await cli(d, app, 'adopt', '--force')).join('\n')).toContain('orders taken over: 0');
  expect(app.store.positions.list().map((p) => [p.symbol, p.qty])).toEqual([[symbol, 2]]);
  await app.stop();

  // and the next start is not "new" any more: no halt
  const again = await startApp(d);
  expect(again.store.risk.get(RISK_KEYS.halt)).toBeNull();
  await again.stop();
}

describe('a lost trade log', () => {
  it('truncated to 0 bytes: halts entries until `kis-trader adopt` takes the day over', async () => {
    const { h, d, redis } = await setup();
    const symbol = await tradeOnce(h, d, redis);
    truncateSync(d.dbPath, 0);
    await expectHaltedThenAdopt(d, symbol);
  }, 120_000);

  it('deleted: halts entries until `kis-trader adopt` takes the day over', async () => {
    const { h, d, redis } = await setup();
    const symbol = await tradeOnce(h, d, redis);
    for (const f of [d.dbPath, `${d.dbPath}-wal`, `${d.dbPath}-shm`]) rmSync(f, { force: true });
    await expectHaltedThenAdopt(d, symbol);
  }, 120_000);

  it('a new log beside an empty account starts without a halt', async () => {
    const { d } = await setup();
    const app = await startApp(d);
    expect(app.store.risk.get(RISK_KEYS.halt)).toBeNull();
    await app.stop();
  }, 60_000);
});

describe('a damaged trade log', () => {
  it('is refused at start: exit 78, naming the file', async () => {
    const { h, d, redis } = await setup();
    await tradeOnce(h, d, redis);
    const [{ rootpage }] = readRows<{ rootpage: number }>(d.dbPath, "SELECT rootpage FROM sqlite_master WHERE name = 'orders'") as [{ rootpage: number }];
    const [{ page_size: pageSize }] = readRows<{ page_size: number }>(d.dbPath, 'PRAGMA page_size') as [{ page_size: number }];
    const fd = openSync(d.dbPath, 'r+');
    writeSync(fd, Buffer.alloc(pageSize, 0xa5), 0, pageSize, (rootpage - 1) * pageSize);
    closeSync(fd);

    const p = spawnDaemon(d.env);
    cleanups.push(async () => { if (p.child.exitCode === null && p.child.signalCode === null) { p.child.kill('SIGKILL'); await p.exited; } });
    const exit = await p.exited;
    expect(exit.code).toBe(78);
    const fatal = p.lines.find((l) => l['level'] === 60);
    expect(fatal?.['code']).toBe('STORE_CORRUPT');
    expect(String(fatal?.['msg'])).toContain(`trade log ${d.dbPath} is damaged`);
    expect(String(fatal?.['msg'])).toContain('no backup found');
    expect(h.sim.exchange.ordersReceived).toBe(1);
  }, 120_000);
});

describe('a trade log written by a newer kis-trader', () => {
  it('is refused at start with exit 78 (pm2 does not loop on it), naming the file, and left as it was', async () => {
    const { h, d } = await setup();
    const newer = openStore({ path: d.dbPath, synchronous: 'FULL', clock: h.clock });
    const version = Number(newer.db.pragma('user_version', { simple: true }));
    newer.db.pragma(`user_version = ${version + 1}`);
    newer.close();
    const p = spawnDaemon(d.env);
    cleanups.push(async () => { if (p.child.exitCode === null && p.child.signalCode === null) { p.child.kill('SIGKILL'); await p.exited; } });
    expect((await p.exited).code).toBe(78);
    const fatal = p.lines.find((l) => l['level'] === 60);
    expect(fatal?.['code']).toBe('STORE_SCHEMA_TOO_NEW');
    expect(String(fatal?.['msg'])).toContain(d.dbPath);
    expect(readRows<{ user_version: number }>(d.dbPath, 'PRAGMA user_version')[0]?.user_version).toBe(version + 1);
  }, 60_000);
});
