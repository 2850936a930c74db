import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { tradingDate } from '../../src/domain/index.js';
import { freePort } from '../../src/runtime/index.js';
import { daemonEnv, readRows, spawnDaemon, startSharedSim, waitFor } from '../helpers/daemon.js';
import type { DaemonProcess } from '../helpers/daemon.js';
import { startRedisServer } from '../helpers/redis-server.js';
import { alertEnv, alertedAtBoth, alertKinds, startFakeTelegram, startWebhookSink } from '../helpers/fake-alert-sinks.js';
import { EAGER, checkBooks, filledAfter, lastOrderId, printFigures, settleAndStop, SETTLE_ONLY } from '../helpers/chaos.js';

/**
 * Issue 14's Redis chaos, on a redis-server of this test's own (never the shared one): restarted
 * mid-session, then flushed. The daemon keeps its state in SQLite: nothing is sent twice, intents
 * written but not sent when the queues vanished go out from SQLite (the reconcile sends 'pending'
 * rows), and trading resumes — an order decided after each event is placed and filled. A person
 * hears of it: Redis lost and back reach a fake Telegram and a webhook sink.
 */
const DATE = tradingDate('20261126');
const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('Redis restarted and flushed mid-session', () => {
  it('sends nothing twice, sends the pending intents from SQLite, and trades on', async () => {
    const started = Date.now();
    const dir = mkdtempSync(join(tmpdir(), 'chaos-redis-'));
    const port = await freePort();
    const url = `redis://127.0.0.1:${port}`;
    let redis = await startRedisServer(port, dir, { aof: true });
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }), () => { redis.kill('SIGKILL'); });
    const h = await startSharedSim({ date: DATE, hhmmss: '090500', speed: 60 });
    const tg = await startFakeTelegram();
    const hook = await startWebhookSink();
    const d = daemonEnv(h, url, { ...EAGER, ...alertEnv(tg, hook) });
    cleanups.push(() => tg.close(), () => hook.close(), () => h.stop(), () => d.cleanup());
    const alerted = (kind: string): number =>
      Math.min(...[tg.sent, hook.received].map((got) => alertKinds(got.map((m) => m.text)).filter((k) => k === kind).length));
    const track = (p: DaemonProcess) => cleanups.push(async () => { if (p.child.exitCode === null && p.child.signalCode === null) { p.child.kill('SIGKILL'); await p.exited; } });
    const p = spawnDaemon(d.env);
    track(p);
    await p.waitForLog((l) => l.msg === 'kis-trader ready');
    await filledAfter(d, 0, 60_000, 'a first order to fill');

    // 1. Restart (its append-only file brings the queues back).
    redis.kill('SIGTERM');
    await once(redis, 'exit');
    const beforeRestart = lastOrderId(d);
    redis = await startRedisServer(port, dir, { aof: true });
    await filledAfter(d, beforeRestart, 90_000, 'an order after the restart to fill');
    for (const kind of ['redis-lost', 'redis-back']) {
      await alertedAtBoth(tg, hook, kind, 30_000).catch((err: unknown) => {
        console.log(JSON.stringify(p.lines.filter((l) => String(l['msg']).includes('redis') || String(l['msg']).includes('alert') || l['notice'] !== undefined).slice(-40)));
        throw err;
      });
    }

    // 2. FLUSHALL when an intent is written but not sent: its job is gone with the queues.
    await waitFor(() => (readRows<{ n: number }>(d.dbPath, "SELECT COUNT(*) AS n FROM orders WHERE status = 'pending'")[0]!.n > 0 ? true : undefined), 90_000, 'a pending intent');
    const client = new Redis(url, { maxRetriesPerRequest: null });
    await client.flushall();
    await client.quit();
    const pending = readRows<{ id: number }>(d.dbPath, "SELECT id FROM orders WHERE status = 'pending'").map((r) => r.id);
    const beforeFlush = lastOrderId(d);
    const stillPending = () => readRows<{ n: number }>(d.dbPath, `SELECT COUNT(*) AS n FROM orders WHERE status = 'pending' AND id IN (${pending.join(',') || '0'})`)[0]!.n;
    await waitFor(() => (stillPending() === 0 ? true : undefined), 90_000, 'the intents pending at the flush to be sent or refused from SQLite');
    await filledAfter(d, beforeFlush, 90_000, 'an order decided after the flush to fill');
    expect(p.child.exitCode).toBeNull();

    // Settle without new entries, stop, and compare with the exchange.
    p.child.kill('SIGINT');
    expect((await p.exited).code).toBe(0);
    const last = spawnDaemon({ ...d.env, ...SETTLE_ONLY });
    track(last);
    await last.waitForLog((l) => l.msg === 'kis-trader ready');
    await settleAndStop(h, d, DATE, last, track);
    const books = checkBooks(h, d, DATE);
    const pendingSent = readRows<{ n: number }>(d.dbPath, `SELECT COUNT(*) AS n FROM orders WHERE venue_order_id IS NOT NULL AND id IN (${pending.join(',') || '0'})`)[0]!.n;
    printFigures('redis restart + flush', { ...books, pendingAtFlush: pending.length, pendingSent, redisLostAlerts: alerted('redis-lost'), elapsedS: Math.round((Date.now() - started) / 1000) });
    expect(books.duplicates).toBe(0);
  });
});
