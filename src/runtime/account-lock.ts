import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { describeError, isAppError } from '../domain/index.js';
import type { Logger, Notifier } from '../domain/index.js';
import { acquireInstanceLock } from '../redis/index.js';
import type { InstanceLock } from '../redis/index.js';

/**
 * The single-instance lock on the account (redis/instance-lock.ts), held for the daemon's life.
 * Lost (a Redis outage), it says so and takes it again, one attempt at a time: commands queue while
 * Redis is away, and a pile of them would race each other. Held meanwhile by another daemon: that
 * one owns the account, so this one halts its entries and stops trying.
 */
export interface AccountLock {
  /** false while another process may hold the account: no orders then */
  owns(): boolean;
  release(): Promise<void>;
}

/**
 * The lock's name for an account: a digest, not the number, because Redis keys end up in AOF files,
 * `redis-cli keys` and backups, where no full account number belongs (docs/operations.md, secrets).
 */
export function accountLockName(prefix: string, account: string): string {
  return `${prefix}:account-${createHash('sha256').update(account).digest('hex').slice(0, 16)}`;
}

export async function holdAccountLock(opts: {
  redis: Redis;
  name: string;
  log: Logger;
  notifier: Notifier;
  /** true once the daemon is stopping: a lost lock is not taken again */
  stopping: () => boolean;
  /** another daemon holds the account after a loss */
  onHeldElsewhere: (error: string) => void;
}): Promise<AccountLock> {
  let lock: InstanceLock | null = null;
  let owns = false;
  const hold = async (): Promise<void> => {
    const held = await acquireInstanceLock(opts.redis, opts.name, 30_000);
    lock = held;
    owns = true;
    void held.lost.then(() => {
      if (opts.stopping()) return;
      owns = false;
      opts.notifier.notify({ kind: 'lost-lock', message: 'lost the single-instance lock (Redis outage?): no orders until it is held again', details: {} });
      void reacquire();
    });
  };
  const reacquire = async (): Promise<void> => {
    while (!opts.stopping()) {
      try {
        await hold();
        opts.log.info({}, 'single-instance lock held again: orders resume');
        return;
      } catch (err) {
        if (isAppError(err, 'REDIS_LOCK_HELD')) {
          opts.onHeldElsewhere(describeError(err));
          return;
        }
      }
      await new Promise((r) => setTimeout(r, 5000).unref());
    }
  };
  await hold();
  return {
    owns: () => owns,
    release: async () => { await lock?.release(); },
  };
}
