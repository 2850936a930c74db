import { Redis } from 'ioredis';
import { AppError, describeError } from '../domain/index.js';

/** Connects, or says clearly that Redis does not answer; used by the daemon and a `workers` process. */
export async function connectRedis(url: string): Promise<Redis> {
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
    throw new AppError('REDIS_UNAVAILABLE', `Redis at ${url.replace(/\/\/[^@]*@/, '//')} does not answer (${describeError(err)}): start it, or unset REDIS_URL to let the daemon run its own`, { cause: err });
  }
  return redis;
}
