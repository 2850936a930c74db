import { createHash } from 'node:crypto';
import { canonicalJson } from '../domain/index.js';
import type { Config } from './schema.js';

export { canonicalJson };

/**
 * The identity of an effective config, stored with every decision and order. Secrets are not
 * part of Config, so they never reach the hash.
 */
export function configHash(config: Config): string {
  return createHash('sha256').update(canonicalJson(config)).digest('hex').slice(0, 16);
}
