import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { AppError } from '../domain/index.js';

/**
 * A Lua script run by EVALSHA, loaded with EVAL on NOSCRIPT (after a Redis restart or
 * SCRIPT FLUSH). The script must be deterministic in its keys; it may call TIME (Redis ≥ 5
 * replicates effects, not scripts).
 */
export interface LuaScript {
  readonly source: string;
  readonly sha: string;
}

export function luaScript(source: string): LuaScript {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

export async function runScript(redis: Redis, script: LuaScript, keys: readonly string[], args: ReadonlyArray<string | number>): Promise<unknown> {
  try {
    try {
      return await redis.evalsha(script.sha, keys.length, ...keys, ...args);
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
      return await redis.eval(script.source, keys.length, ...keys, ...args);
    }
  } catch (err) {
    throw new AppError('REDIS_UNAVAILABLE', `Redis script failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}
