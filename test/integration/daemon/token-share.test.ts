import { afterEach, describe, expect, inject, it } from 'vitest';
import { Redis } from 'ioredis';
import { join } from 'node:path';
import { createApp } from '../../../src/app.js';
import { loadConfig } from '../../../src/config/index.js';
import { silentLogger, tradingDate } from '../../../src/domain/index.js';
import { tokenStoreKey } from '../../../src/kis/index.js';
import { tokenMirrorKey } from '../../../src/runtime/index.js';
import { SIM_DEFAULT_CREDENTIALS } from '../../../src/sim/index.js';
import { daemonEnv, ROOT, startSharedSim } from '../../helpers/daemon.js';
import type { DaemonEnv, SimHarness } from '../../helpers/daemon.js';

/**
 * Issue 13: "a process on another machine sharing the Redis finds no token (it lives in that
 * machine's SQLite), asks KIS, gets EGW00133 and waits 61 s". Two daemons in turn, each with its
 * own data directory and SQLite file, one Redis: the second takes the first's token from Redis.
 * Token calls counted on the simulator.
 */
const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function runDaemon(h: SimHarness, d: DaemonEnv): Promise<void> {
  const loaded = loadConfig({ dir: join(ROOT, 'config'), env: d.env });
  const app = createApp({ loaded, env: d.env, cwd: ROOT, log: silentLogger });
  try {
    await app.start();
  } finally {
    await app.stop();
  }
}

describe('the KIS token shared through Redis', () => {
  it('a daemon with its own data directory reuses the token another put in the shared Redis: one tokenP', async () => {
    // after the close: no scan, only the start-up reconcile, which needs the token
    const h = await startSharedSim({ date: tradingDate('20261126'), hhmmss: '170000' });
    const first = daemonEnv(h, inject('redisUrl'));
    // "another machine": another data directory and trade log, the same Redis and prefix
    const second = daemonEnv(h, inject('redisUrl'), { KIS_TRADER__REDIS__PREFIX: first.prefix });
    const redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: null });
    const row = tokenMirrorKey(first.prefix, tokenStoreKey('live', SIM_DEFAULT_CREDENTIALS.appKey));
    cleanups.push(() => h.stop(), () => first.cleanup(), () => second.cleanup());
    cleanups.push(async () => { await redis.del(row); await redis.quit(); });
    expect(second.dbPath).not.toBe(first.dbPath);

    await runDaemon(h, first);
    expect(h.sim.stats().byPath['/oauth2/tokenP']).toBe(1);
    await runDaemon(h, second);
    expect(h.sim.stats().byPath['/oauth2/tokenP']).toBe(1);
    expect(h.sim.stats().tokensIssued).toBe(1);
    // what is in Redis is the row, sealed: not the token in clear text
    const token = JSON.stringify(await redis.hgetall(row));
    expect(token).toMatch(/"token":"v1\./);
    expect(await redis.pttl(row)).toBeGreaterThan(0);
  }, 120_000);
});
