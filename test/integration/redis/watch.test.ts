import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/domain/index.js';
import type { Notice } from '../../../src/domain/index.js';
import { connectRedis, freePort, watchRedis } from '../../../src/runtime/index.js';
import { waitFor } from '../../helpers/daemon.js';
import { startRedisServer } from '../../helpers/redis-server.js';

/**
 * watchRedis (runtime/redis-connection.ts) tells of every outage once, however short: a Redis
 * restarted at once (pm2, a package upgrade) closes the connection without an error, and the
 * jobs paused meanwhile all the same.
 */
const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('watchRedis', () => {
  it('says lost and back once each when Redis is restarted at once, and nothing when the daemon quits', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'redis-watch-'));
    const port = await freePort();
    let server = await startRedisServer(port, dir);
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }), () => { server.kill('SIGKILL'); });
    const redis = await connectRedis(`redis://127.0.0.1:${port}`);
    const notices: Notice[] = [];
    const watch = watchRedis(redis, silentLogger, { notifier: { notify: (n) => notices.push(n) } });

    server.kill('SIGTERM');
    await once(server, 'exit');
    server = await startRedisServer(port, dir);
    await waitFor(() => (redis.status === 'ready' ? true : undefined), 10_000, 'the connection back');
    await waitFor(() => (notices.length >= 2 ? true : undefined), 5000, 'lost and back');
    expect(notices.map((n) => n.kind)).toEqual(['redis-lost', 'redis-back']);
    expect(await redis.ping()).toBe('PONG');

    watch.close();
    await redis.quit();
    expect(notices.map((n) => n.kind)).toEqual(['redis-lost', 'redis-back']);
  });

  it('takes a Redis that stays connected but answers nothing for an outage: lost, the long-outage action, back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'redis-watch-'));
    const port = await freePort();
    const server = await startRedisServer(port, dir);
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }), () => { server.kill('SIGCONT'); server.kill('SIGKILL'); });
    const redis = await connectRedis(`redis://127.0.0.1:${port}`);
    cleanups.push(() => redis.disconnect());
    const notices: Notice[] = [];
    const acted: number[] = [];
    const watch = watchRedis(redis, silentLogger, {
      notifier: { notify: (n) => notices.push(n) }, maxOutageMs: 2000, onLongOutage: (ms) => { acted.push(ms); },
      pingEveryMs: 200, pingTimeoutMs: 500,
    });
    cleanups.push(() => watch.close());
    expect(watch.up()).toBe(true);

    // a hung server (SIGSTOP): the socket stays open, nothing answers
    server.kill('SIGSTOP');
    await waitFor(() => (notices.length >= 1 ? true : undefined), 5000, 'the hang seen');
    expect(notices.map((n) => n.kind)).toEqual(['redis-lost']);
    expect(notices[0]!.details['err']).toMatch(/PING/);
    expect(watch.up()).toBe(false);
    await waitFor(() => (acted.length >= 1 ? true : undefined), 10_000, 'the long-outage action');

    server.kill('SIGCONT');
    await waitFor(() => (notices.length >= 2 ? true : undefined), 5000, 'back');
    expect(notices.map((n) => n.kind)).toEqual(['redis-lost', 'redis-back']);
    expect(watch.up()).toBe(true);
  });
});
