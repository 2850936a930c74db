import { krw, shares, stockCode, tradingDate, epochMs } from '../domain/index.js';
import type { OrderIntent } from '../domain/index.js';
import type { SubmitResult } from '../orders/index.js';
import type { OrderDesk } from './order-desk.js';

/** What an order job carries (queues/ validates it): an intent, and when it was decided. */
export interface OrderRequest {
  intentKey: string;
  symbol: string;
  side: OrderIntent['side'];
  type: OrderIntent['type'];
  qty: number;
  price: number;
  tradingDate: string;
  decisionId: number | null;
  configHash: string;
  reason: string;
  decidedAt?: number | null | undefined;
}

export interface OrderJobDeps {
  desk: Pick<OrderDesk, 'submit'>;
  /** false while another process may hold the account (instance lock lost): no orders then */
  ownsAccount: () => boolean;
}

/** One order job: the intent goes out once, under the submit/reconcile mutex (order-desk.ts). */
export async function runOrderJob(deps: OrderJobDeps, input: OrderRequest): Promise<SubmitResult> {
  if (!deps.ownsAccount()) throw new Error('the instance lock is not held: not placing orders');
  const { decidedAt, ...rest } = input;
  const intent: OrderIntent = {
    ...rest, symbol: stockCode(input.symbol), qty: shares(input.qty), price: krw(input.price), tradingDate: tradingDate(input.tradingDate),
  };
  return deps.desk.submit(intent, decidedAt === null || decidedAt === undefined ? null : epochMs(decidedAt));
}
