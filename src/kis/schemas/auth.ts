import { z } from 'zod';
import type { ParseContext } from './wire.js';
import { parseWire } from './wire.js';

/**
 * POST /oauth2/tokenP (docs/kis-wire.md §3.1): `expires_in` is a JSON number (§13.4), the expiry
 * string is 'YYYY-MM-DD HH:MM:SS' KST. No rt_cd envelope on this endpoint.
 */
const tokenSchema = z.object({
  access_token: z.string().trim().min(1, 'empty access_token'),
  token_type: z.string().trim().optional(),
  expires_in: z.union([z.number().int().positive(), z.string().trim().regex(/^\d+$/, 'expected whole seconds').transform(Number)]),
  access_token_token_expired: z.string().trim().optional(),
});

export interface TokenResponse {
  accessToken: string;
  expiresInSec: number;
  /** 'YYYYMMDD' + 'HHMMSS' KST when the response names the expiry */
  expiry: { date: string; time: string } | null;
}

const EXPIRY_RE = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

export function parseTokenResponse(body: unknown, ctx: ParseContext): TokenResponse {
  const t = parseWire(tokenSchema, body, ctx);
  const m = t.access_token_token_expired === undefined ? null : EXPIRY_RE.exec(t.access_token_token_expired);
  return {
    accessToken: t.access_token,
    expiresInSec: t.expires_in,
    expiry: m ? { date: `${m[1]}${m[2]}${m[3]}`, time: `${m[4]}${m[5]}${m[6]}` } : null,
  };
}

/** POST /uapi/hashkey (§3.4): {"BODY": {...echo...}, "HASH": "<64 hex>"}; keys read lower-cased. */
const hashSchema = z.object({ hash: z.string().trim().min(1, 'empty HASH') });

export function parseHashkey(body: unknown, ctx: ParseContext): string {
  return parseWire(hashSchema, body, ctx).hash;
}
