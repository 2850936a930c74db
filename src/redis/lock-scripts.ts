import { luaScript } from './script.js';

/** Delete the key only if it still holds our token: never release somebody else's lock. */
export const RELEASE_LUA = luaScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`);

/** Extend the key's TTL only if it still holds our token; 0 means the lock was lost. */
export const EXTEND_LUA = luaScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`);
