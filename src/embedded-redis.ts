import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import { AppError } from './domain/index.js';
import type { Logger } from './domain/index.js';

/**
 * A private redis-server for a daemon started without REDIS_URL (DESIGN.md §2 "Redis"):
 * AOF on under the data directory so queued jobs survive a restart, noeviction as BullMQ
 * requires, bound to loopback.
 *
 * It runs in its own process group, so a Ctrl-C or pm2's SIGINT reaches the daemon first and
 * the daemon closes its workers while Redis still answers (worker.close() never resolves without
 * Redis, STACK.md §1.9); the daemon stops it last. If the daemon is killed (-9), the server
 * lives on and the next start adopts it from `embedded.json` instead of starting a second one.
 */
export interface EmbeddedRedis {
  url: string;
  stop(): Promise<void>;
}

interface Recorded { pid: number; port: number }

export async function freePort(): Promise<number> {
  const srv = createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const addr = srv.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  srv.close();
  await once(srv, 'close');
  return port;
}

/** A connection to `url` if a Redis answers there now (no retries); null otherwise. */
export async function probeRedis(url: string, connectTimeoutMs = 1000): Promise<Redis | null> {
  const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: connectTimeoutMs, retryStrategy: () => null });
  r.on('error', () => undefined);
  try {
    await r.connect();
    await r.ping();
    return r;
  } catch {
    r.disconnect();
    return null;
  }
}

export async function pingRedis(url: string): Promise<boolean> {
  const r = await probeRedis(url, 500);
  r?.disconnect();
  return r !== null;
}

export function redisBinaryAvailable(binary: string): boolean {
  return spawnSync(binary, ['--version'], { stdio: 'ignore' }).status === 0;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function startEmbeddedRedis(opts: { binary: string; dataDir: string; log: Logger; ping: (url: string) => Promise<boolean> }): Promise<EmbeddedRedis> {
  const dir = resolve(join(opts.dataDir, 'redis'));
  mkdirSync(dir, { recursive: true });
  const recordFile = join(dir, 'embedded.json');

  const stopper = (pid: number) => async (): Promise<void> => {
    if (!alive(pid)) return;
    process.kill(pid, 'SIGTERM');
    for (let i = 0; i < 50 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
  };

  if (existsSync(recordFile)) {
    const rec = JSON.parse(readFileSync(recordFile, 'utf8')) as Recorded;
    const url = `redis://127.0.0.1:${rec.port}`;
    if (alive(rec.pid) && (await opts.ping(url))) {
      opts.log.info({ url, pid: rec.pid }, 'adopted the private redis-server left by a previous run');
      return { url, stop: stopper(rec.pid) };
    }
  }

  if (!redisBinaryAvailable(opts.binary)) {
    throw new AppError('APP_REDIS_NOT_INSTALLED',
      `no Redis: set REDIS_URL to a running Redis, or install redis-server (Debian/Ubuntu: sudo apt-get install redis-server; macOS: brew install redis) — '${opts.binary}' was not found`);
  }
  const port = await freePort();
  const child = spawn(opts.binary, [
    '--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--daemonize', 'no',
    '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '', '--maxmemory-policy', 'noeviction',
  ], { stdio: 'ignore', detached: true });
  child.unref();
  const pid = child.pid ?? 0;
  const url = `redis://127.0.0.1:${port}`;
  let exited = false;
  child.once('exit', () => { exited = true; });
  for (let i = 0; ; i++) {
    if (exited) throw new AppError('REDIS_UNAVAILABLE', `the private redis-server exited at start (data dir ${dir})`);
    if (await opts.ping(url)) break;
    if (i >= 100) throw new AppError('REDIS_UNAVAILABLE', `the private redis-server on port ${port} did not answer within 10 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
  writeFileSync(recordFile, JSON.stringify({ pid, port } satisfies Recorded));
  opts.log.info({ url, dir, pid }, 'started a private redis-server (AOF on)');
  return { url, stop: stopper(pid) };
}
