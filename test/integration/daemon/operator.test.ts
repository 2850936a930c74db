import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../../src/runtime/index.js';
import { readRows, spawnDaemon, waitFor } from '../../helpers/daemon.js';
import { startRedisServer } from '../../helpers/redis-server.js';
import type { DaemonProcess } from '../../helpers/daemon.js';

/**
 * What an operator does to a running daemon by accident (issue 9 items 1–2): start a second copy
 * beside it, or lose its Redis for good. The daemon runs as a child process on its own data
 * directory, in sim mode with the in-process simulator and the private (embedded) redis-server.
 */
const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch { return false; }
}

interface Home { dir: string; env: Record<string, string>; db: string }

function home(extra: Record<string, string> = {}): Home {
  const dir = mkdtempSync(join(tmpdir(), 'kis-op-'));
  const db = join(dir, 'sim.sqlite');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '', HOME: dir, KIS_TRADER_MODE: 'sim', KIS_TRADER__DATA_DIR: dir, KIS_TRADER__STORE__PATH: db,
    KIS_TRADER__REDIS__PREFIX: `op-${randomUUID().slice(0, 8)}`, KIS_TRADER__SIM__SPEED: '60', KIS_TRADER__SIM__START_AT: '10:00',
    KIS_TRADER__LOG__LEVEL: 'info', ...extra,
  };
  cleanups.push(() => {
    // the private redis-server of this home, if a test left it running
    const rec = join(dir, 'redis', 'embedded.json');
    if (existsSync(rec)) {
      const { pid } = JSON.parse(readFileSync(rec, 'utf8')) as { pid: number };
      if (alive(pid)) process.kill(pid, 'SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  });
  return { dir, env, db };
}

function run(env: Record<string, string>): DaemonProcess {
  const p = spawnDaemon(env);
  cleanups.push(async () => { if (p.child.exitCode === null && p.child.signalCode === null) { p.child.kill('SIGKILL'); await p.exited; } });
  return p;
}

const decisions = (db: string): number => readRows<{ n: number }>(db, 'SELECT count(*) n FROM decisions')[0]!.n;
const embeddedPid = (h: Home): number => (JSON.parse(readFileSync(join(h.dir, 'redis', 'embedded.json'), 'utf8')) as { pid: number }).pid;

describe('a second start beside a running daemon', () => {
  it('is refused and leaves the first one trading, its Redis and simulator untouched', async () => {
    const h = home();
    const first = run(h.env);
    await first.waitForLog((l) => l.msg === 'kis-trader ready', 60_000);
    const redisPid = embeddedPid(h);
    const endpoint = readFileSync(join(h.dir, 'sim', 'endpoint.json'), 'utf8');

    const second = run(h.env);
    const exit = await second.exited;
    expect(exit.code).not.toBe(0);
    expect(second.lines.filter((l) => l.notice === 'start')).toEqual([]);
    expect(alive(redisPid)).toBe(true);
    expect(embeddedPid(h)).toBe(redisPid);
    expect(readFileSync(join(h.dir, 'sim', 'endpoint.json'), 'utf8')).toBe(endpoint);

    // The first daemon goes on deciding (a scan every simulated minute at 60×), and never lost Redis.
    const before = decisions(h.db);
    await waitFor(() => (decisions(h.db) > before ? true : undefined), 60_000, 'more decisions after the second start');
    expect(first.lines.some((l) => l.msg === 'redis connection lost: jobs pause until it returns')).toBe(false);
    first.child.kill('SIGINT');
    expect((await first.exited).code).toBe(0);
    await waitFor(() => (alive(redisPid) ? undefined : true), 10_000, 'the private redis-server to stop with its owner');
  }, 150_000);
});

describe('a second start on the same trade log with another Redis', () => {
  it('is refused by the trade log itself, before it touches anything', async () => {
    const h = home({ REDIS_URL: inject('redisUrl') });
    const first = run(h.env);
    await first.waitForLog((l) => l.msg === 'kis-trader ready', 60_000);
    const endpoint = readFileSync(join(h.dir, 'sim', 'endpoint.json'), 'utf8');
    const { REDIS_URL: _shared, ...own } = h.env;
    const second = run(own);
    const exit = await second.exited;
    expect(exit.code).not.toBe(0);
    expect(second.lines.some((l) => String(l.msg).includes(`another kis-trader (pid ${first.child.pid}`))).toBe(true);
    // refused before it started: no start alert (nor a stop after it)
    expect(second.lines.filter((l) => l.notice === 'start')).toEqual([]);
    expect(readFileSync(join(h.dir, 'sim', 'endpoint.json'), 'utf8')).toBe(endpoint);
    expect(existsSync(join(h.dir, 'redis', 'embedded.json'))).toBe(false);
    first.child.kill('SIGINT');
    expect((await first.exited).code).toBe(0);
  }, 120_000);
});

describe('a second start on the same account with another trade log', () => {
  it('is refused by the instance lock, announces no start, and leaves the first one trading', async () => {
    const h = home();
    const first = run(h.env);
    await first.waitForLog((l) => l.msg === 'kis-trader ready', 60_000);
    const second = run({ ...h.env, KIS_TRADER__STORE__PATH: join(h.dir, 'other.sqlite') });
    const exit = await second.exited;
    expect(exit.code).not.toBe(0);
    expect(second.lines.some((l) => l.code === 'REDIS_LOCK_HELD' || String(l.msg).includes('instance lock'))).toBe(true);
    expect(second.lines.filter((l) => l.notice === 'start')).toEqual([]);
    const before = decisions(h.db);
    await waitFor(() => (decisions(h.db) > before ? true : undefined), 60_000, 'more decisions after the second start');
    first.child.kill('SIGINT');
    expect((await first.exited).code).toBe(0);
  }, 150_000);
});

describe('Redis gone for good', () => {
  // SIGKILL: gone, the connection drops; SIGSTOP: hung, the socket stays open and only PING tells
  it.each(['SIGKILL', 'SIGSTOP'] as const)('%s: the daemon replaces its private redis-server and goes on', async (signal) => {
    const h = home({ KIS_TRADER__REDIS__MAX_OUTAGE_SECONDS: '5', KIS_TRADER__DAEMON__WORKER_STALL_SECONDS: '5' });
    const d = run(h.env);
    await d.waitForLog((l) => l.msg === 'kis-trader ready', 60_000);
    // right after start, the moment BullMQ's worker can be left without a blocking read (queues/watchdog.ts)
    const redisPid = embeddedPid(h);
    process.kill(redisPid, signal);
    cleanups.push(() => { if (alive(redisPid)) process.kill(redisPid, 'SIGKILL'); });
    const lost = await d.waitForLog((l) => l.msg === 'redis connection lost: jobs pause until it returns', 20_000);
    if (signal === 'SIGSTOP') expect(String(lost['err'])).toMatch(/no answer to PING/);
    await d.waitForLog((l) => typeof l.msg === 'string' && l.msg.startsWith('restarted the private redis-server'), 30_000);
    await d.waitForLog((l) => l.msg === 'redis connection back: jobs resume', 30_000);
    expect(embeddedPid(h)).not.toBe(redisPid);
    const before = decisions(h.db);
    await waitFor(() => (decisions(h.db) > before ? true : undefined), 60_000, 'decisions after the restart');
    d.child.kill('SIGINT');
    expect((await d.exited).code).toBe(0);
  }, 150_000);

  it('with an external Redis, the daemon exits non-zero so pm2 restarts it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kis-ext-redis-'));
    const port = await freePort();
    const url = `redis://127.0.0.1:${port}`;
    const server = await startRedisServer(port, dir);
    cleanups.push(() => { server.kill('SIGKILL'); rmSync(dir, { recursive: true, force: true }); });
    const h = home({ REDIS_URL: url, KIS_TRADER__REDIS__MAX_OUTAGE_SECONDS: '5' });
    const d = run(h.env);
    await d.waitForLog((l) => l.msg === 'kis-trader ready', 60_000);
    server.kill('SIGKILL');
    const exit = await Promise.race([d.exited, new Promise<null>((r) => setTimeout(() => r(null), 40_000))]);
    expect(exit?.code).toBe(1);
    expect(d.lines.some((l) => l.level === 60 && String(l.msg).includes('unreachable'))).toBe(true);
  }, 120_000);
});
