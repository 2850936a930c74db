import { createHash } from 'node:crypto';

/**
 * The HASH of POST /uapi/hashkey (docs/kis-wire.md §3.4): SHA-256 of the body exactly as sent, in hex.
 * The order endpoints check a `hashkey` header against the same function, so a body changed
 * after it was hashed is refused.
 */
export function bodyHash(rawBody: string): string {
  return createHash('sha256').update(rawBody).digest('hex');
}
