import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { createApp } from '../../../src/app.js';
import { freePort } from '../../../src/runtime/index.js';
import { loadConfig } from '../../../src/config/index.js';
import { silentLogger, tradingDate } from '../../../src/domain/index.js';
import { createProducers } from '../../../src/queues/index.js';
import type { OrderJob } from '../../../src/queues/index.js';
import { startRedisServer } from '../../helpers/redis-server.js';
import { daemonEnv, readOrders, ROOT, startSharedSim, waitFor } from '../../helpers/daemon.js';

/**
 * Redis lost while the daemon runs: jobs pause, the daemon keeps its state (SQLite) and goes on
 * when Redis is back — here a Redis without persistence, so even the queues come back empty —
 * and nothing is sent twice.
 */
const DATE = tradingDate('20261126');
const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const buy = (symbol: string, n: number): OrderJob => ({
  intentKey: `i.outage.${symbol}.buy.${DATE}.${n}`, symbol, side: 'buy', type: 'market', qty: 1, price: 0, tradingDate: DATE, decisionId: null, configHash: 't', reason: 'outage test',
});

async function enqueue(url: string, prefix: string, job: OrderJob): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: null });
  const producers = createProducers(redis, prefix, silentLogger);
  try {
    await producers.orders.add(job.intentKey, job);
  } finally {
    await producers.close();
    await redis.quit();
  }
}

describe('Redis lost while running', () => {
  it('pauses, resumes when Redis returns, and sends nothing twice', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'redis-outage-'));
    const port = await freePort();
    const url = `redis://127.0.0.1:${port}`;
    let redis = await startRedisServer(port, dir);
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }), () => { redis.kill('SIGKILL'); });
    const h = await startSharedSim({ date: DATE, hhmmss: '103000' });
    const d = daemonEnv(h, url, { KIS_TRADER__STRATEGIES__MOMENTUM_VOLUME__PARAMS__MIN_CHANGE_PCT: '29', KIS_TRADER__STRATEGIES__MOMENTUM_VOLUME__PARAMS__MAX_CHANGE_PCT: '30' });
    cleanups.push(() => h.stop(), () => d.cleanup());
    const app = createApp({ loaded: loadConfig({ dir: join(ROOT, 'config'), env: d.env }), env: d.env, cwd: ROOT, log: silentLogger });
    await app.start();
    cleanups.push(() => app.stop());
    const [a, b] = h.sim.market.symbols().slice(10, 12).map((s) => s.code);

    await enqueue(url, d.prefix, buy(a!, 1));
    await waitFor(() => readOrders(d.dbPath).find((o) => o.status === 'filled'), 20_000, 'the first order to fill');

    redis.kill('SIGKILL');
    await once(redis, 'exit');
    // The daemon keeps running without Redis; its trade log stays readable and unchanged.
    expect(readOrders(d.dbPath)).toHaveLength(1);
    redis = await startRedisServer(port, dir);

    await enqueue(url, d.prefix, buy(b!, 2));
    await waitFor(() => (readOrders(d.dbPath).filter((o) => o.status === 'filled').length === 2 ? true : undefined), 40_000, 'the second order after Redis returned');
    expect(h.sim.exchange.ordersReceived).toBe(2);
    expect(app.store.risk.get('entries-halted')).toBeNull();
  }, 90_000);
});
