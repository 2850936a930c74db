import { Redis } from 'ioredis';
import { AppError, describeError } from '../domain/index.js';
import type { Logger, Notifier } from '../domain/index.js';
import { createLogNotifier } from './notifier.js';

/** Connects, or says clearly that Redis does not answer; used by the daemon and a `workers` process. */
export async function connectRedis(
  url: string, hint = 'start it, or unset REDIS_URL to let the daemon run its own',
): Promise<Redis> {
  // Workers need maxRetriesPerRequest: null (docs/stack.md §1.8); BullMQ duplicates this connection for them.
  const redis = new Redis(url, { maxRetriesPerRequest: null, lazyConnect: true, connectTimeout: 3000 });
  // the outage watcher is attached by the caller; until then connection errors surface below
  redis.on('error', () => undefined);
  try {
    await Promise.race([
      redis.connect().then(() => redis.ping()),
      new Promise((_, reject) => setTimeout(() => reject(new Error('no answer within 5 s')), 5000)),
    ]);
  } catch (err) {
    redis.disconnect();
    throw new AppError('REDIS_UNAVAILABLE', `Redis at ${url.replace(/\/\/[^@]*@/, '//')} does not answer (${describeError(err)}): ${hint}`, { cause: err });
  }
  return redis;
}

export interface RedisWatch {
  /** false from a lost connection or an unanswered PING until Redis answers again (/healthz) */
  up(): boolean;
  close(): void;
}

/** A PING every 5 s; one unanswered for 3 s is an outage (a hung server keeps its socket open). */
const PING_EVERY_MS = 5000;
const PING_TIMEOUT_MS = 3000;

/**
 * One warning per outage, not one per reconnect attempt, and a line when it comes back; close()
 * before quitting, or the quit is an outage too. While it is away no job runs, exits included, so
 * the positions held are named at level error; after `maxOutageMs` the daemon acts
 * (`onLongOutage`) rather than sit "online" doing nothing.
 */
export function watchRedis(redis: Redis, log: Logger, opts: {
  maxOutageMs?: number; positions?: () => string[]; onLongOutage?: (downMs: number) => Promise<void> | void; notifier?: Notifier;
  pingEveryMs?: number; pingTimeoutMs?: number;
} = {}): RedisWatch {
  const notifier = opts.notifier ?? createLogNotifier(log);
  let downSince: number | null = null;
  let acting = false;
  let closed = false;
  let hung = false;
  let pinging = false;
  const held = () => opts.positions?.() ?? [];
  const lost = (why: string): void => {
    if (downSince !== null || closed) return;
    downSince = Date.now();
    notifier.notify({
      kind: 'redis-lost', message: 'redis connection lost: jobs pause until it returns', details: { err: why },
    });
    const positions = held();
    if (positions.length > 0) log.error({ positions }, `redis lost: no exit can run while it is away; positions held: ${positions.join(', ')}`);
  };
  redis.on('error', (err: Error) => lost(err.message));
  // A Redis stopped cleanly (a restart by pm2 or a package upgrade) closes the connection without
  // an error, and may be back before the first reconnect: an outage all the same.
  redis.on('close', () => lost('connection closed'));
  const back = (): void => {
    if (downSince === null || closed) return;
    const downMs = Date.now() - downSince;
    downSince = null;
    notifier.notify({ kind: 'redis-back', message: 'redis connection back: jobs resume', details: { downMs } });
  };
  redis.on('ready', () => {
    // a hung server's connection stays 'ready': only its PING answer says it is back
    if (!hung) back();
  });
  // A server that hangs (stopped, swapping, a long blocking command) keeps the socket open and
  // emits nothing: only a PING that gets no answer shows it. One PING at a time.
  const pingTimeoutMs = opts.pingTimeoutMs ?? PING_TIMEOUT_MS;
  const probe = setInterval(() => {
    if (pinging || closed || redis.status !== 'ready') return;
    pinging = true;
    let t: ReturnType<typeof setTimeout> | undefined;
    // a PING refused by a dropped connection is not a hang: the 'error'/'close' events tell that one
    const answered = redis.ping().then(() => 'answered' as const, () => 'refused' as const);
    const late = new Promise<'late'>((r) => { t = setTimeout(() => r('late'), pingTimeoutMs); });
    void Promise.race([answered, late]).then((first) => {
      clearTimeout(t);
      if (first === 'late') {
        hung = true;
        lost(`no answer to PING within ${pingTimeoutMs} ms`);
      }
      // the next PING only once this one is settled (a dropped connection settles it too)
      void answered.then((how) => {
        pinging = false;
        hung = false;
        if (how === 'answered' && redis.status === 'ready') back();
      });
    });
  }, opts.pingEveryMs ?? PING_EVERY_MS);
  probe.unref();
  const timer = setInterval(() => {
    if (downSince === null || acting || opts.maxOutageMs === undefined || !opts.onLongOutage) return;
    const downMs = Date.now() - downSince;
    if (downMs < opts.maxOutageMs) return;
    acting = true;
    log.error({ downMs, positions: held() }, `redis unreachable for ${Math.round(downMs / 1000)} s: acting (positions held: ${held().join(', ') || 'none'})`);
    void Promise.resolve(opts.onLongOutage(downMs))
      .catch((err: unknown) => log.error({ err: describeError(err) }, 'could not recover from the redis outage'))
      .finally(() => {
        acting = false;
        // measure the next wait from now: a restart that did not help is tried again after another full window
        if (downSince !== null) downSince = Date.now();
      });
  }, 1000);
  timer.unref();
  return {
    up: () => downSince === null,
    close: () => {
      closed = true;
      clearInterval(timer);
      clearInterval(probe);
    },
  };
}
