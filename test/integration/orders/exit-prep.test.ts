import { describe, expect, it } from 'vitest';
import { AppError, epochMs, krw, shares, silentLogger, stockCode, tradingDate } from '../../../src/domain/index.js';
import type { Broker, CancelRequest, OrderAck, OrderRecord, OrderStatus, Side, StockCode } from '../../../src/domain/index.js';
import { cancelOwnEntries, cancelRequestedKey, EXIT_WITHDRAWN_CODE } from '../../../src/orders/index.js';
import type { Store } from '../../../src/store/index.js';
import { createTempStore, TEMP_STORE_START } from '../../helpers/temp-store.js';

/**
 * What the order path does before an exit's sell (orders/exit-prep.ts), on a real SQLite trade
 * log. The broker is a hand-written stand-in that records the cancels it is asked for and
 * refuses those listed in `refuse`.
 */
const DATE = tradingDate('20260312');
const A = stockCode('005930');
const B = stockCode('000660');
const T0 = TEMP_STORE_START;

function recordingBroker(refuse: readonly string[] = []): Broker & { cancels: CancelRequest[] } {
  const cancels: CancelRequest[] = [];
  const unused = () => Promise.reject(new Error('not used before an exit'));
  return {
    cancels,
    cancelOrder(req: CancelRequest): Promise<OrderAck> {
      cancels.push(req);
      if (refuse.includes(req.venueOrderId)) {
        return Promise.reject(new AppError('ORDER_REJECTED', 'already filled', { details: { msgCode: 'APBK0000' } }));
      }
      return Promise.resolve({ venueOrderId: `9${req.venueOrderId.slice(1)}`, branch: req.branch, acceptedAt: epochMs(T0) });
    },
    balance: unused, buyingPower: unused, placeOrder: unused, dailyOrders: unused, openOrders: unused, sellable: unused,
  } as Broker & { cancels: CancelRequest[] };
}

let seq = 0;
function row(store: Store, o: { symbol?: StockCode; side?: Side; status: OrderStatus; external?: boolean }): OrderRecord {
  seq += 1;
  const symbol = o.symbol ?? A;
  const side = o.side ?? 'buy';
  const venueOrderId = String(seq).padStart(10, '0');
  if (o.external === true) {
    return store.orders.insertExternal({
      venueOrderId, branch: '06010', symbol, side, type: 'limit', qty: shares(10), price: krw(70_000), tradingDate: DATE, status: o.status,
    }, T0);
  }
  const { order } = store.orders.insertIntent({
    intentKey: `i.test.${symbol}.${side}.${seq}`, symbol, side, type: 'limit', qty: shares(10), price: krw(70_000), tradingDate: DATE,
    decisionId: null, configHash: 'cfg', reason: 'test',
  }, T0);
  if (o.status === 'pending') return order;
  const sent = store.orders.transition(order.id, 'pending', 'submitting', {}, 'submit', {}, T0)!;
  if (o.status === 'submitting') return sent;
  if (o.status === 'unknown') return store.orders.transition(sent.id, 'submitting', 'unknown', {}, 'unknown', {}, T0)!;
  const accepted = store.orders.transition(sent.id, 'submitting', 'accepted', { venueOrderId, branch: '06010' }, 'accepted', {}, T0)!;
  if (o.status === 'accepted') return accepted;
  return store.orders.transition(accepted.id, 'accepted', o.status, { filledQty: shares(4) }, 'fill', {}, T0)!;
}

function setup(refuse: readonly string[] = []) {
  const t = createTempStore();
  const broker = recordingBroker(refuse);
  const deps = { orders: t.store.orders, broker, kv: t.store.risk, clock: t.clock, log: silentLogger };
  return { store: t.store, broker, deps };
}

describe('cancelOwnEntries', () => {
  it('cancels our working buys in the symbol and nothing else', async () => {
    const { store, broker, deps } = setup();
    const partial = row(store, { status: 'partial' });
    const accepted = row(store, { status: 'accepted' });
    row(store, { status: 'accepted', external: true });
    row(store, { status: 'partial', symbol: B });
    row(store, { status: 'accepted', side: 'sell' });
    row(store, { status: 'filled' });
    const result = await cancelOwnEntries(deps, A, 'i.exit');
    expect(broker.cancels.map((c) => c.venueOrderId).sort()).toEqual([partial.venueOrderId, accepted.venueOrderId].sort());
    expect(result.cancelled.sort()).toEqual([partial.venueOrderId, accepted.venueOrderId].sort());
    expect(typeof store.risk.get<{ cancelOrderId?: unknown }>(cancelRequestedKey(partial.id))?.cancelOrderId).toBe('string');
  });

  it('withdraws an unsent buy, and reports one whose outcome is not known without holding the exit', async () => {
    const { store, broker, deps } = setup();
    const pending = row(store, { status: 'pending' });
    const unknown = row(store, { status: 'unknown' });
    const submitting = row(store, { status: 'submitting' });
    const result = await cancelOwnEntries(deps, A, 'i.exit');
    expect(broker.cancels).toEqual([]);
    expect(result.withdrawn).toEqual([pending.intentKey]);
    expect(store.orders.byId(pending.id)).toMatchObject({ status: 'rejected', rejectCode: EXIT_WITHDRAWN_CODE });
    expect(result.left.sort()).toEqual([unknown.intentKey, submitting.intentKey].sort());
    expect(store.orders.byId(unknown.id)?.status).toBe('unknown');
  });

  it('does not send a cancel twice, retries one that was refused, and never throws', async () => {
    const { store, broker, deps } = setup();
    const first = row(store, { status: 'partial' });
    const second = row(store, { status: 'accepted' });
    store.risk.set(cancelRequestedKey(first.id), { at: T0, cancelOrderId: '9000000001' }, T0);
    store.risk.set(cancelRequestedKey(second.id), { at: T0, error: 'rate limited' }, T0);
    await cancelOwnEntries(deps, A, 'i.exit');
    expect(broker.cancels.map((c) => c.venueOrderId)).toEqual([second.venueOrderId]);

    const refusing = setup([String(seq + 1).padStart(10, '0')]);
    const refused = row(refusing.store, { status: 'partial' });
    const result = await cancelOwnEntries(refusing.deps, A, 'i.exit');
    expect(result.left).toEqual([refused.intentKey]);
    expect(typeof refusing.store.risk.get<{ lastError?: unknown }>(cancelRequestedKey(refused.id))?.lastError).toBe('string');
  });
});
