import { z } from 'zod';

/**
 * Job payloads cross process boundaries through Redis in clear text (docs/stack.md §1.10): they
 * carry no key, secret, token or account number, and are validated when a worker picks them up.
 */
const code = z.string().regex(/^[0-9A-Z]{6,7}$/);
const date = z.string().regex(/^\d{8}$/);

export const signalJobSchema = z.strictObject({
  kind: z.enum(['entry', 'exit']),
  /** the strategy id an entry is evaluated for (config `strategies.<id>`); null: the first one */
  strategy: z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/).nullable().default(null),
  symbol: code,
  name: z.string().default(''),
  tradingDate: date,
  scanSnapshotIds: z.array(z.number().int()).default([]),
  candidate: z.record(z.string(), z.unknown()).nullable().default(null),
  enqueuedAt: z.number().int(),
});
export type SignalJob = z.infer<typeof signalJobSchema>;

export const orderJobSchema = z.strictObject({
  intentKey: z.string().min(1).regex(/^[^:]+$/),
  symbol: code,
  side: z.enum(['buy', 'sell']),
  type: z.enum(['limit', 'market']),
  qty: z.number().int().positive(),
  price: z.number().int().nonnegative(),
  tradingDate: date,
  decisionId: z.number().int().nullable(),
  configHash: z.string(),
  reason: z.string(),
  /** when the decision was taken (epoch ms): an intent that waited too long in the queue is not sent */
  decidedAt: z.number().int().nullable().default(null),
});
export type OrderJob = z.input<typeof orderJobSchema>;
