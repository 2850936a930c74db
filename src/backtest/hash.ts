import { createHash } from 'node:crypto';
import { canonicalJson } from '../domain/index.js';

/** sha256 (hex) of the canonical JSON: two runs compare by this alone. */
export const sha256Of = (value: unknown): string => createHash('sha256').update(canonicalJson(value)).digest('hex');
