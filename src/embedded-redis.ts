import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { AppError } from './domain/index.js';
import type { Logger } from './domain/index.js';

/**
 * A private redis-server for a daemon started without REDIS_URL (DESIGN.md §2 "Redis"):
 * AOF on under the data directory so queued jobs survive a restart, noeviction as BullMQ
 * requires, bound to loopback on a free port, stopped with the daemon.
 */
export interface EmbeddedRedis {
  url: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const srv = createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const addr = srv.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  srv.close();
  await once(srv, 'close');
  return port;
}

export function redisBinaryAvailable(binary: string): boolean {
  return spawnSync(binary, ['--version'], { stdio: 'ignore' }).status === 0;
}

export async function startEmbeddedRedis(opts: { binary: string; dataDir: string; log: Logger; ping: (url: string) => Promise<boolean> }): Promise<EmbeddedRedis> {
  if (!redisBinaryAvailable(opts.binary)) {
    throw new AppError('APP_REDIS_NOT_INSTALLED',
      `no Redis: set REDIS_URL to a running Redis, or install redis-server (Debian/Ubuntu: sudo apt-get install redis-server; macOS: brew install redis) — '${opts.binary}' was not found`);
  }
  const dir = resolve(join(opts.dataDir, 'redis'));
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const child: ChildProcess = spawn(opts.binary, [
    '--port', String(port), '--bind', '127.0.0.1', '--dir', dir,
    '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '', '--maxmemory-policy', 'noeviction',
  ], { stdio: 'ignore' });
  const url = `redis://127.0.0.1:${port}`;
  let exited = false;
  child.once('exit', () => { exited = true; });
  for (let i = 0; i < 100; i++) {
    if (exited) throw new AppError('REDIS_UNAVAILABLE', `the private redis-server exited at start (data dir ${dir})`);
    if (await opts.ping(url)) break;
    await new Promise((r) => setTimeout(r, 100));
    if (i === 99) throw new AppError('REDIS_UNAVAILABLE', `the private redis-server on port ${port} did not answer within 10 s`);
  }
  opts.log.info({ url, dir }, 'started a private redis-server (AOF on)');
  return {
    url,
    async stop() {
      if (exited) return;
      child.kill('SIGTERM');
      await Promise.race([once(child, 'exit'), new Promise((r) => setTimeout(r, 5000))]);
    },
  };
}
