import { z } from 'zod';
import { ORDER_STATUSES } from '../domain/index.js';

/**
 * Job payloads cross process boundaries through Redis in clear text (docs/stack.md §1.10): they
 * carry no key, secret, token or account number, and are validated when a worker picks them up.
 */
const code = z.string().regex(/^[0-9A-Z]{6,7}$/);
const date = z.string().regex(/^\d{8}$/);
const int = z.number().int();
const side = z.enum(['buy', 'sell']);
const orderType = z.enum(['limit', 'market']);

const bookOrderSchema = z.strictObject({
  id: int, intentKey: z.string(), symbol: code, side, type: orderType, qty: int, price: int, tradingDate: date,
  decisionId: int.nullable(), configHash: z.string(), reason: z.string(),
  origin: z.enum(['daemon', 'external']),
  status: z.enum(ORDER_STATUSES),
  venueOrderId: z.string().nullable(), branch: z.string().nullable(), filledQty: int,
  rejectCode: z.string().nullable(), rejectMessage: z.string().nullable(),
  createdAt: int, updatedAt: int, submittedAt: int.nullable(),
});

/**
 * What an evaluation reads from the owner's trade log, copied into the signal job when it is
 * enqueued (jobs/signal-book.ts), so a `workers` process without SQLite evaluates on it. The
 * account appears only as its total value; the halt without its details.
 */
export const signalBookSchema = z.strictObject({
  tradingDate: date,
  takenAt: int,
  positions: z.array(z.strictObject({ symbol: code, qty: int, cost: int, avgPrice: int, realizedPnl: int })),
  orders: z.array(bookOrderSchema),
  fills: z.array(z.strictObject({
    id: int, fillKey: z.string(), orderId: int, symbol: code, side, qty: int, price: int, value: int,
    commission: int, tax: int, tradingDate: date, at: int,
  })),
  risk: z.record(z.string(), z.unknown()),
});

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
  /** the owner's trade log as the evaluation reads it; absent on jobs of older versions */
  book: signalBookSchema.optional(),
  /** the owner's config in force (recorded with the decision) and the hash of its evaluation part (runtime/evaluation-hash.ts) */
  configHash: z.string().optional(),
  evaluationHash: z.string().optional(),
});
export type SignalJob = z.infer<typeof signalJobSchema>;

export const orderJobSchema = z.strictObject({
  intentKey: z.string().min(1).regex(/^[^:]+$/),
  symbol: code,
  side,
  type: orderType,
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

const decisionSchema = z.strictObject({
  at: int, tradingDate: date, symbol: code, kind: z.enum(['entry', 'exit']), strategy: z.string(),
  inputs: z.record(z.string(), z.unknown()), rule: z.string(),
  guards: z.array(z.strictObject({ guard: z.string(), ok: z.boolean(), reason: z.string().optional(), context: z.record(z.string(), z.unknown()).optional() })),
  outcome: z.enum(['order', 'no-trade', 'blocked']), intentKey: z.string().nullable(), configHash: z.string(),
});

/**
 * What a `workers` process sends back to the owner for one signal job (jobs/record-decision.ts):
 * the decision it took and the intent, or the job itself when it could not evaluate it there
 * (`deferred`: no book, another config), which the owner then evaluates.
 */
export const decisionJobSchema = z.discriminatedUnion('outcome', [
  z.strictObject({
    outcome: z.literal('evaluated'),
    signalJobId: z.string().min(1),
    evaluatedBy: z.string(),
    /** null: an exit job for a position that was gone (no decision row, as on the owner) */
    decision: decisionSchema.nullable(),
    intent: orderJobSchema.omit({ decisionId: true, decidedAt: true }).nullable(),
    /** risk-state writes of the evaluation (exit machine state, losing exits), applied with the decision */
    riskWrites: z.array(z.strictObject({ key: z.string(), value: z.unknown(), at: int })),
  }),
  z.strictObject({
    outcome: z.literal('deferred'),
    signalJobId: z.string().min(1),
    evaluatedBy: z.string(),
    reason: z.string(),
    signal: signalJobSchema,
  }),
]);
export type DecisionJob = z.infer<typeof decisionJobSchema>;
