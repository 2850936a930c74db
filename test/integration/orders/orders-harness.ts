import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { krw, kstDateOf, shares, silentLogger, stockCode } from '../../../src/domain/index.js';
import type { EpochMs, KisEnv, OrderIntent, StockCode } from '../../../src/domain/index.js';
import type { KisClient } from '../../../src/kis/index.js';
import { DEFAULT_FEE_RATES } from '../../../src/market/index.js';
import { runCancelStale, runReconcile, runSubmitOrder } from '../../../src/orders/index.js';
import type { ReconcileSummary, SubmitResult } from '../../../src/orders/index.js';
import type { Simulator } from '../../../src/sim/index.js';
import type { Store } from '../../../src/store/index.js';
import { createMemoryTokenStore } from '../../helpers/kis-fakes.js';
import { createTempStore } from '../../helpers/temp-store.js';
import { budgetFor, calendar, createJumpClock, simClient, startSim } from '../kis/sim-harness.js';
import type { JumpClock } from '../kis/sim-harness.js';

/**
 * The order runners (submit, reconcile, cancel) as the daemon wires them (jobs/order-desk.ts), over the
 * real KIS client talking HTTP to the real simulator, a temp SQLite trade log and real Redis —
 * on one clock the test may jump forward, so backoffs and grace windows pass without waiting.
 */
export interface OrdersHarness {
  sim: Simulator;
  client: KisClient;
  clock: JumpClock;
  store: Store;
  submit(intent: OrderIntent): Promise<SubmitResult>;
  reconcile(): Promise<ReconcileSummary>;
  cancelStale(afterMs?: number): Promise<number>;
  close(): Promise<void>;
}

export const GRACE_MS = 90_000;

export async function startOrdersHarness(redis: Redis, env: KisEnv = 'live', start?: EpochMs): Promise<OrdersHarness> {
  const clock = createJumpClock(start);
  const { sim, url } = await startSim(env, clock, { rateLimitPerSec: 100 });
  const client = simClient({
    env, url, clock, redis, lockPrefix: `test:${randomUUID()}:`, tokenStore: createMemoryTokenStore(), rateBudget: budgetFor(redis, env, 50),
  });
  const temp = createTempStore({ cleanup: 'manual' });
  const store = temp.store;
  await client.tokens.get();
  return {
    sim, client, clock, store,
    submit: (intent) => runSubmitOrder({
      orders: store.orders, positions: store.positions, broker: client.broker, clock, calendar, log: silentLogger, maxIntentAgeMs: 180_000,
      requestReconcile: () => undefined,
    }, intent, clock.now()),
    reconcile: () => runReconcile({
      orders: store.orders, fills: store.fills, positions: store.positions, kv: store.risk, broker: client.broker, clock, calendar,
      fees: DEFAULT_FEE_RATES, log: silentLogger, graceMs: GRACE_MS, skewMs: 60_000, transaction: (fn) => store.transaction(fn),
    }),
    cancelStale: (afterMs = 600_000) => runCancelStale({ orders: store.orders, broker: client.broker, kv: store.risk, clock, calendar, log: silentLogger, afterMs }),
    async close() {
      await client.close();
      await sim.stop();
      temp.cleanup();
    },
  };
}

export const SAMSUNG: StockCode = stockCode('005930');

/** A limit buy of one share at `price` (the lower limit rests unfilled, the upper limit fills at once). */
export function limitBuy(h: OrdersHarness, key: string, price: number, symbol: StockCode = SAMSUNG): OrderIntent {
  return {
    intentKey: key, symbol, side: 'buy', type: 'limit', qty: shares(1), price: krw(price), tradingDate: kstDateOf(h.clock.now()),
    decisionId: null, configHash: 'test', reason: 'test',
  };
}
