import { spawn } from 'node:child_process';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tradingDate } from '../../../src/domain/index.js';
import { freePort, pingRedis } from '../../../src/runtime/index.js';
import { daemonEnv, readRows, spawnDaemon, startSharedSim, waitFor, waitForAsync } from '../../helpers/daemon.js';
import type { DaemonProcess } from '../../helpers/daemon.js';

/**
 * Scale-out (daemon.role "workers"): the daemon that owns the account and a workers process, two
 * real processes on one Redis and one simulator, at sim speed. Both evaluate signal jobs; only
 * the owner records decisions and sends orders; nothing is recorded or sent twice.
 */
const DATE = tradingDate('20261126');
const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function stop(p: DaemonProcess): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.child.kill('SIGTERM');
  await p.exited;
}

const count = (db: string, sql: string) => readRows<{ n: number }>(db, sql)[0]!.n;

describe('a workers process beside the owner', () => {
  it('evaluates signal jobs whose decisions the owner records once, and sends no order itself', async () => {
    const h = await startSharedSim({ date: DATE, hhmmss: '093000', speed: 100 });
    const d = daemonEnv(h, inject('redisUrl'), { KIS_TRADER__SCAN__TOP_N: '8', KIS_TRADER__DAEMON__SIGNAL_CONCURRENCY: '1' });
    const workersDir = mkdtempSync(join(tmpdir(), 'kis-workers-'));
    cleanups.push(() => h.stop(), () => d.cleanup(), () => rmSync(workersDir, { recursive: true, force: true }));

    const owner = spawnDaemon(d.env);
    cleanups.push(() => stop(owner));
    await owner.waitForLog((l) => l.msg === 'kis-trader ready', 60_000);
    // Same Redis and prefix, same config files; its own data dir, where a trade log must never appear.
    const workers = spawnDaemon({
      ...d.env, KIS_TRADER__DAEMON__ROLE: 'workers', KIS_TRADER__DAEMON__SIGNAL_CONCURRENCY: '2',
      KIS_TRADER__DATA_DIR: workersDir, KIS_TRADER__STORE__PATH: join(workersDir, 'trade.sqlite'),
    });
    cleanups.push(() => stop(workers));
    const ready = await workers.waitForLog((l) => typeof l.msg === 'string' && l.msg.startsWith('kis-trader workers ready'), 60_000);
    const by = ready.evaluatedBy as string;
    expect(by).toMatch(/:\d+$/);

    const workerDecisions = () => count(d.dbPath, `SELECT count(*) n FROM decisions WHERE json_extract(inputs, '$.evaluatedBy') = '${by}'`);
    const ownerDecisions = () => count(d.dbPath, `SELECT count(*) n FROM decisions WHERE json_extract(inputs, '$.evaluatedBy') = 'owner'`);
    await waitFor(() => (workerDecisions() >= 5 && ownerDecisions() >= 5 ? true : undefined), 120_000, 'decisions evaluated by both processes');
    // An intent the workers process decided, placed by the owner's order worker.
    const placedFromWorkers = () => count(d.dbPath,
      `SELECT count(*) n FROM orders o JOIN decisions d ON d.id = o.decision_id WHERE o.venue_order_id IS NOT NULL AND json_extract(d.inputs, '$.evaluatedBy') = '${by}'`);
    await waitFor(() => (placedFromWorkers() > 0 ? true : undefined), 150_000, 'an order decided by the workers process and placed by the owner');
    // `kis-trader status` counts the processes consuming signal jobs (the owner's heartbeat, every 15 s).
    const consumers = () => readRows<{ value: string }>(d.dbPath, `SELECT value FROM kv WHERE key = 'daemon-heartbeat'`)
      .map((r) => (JSON.parse(r.value) as { queues: { signalConsumers?: number } | null }).queues?.signalConsumers)[0];
    await waitFor(() => (consumers() === 2 ? true : undefined), 60_000, 'the heartbeat to count two signal consumers');
    // Let what is in flight settle: both stop, the owner last (it records what the workers sent).
    await stop(workers);
    await stop(owner);

    // Nothing recorded twice: one decision per signal job, whoever evaluated it.
    const twice = readRows<{ job: string; n: number }>(d.dbPath,
      `SELECT json_extract(inputs, '$.signalJobId') job, count(*) n FROM decisions GROUP BY job HAVING n > 1`);
    expect(twice).toEqual([]);
    expect(count(d.dbPath, `SELECT count(*) n FROM decisions WHERE json_extract(inputs, '$.signalJobId') IS NULL`)).toBe(0);
    // The order rows of worker decisions carry the owner's config hash, as the decisions do.
    const hashes = readRows<{ h: string }>(d.dbPath, `SELECT DISTINCT o.config_hash h FROM orders o JOIN decisions d ON d.id = o.decision_id WHERE json_extract(d.inputs, '$.evaluatedBy') = '${by}'`);
    const ownerHashes = readRows<{ h: string }>(d.dbPath, `SELECT DISTINCT config_hash h FROM decisions WHERE json_extract(inputs, '$.evaluatedBy') = 'owner'`);
    expect(hashes.map((r) => r.h)).toEqual(ownerHashes.map((r) => r.h));

    // One order worker: every order at the simulator is one row of the owner's trade log, each intent once.
    const orders = readRows<{ intent_key: string; venue_order_id: string | null }>(d.dbPath, 'SELECT intent_key, venue_order_id FROM orders');
    const simOrders = h.sim.exchange.orders('50000000-01', DATE).filter((o) => o.kind === 'new');
    const placed = orders.filter((o) => o.venue_order_id !== null);
    expect(placed.length).toBe(simOrders.length);
    expect(new Set(simOrders.map((o) => o.odno))).toEqual(new Set(placed.map((o) => o.venue_order_id)));
    expect(new Set(orders.map((o) => o.intent_key)).size).toBe(orders.length);

    // The workers process opened no SQLite file and never claimed the account.
    expect(readdirSync(workersDir).filter((f) => f.includes('sqlite'))).toEqual([]);
    expect(workers.lines.some((l) => typeof l.msg === 'string' && /order intent enqueued|instance lock/.test(l.msg))).toBe(false);
  }, 300_000);

  it('hands every job back to the owner when its risk limits differ, and the owner evaluates each once', async () => {
    const h = await startSharedSim({ date: DATE, hhmmss: '093000', speed: 100 });
    const d = daemonEnv(h, inject('redisUrl'), { KIS_TRADER__SCAN__TOP_N: '8', KIS_TRADER__DAEMON__SIGNAL_CONCURRENCY: '1' });
    const workersDir = mkdtempSync(join(tmpdir(), 'kis-workers-'));
    const redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: null });
    const results = new Queue('decisions', { connection: redis, prefix: d.prefix });
    cleanups.push(() => h.stop(), () => d.cleanup(), () => rmSync(workersDir, { recursive: true, force: true }), () => redis.quit(), () => results.close());
    const owner = spawnDaemon(d.env);
    cleanups.push(() => stop(owner));
    await owner.waitForLog((l) => l.msg === 'kis-trader ready', 60_000);
    const workers = spawnDaemon({
      ...d.env, KIS_TRADER__DAEMON__ROLE: 'workers', KIS_TRADER__DAEMON__SIGNAL_CONCURRENCY: '2', KIS_TRADER__RISK__MAX_POSITIONS: '2',
      KIS_TRADER__DATA_DIR: workersDir, KIS_TRADER__STORE__PATH: join(workersDir, 'trade.sqlite'),
    });
    cleanups.push(() => stop(workers));
    await workers.waitForLog((l) => typeof l.msg === 'string' && l.msg.startsWith('kis-trader workers ready'), 60_000);
    const deferred = async () => (await results.getJobs(['completed'])).filter((j) => (j.data as { outcome: string }).outcome === 'deferred');
    const handedBack = await waitForAsync(async () => {
      const ids = (await deferred()).map((j) => j.id!);
      return ids.length >= 3 ? ids : undefined;
    }, 120_000, 'jobs handed back to the owner');
    await stop(workers);
    await stop(owner);
    const evaluators = readRows<{ by: string }>(d.dbPath, `SELECT DISTINCT json_extract(inputs, '$.evaluatedBy') by FROM decisions`).map((r) => r.by);
    expect(evaluators).toEqual(['owner']);
    const jobs = readRows<{ job: string; n: number }>(d.dbPath, `SELECT json_extract(inputs, '$.signalJobId') job, count(*) n FROM decisions GROUP BY job`);
    expect(jobs.filter((j) => j.n > 1)).toEqual([]);
    // every job handed back was evaluated by the owner (an exit of a position gone leaves no row, as on the owner)
    const decided = new Set(jobs.map((j) => j.job));
    expect(handedBack.filter((id) => id.startsWith('s.entry.') && !decided.has(id))).toEqual([]);
  }, 300_000);

  it('exits non-zero when the owner\'s Redis stays away longer than redis.maxOutageSeconds', async () => {
    const h = await startSharedSim({ date: DATE, hhmmss: '093000' });
    const d = daemonEnv(h, inject('redisUrl'));
    const dir = mkdtempSync(join(tmpdir(), 'kis-workers-redis-'));
    const port = await freePort();
    const redisServer = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', ''], { stdio: 'ignore' });
    cleanups.push(() => h.stop(), () => d.cleanup(), () => { redisServer.kill('SIGKILL'); rmSync(dir, { recursive: true, force: true }); });
    const url = `redis://127.0.0.1:${port}`;
    await waitForAsync(async () => ((await pingRedis(url)) ? true : undefined), 10_000, 'redis-server');
    const workers = spawnDaemon({
      ...d.env, REDIS_URL: url, KIS_TRADER__DAEMON__ROLE: 'workers', KIS_TRADER__REDIS__MAX_OUTAGE_SECONDS: '5',
      KIS_TRADER__DATA_DIR: dir, KIS_TRADER__STORE__PATH: join(dir, 'trade.sqlite'),
    });
    cleanups.push(() => stop(workers));
    await workers.waitForLog((l) => typeof l.msg === 'string' && l.msg.startsWith('kis-trader workers ready'), 60_000);
    redisServer.kill('SIGKILL');
    // before the fix it reconnected for ever: this wait timed out
    const exit = await workers.exited;
    expect(exit.code).toBe(1);
    await workers.waitForLog((l) => typeof l.msg === 'string' && l.msg.startsWith('the owner\'s Redis unreachable for'), 5_000);
  }, 90_000);

  it('refuses to start without the owner\'s Redis, saying why (exit 78)', async () => {
    const h = await startSharedSim({ date: DATE, hhmmss: '093000' });
    const d = daemonEnv(h, inject('redisUrl'));
    cleanups.push(() => h.stop(), () => d.cleanup());
    const { REDIS_URL: _unused, ...env } = d.env;
    const workers = spawnDaemon({ ...env, KIS_TRADER__DAEMON__ROLE: 'workers' });
    const exit = await workers.exited;
    expect(exit.code).toBe(78);
    expect(workers.stderr.join('')).toMatch(/daemon\.role "workers" needs the Redis of the daemon that owns the account/);
  }, 60_000);
});
