import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import { AppError } from '../domain/index.js';
import { EXTEND_LUA, RELEASE_LUA } from './lock-scripts.js';
import { runScript } from './script.js';

/**
 * The daemon's single-instance lock (one order worker per account, docs/architecture.md §2). Refused at
 * once if held — a second daemon must not start, not queue. Refreshed every ttl/3; `lost`
 * resolves if the key stops being ours (expired during a Redis outage or a long event-loop
 * stall, or taken over), after which the holder must stop placing orders.
 */
export interface InstanceLock {
  release(): Promise<void>;
  lost: Promise<void>;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A holder on this very host whose process is gone (a daemon killed with -9, restarted by pm2
 * within the TTL) is dead for certain: its lock may be taken over at once instead of making
 * the restart fail. A holder on another host is never presumed dead.
 */
function deadLocalHolder(holder: string | null): boolean {
  if (holder === null) return false;
  const [host, pid] = holder.split(':');
  const n = Number(pid);
  return host === hostname() && Number.isSafeInteger(n) && n !== process.pid && !pidAlive(n);
}

export async function acquireInstanceLock(redis: Redis, name: string, ttlMs: number): Promise<InstanceLock> {
  const key = `instance:${name}`;
  const token = `${hostname()}:${process.pid}:${randomUUID()}`;
  let ok: string | null;
  try {
    ok = await redis.set(key, token, 'PX', ttlMs, 'NX');
    if (ok !== 'OK') {
      const stale = await redis.get(key);
      if (deadLocalHolder(stale)) {
        await runScript(redis, RELEASE_LUA, [key], [stale ?? '']);
        ok = await redis.set(key, token, 'PX', ttlMs, 'NX');
      }
    }
  } catch (err) {
    throw new AppError('REDIS_UNAVAILABLE', `instance lock "${name}": ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  if (ok !== 'OK') {
    const holder = await redis.get(key).catch(() => null);
    const who = holder === null ? 'another daemon' : `another daemon (${holder.split(':').slice(0, 2).join(' pid ')})`;
    throw new AppError('REDIS_LOCK_HELD', `instance lock "${name}" is held by ${who}; only one daemon may run per account`, {
      details: { lock: name, holder },
    });
  }

  let signalLost: () => void = () => undefined;
  const lost = new Promise<void>((resolve) => { signalLost = resolve; });
  let done = false;
  let lastRefresh = Date.now();
  const stop = () => {
    done = true;
    clearInterval(timer);
  };
  const timer = setInterval(() => {
    runScript(redis, EXTEND_LUA, [key], [token, ttlMs]).then((r) => {
      if (done) return;
      if (r === 1) {
        lastRefresh = Date.now();
      } else {
        stop();
        signalLost();
      }
    }, () => {
      // Redis unreachable: the key may still be ours until the TTL runs out.
      if (!done && Date.now() - lastRefresh >= ttlMs) {
        stop();
        signalLost();
      }
    });
  }, Math.max(10, Math.floor(ttlMs / 3)));
  timer.unref();

  return {
    lost,
    release: async () => {
      if (done) return;
      stop();
      await runScript(redis, RELEASE_LUA, [key], [token]);
    },
  };
}
