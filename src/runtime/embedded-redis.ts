import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import { AppError } from '../domain/index.js';
import type { Logger } from '../domain/index.js';
import { pidAlive } from './process.js';

/**
 * A private redis-server for a daemon started without REDIS_URL (docs/architecture.md §2 "Redis"):
 * AOF on under the data directory so queued jobs survive a restart, noeviction as BullMQ
 * requires, bound to loopback and guarded by a random password kept in a 0600 config file (never
 * on the command line, where `ps` would show it).
 *
 * It runs in its own process group, so a Ctrl-C or pm2's SIGINT reaches the daemon first and
 * the daemon closes its workers while Redis still answers (worker.close() never resolves without
 * Redis, docs/stack.md §1.9); the daemon stops it last. `embedded.json` records the server and the
 * daemon that owns it. A daemon killed with -9 leaves the server running, and the next start adopts
 * it, but only when that owner is dead: a second start beside a running daemon uses the server
 * without ever stopping it, and is then refused by the instance lock with everything left as it was.
 */
export interface EmbeddedRedis {
  url: string;
  /** false when another live daemon owns the server: this process never stops or restarts it */
  owned: boolean;
  stop(): Promise<void>;
  /** starts the server again on the same port, data and password after it died (owner only) */
  restart(): Promise<void>;
}

interface Recorded { pid: number; port: number; owner?: number; password?: string }

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
  // connectTimeout covers the TCP connect only: a hung server accepts the socket and never
  // answers AUTH or PING, so the whole probe has a deadline too
  let t: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    t = setTimeout(() => reject(new Error('no answer')), 2 * connectTimeoutMs);
  });
  try {
    await Promise.race([r.connect().then(() => r.ping()), deadline]);
    return r;
  } catch {
    r.disconnect();
    return null;
  } finally {
    clearTimeout(t);
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


const urlOf = (rec: Recorded): string => `redis://${rec.password ? `:${rec.password}@` : ''}127.0.0.1:${rec.port}`;

/** The URL with the password hidden, for logs. */
export const shownRedisUrl = (url: string): string => url.replace(/\/\/[^@/]*@/, '//');

function writeRecord(file: string, rec: Recorded): void {
  writeFileSync(file, JSON.stringify(rec), { mode: 0o600 });
}

export async function startEmbeddedRedis(opts: { binary: string; dataDir: string; log: Logger; ping: (url: string) => Promise<boolean> }): Promise<EmbeddedRedis> {
  const dir = resolve(join(opts.dataDir, 'redis'));
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const recordFile = join(dir, 'embedded.json');
  const confFile = join(dir, 'redis.conf');
  const notOwned = (): Promise<void> => Promise.resolve();

  const stopper = (rec: Recorded) => async (): Promise<void> => {
    if (!pidAlive(rec.pid)) return;
    process.kill(rec.pid, 'SIGTERM');
    for (let i = 0; i < 50 && pidAlive(rec.pid); i++) await new Promise((r) => setTimeout(r, 100));
  };

  const spawnServer = async (port: number, password: string): Promise<Recorded> => {
    if (!redisBinaryAvailable(opts.binary)) {
      throw new AppError('APP_REDIS_NOT_INSTALLED',
        `no Redis: set REDIS_URL to a running Redis, or install redis-server (Debian/Ubuntu: sudo apt-get install redis-server; macOS: brew install redis) — '${opts.binary}' was not found`);
    }
    writeFileSync(confFile, [
      `port ${port}`, 'bind 127.0.0.1', `dir "${dir}"`, 'daemonize no', 'appendonly yes', 'appendfsync everysec', 'save ""',
      'maxmemory-policy noeviction', `requirepass ${password}`, '',
    ].join('\n'), { mode: 0o600 });
    const child = spawn(opts.binary, [confFile], { stdio: 'ignore', detached: true });
    child.unref();
    const rec: Recorded = { pid: child.pid ?? 0, port, owner: process.pid, password };
    let exited = false;
    child.once('exit', () => { exited = true; });
    for (let i = 0; ; i++) {
      if (exited) throw new AppError('REDIS_UNAVAILABLE', `the private redis-server exited at start (data dir ${dir}; is port ${port} taken?)`);
      if (await opts.ping(urlOf(rec))) break;
      if (i >= 100) throw new AppError('REDIS_UNAVAILABLE', `the private redis-server on port ${port} did not answer within 10 s`);
      await new Promise((r) => setTimeout(r, 100));
    }
    writeRecord(recordFile, rec);
    return rec;
  };

  const owned = (first: Recorded): EmbeddedRedis => {
    let rec = first;
    return {
      url: urlOf(rec),
      owned: true,
      stop: () => stopper(rec)(),
      async restart() {
        if (pidAlive(rec.pid) && (await opts.ping(urlOf(rec)))) return;
        // alive but not answering (hung, stopped): it holds the port, so it goes first; SIGKILL
        // when SIGTERM is not heard (a stopped process hears only that)
        if (pidAlive(rec.pid)) {
          await stopper(rec)();
          if (pidAlive(rec.pid)) process.kill(rec.pid, 'SIGKILL');
          for (let i = 0; i < 50 && pidAlive(rec.pid); i++) await new Promise((r) => setTimeout(r, 100));
        }
        rec = await spawnServer(rec.port, rec.password ?? '');
        opts.log.warn({ url: shownRedisUrl(urlOf(rec)), pid: rec.pid }, 'restarted the private redis-server (its AOF keeps the queues)');
      },
    };
  };

  if (existsSync(recordFile)) {
    const rec = JSON.parse(readFileSync(recordFile, 'utf8')) as Recorded;
    const url = urlOf(rec);
    if (pidAlive(rec.pid) && (await opts.ping(url))) {
      if (rec.owner !== undefined && rec.owner !== process.pid && pidAlive(rec.owner)) {
        opts.log.warn({ url: shownRedisUrl(url), pid: rec.pid, owner: rec.owner },
          'the private redis-server belongs to a running daemon: using it, never stopping it');
        return { url, owned: false, stop: notOwned, restart: notOwned };
      }
      writeRecord(recordFile, { ...rec, owner: process.pid });
      opts.log.info({ url: shownRedisUrl(url), pid: rec.pid, previousOwner: rec.owner ?? null }, 'adopted the private redis-server left by a previous run');
      return owned({ ...rec, owner: process.pid });
    }
  }

  const rec = await spawnServer(await freePort(), randomBytes(24).toString('hex'));
  opts.log.info({ url: shownRedisUrl(urlOf(rec)), dir, pid: rec.pid }, 'started a private redis-server (AOF on)');
  return owned(rec);
}
