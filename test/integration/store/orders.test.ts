import { describe, expect, it } from 'vitest';
import { AppError, epochMs, krw, makeIntentKey, shares, stockCode, tradingDate } from '../../../src/domain/index.js';
import type { EpochMs, Krw, OrderIntent } from '../../../src/domain/index.js';
import type { Store } from '../../../src/store/index.js';
import { createTempStore, TEMP_STORE_START } from '../../helpers/temp-store.js';

const DATE = tradingDate('20260312');
const SAMSUNG = stockCode('005930');
const T0 = TEMP_STORE_START;
const later = (ms: number): EpochMs => epochMs(T0 + ms);

function intent(p: Partial<OrderIntent> = {}): OrderIntent {
  const symbol = p.symbol ?? SAMSUNG;
  const side = p.side ?? 'buy';
  return {
    intentKey: makeIntentKey({ strategy: 'breakout', symbol, side, date: DATE, signal: 'entry-1' }),
    symbol, side, type: 'limit', qty: shares(10), price: krw(71500), tradingDate: DATE,
    decisionId: null, configHash: 'cfg-1', reason: 'breakout above 20-day high', ...p,
  };
}

function thrown(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected an AppError, nothing was thrown');
}

const count = (db: Store['db'], table: string): number =>
  db.prepare<[], { n: number }>(`SELECT COUNT(*) AS n FROM ${table}`).get()?.n ?? -1;

describe('orders.insertIntent', () => {
  it('records a pending daemon order with an intent event', () => {
    const { store } = createTempStore();
    const { inserted, order } = store.orders.insertIntent(intent(), T0);
    expect(inserted).toBe(true);
    expect(order).toMatchObject({
      origin: 'daemon', status: 'pending', symbol: SAMSUNG, qty: 10, price: 71500, filledQty: 0, venueOrderId: null,
      createdAt: T0, updatedAt: T0, submittedAt: null, configHash: 'cfg-1',
    });
    expect(store.orders.byIntentKey(order.intentKey)).toEqual(order);
    expect(store.orders.events(order.id).map((e) => [e.fromStatus, e.toStatus, e.event])).toEqual([[null, 'pending', 'intent']]);
  });

  it('treats a repeated intent key as a no-op returning the original row', () => {
    const { store } = createTempStore();
    const first = store.orders.insertIntent(intent(), T0).order;
    const again = store.orders.insertIntent(intent({ qty: shares(99), price: krw(80000) }), later(5000));
    expect(again.inserted).toBe(false);
    expect(again.order).toEqual(first);
    expect(count(store.db, 'orders')).toBe(1);
    expect(store.orders.events(first.id)).toHaveLength(1);
  });

  it('refuses an intent key that already names a different symbol', () => {
    const { store } = createTempStore();
    const first = store.orders.insertIntent(intent(), T0).order;
    const err = thrown(() => store.orders.insertIntent(intent({ intentKey: first.intentKey, symbol: stockCode('000660') }), T0));
    expect(err.code).toBe('STORE_INVARIANT');
  });

  it('refuses a decision id that does not exist (foreign keys are on)', () => {
    const { store } = createTempStore();
    const err = thrown(() => store.orders.insertIntent(intent({ decisionId: 999 }), T0));
    expect(err.code).toBe('STORE_INVARIANT');
    expect(count(store.db, 'orders')).toBe(0);
  });

  it('STRICT tables reject a fractional won', () => {
    const { store } = createTempStore();
    expect(() => store.db.prepare(`
      INSERT INTO orders (intent_key, origin, symbol, side, type, qty, price, trading_date, status, config_hash, reason, created_at, updated_at)
      VALUES ('k', 'daemon', '005930', 'buy', 'limit', 1, 71500.5, '20260312', 'pending', '', '', 0, 0)`).run())
      .toThrow(expect.objectContaining({ code: 'SQLITE_CONSTRAINT_DATATYPE' }) as Error);
    const err = thrown(() => store.orders.insertIntent(intent({ price: 71500.5 as Krw }), T0));
    expect(err.code).toBe('STORE_INVARIANT');
    expect(count(store.db, 'orders')).toBe(0);
  });
});

describe('orders.transition', () => {
  it('moves only from an expected status and writes the event in the same step', () => {
    const { store } = createTempStore();
    const o = store.orders.insertIntent(intent(), T0).order;

    expect(store.orders.transition(o.id, 'submitting', 'accepted', { venueOrderId: '0000000001' }, 'accepted', {}, later(1))).toBeNull();
    expect(store.orders.byId(o.id)).toEqual(o);
    expect(store.orders.events(o.id)).toHaveLength(1);

    const submitting = store.orders.transition(o.id, 'pending', 'submitting', { submittedAt: later(10), qty: shares(8) }, 'submit', { qty: 8 }, later(10));
    expect(submitting).toMatchObject({ status: 'submitting', qty: 8, submittedAt: later(10), updatedAt: later(10) });

    const accepted = store.orders.transition(o.id, null, 'accepted', { venueOrderId: '0000000001', branch: '06010' }, 'accepted', { venueOrderId: '0000000001' }, later(20));
    expect(accepted).toMatchObject({ status: 'accepted', venueOrderId: '0000000001', branch: '06010', qty: 8, submittedAt: later(10) });
    expect(store.orders.byVenueOrderId(DATE, '0000000001')?.id).toBe(o.id);

    const events = store.orders.events(o.id);
    expect(events.map((e) => [e.fromStatus, e.toStatus, e.event])).toEqual([
      [null, 'pending', 'intent'], ['pending', 'submitting', 'submit'], ['submitting', 'accepted', 'accepted'],
    ]);
    expect(events[2]?.details).toEqual({ venueOrderId: '0000000001' });
    expect(events[2]?.at).toBe(later(20));
  });

  it('never lowers filled_qty and records reject details', () => {
    const { store } = createTempStore();
    const o = store.orders.insertIntent(intent(), T0).order;
    store.orders.transition(o.id, 'pending', 'submitting', {}, 'submit', {}, later(1));
    store.orders.transition(o.id, 'submitting', 'partial', { filledQty: shares(6) }, 'reconcile', {}, later(1));
    const r = store.orders.transition(o.id, 'partial', 'partial', { filledQty: shares(2) }, 'reconcile', {}, later(2));
    expect(r?.filledQty).toBe(6);
    const cancelled = store.orders.transition(o.id, 'partial', 'cancelled', { filledQty: shares(1) }, 'reconcile', {}, later(3));
    expect(cancelled).toMatchObject({ status: 'cancelled', filledQty: 6 });
    const b = store.orders.insertIntent(intent({ intentKey: 'i.other' }), T0).order;
    const rejected = store.orders.transition(b.id, 'pending', 'rejected', { rejectCode: 'APBK0919', rejectMessage: 'no cash' }, 'rejected', {}, later(3));
    expect(rejected).toMatchObject({ rejectCode: 'APBK0919', rejectMessage: 'no cash', filledQty: 0 });
  });

  it('refuses a venue order id already used that day and writes nothing', () => {
    const { store } = createTempStore();
    const a = store.orders.insertIntent(intent(), T0).order;
    const b = store.orders.insertIntent(intent({ intentKey: 'i.other', side: 'sell' }), T0).order;
    store.orders.transition(a.id, 'pending', 'submitting', {}, 'submit', {}, later(1));
    store.orders.transition(a.id, 'submitting', 'accepted', { venueOrderId: '0000000007' }, 'accepted', {}, later(1));
    store.orders.transition(b.id, 'pending', 'submitting', {}, 'submit', {}, later(2));
    const err = thrown(() => store.orders.transition(b.id, 'submitting', 'accepted', { venueOrderId: '0000000007' }, 'accepted', {}, later(2)));
    expect(err.code).toBe('STORE_INVARIANT');
    expect(store.orders.byId(b.id)?.status).toBe('submitting');
    expect(store.orders.events(b.id)).toHaveLength(2);
  });

  it('is the order state table\'s write gate: an illegal move throws and writes nothing', () => {
    const { store } = createTempStore();
    const o = store.orders.insertIntent(intent(), T0).order;
    expect(thrown(() => store.orders.transition(o.id, 'pending', 'accepted', {}, 'accepted', {}, later(1))).code).toBe('ORDER_INVALID_TRANSITION');
    // Without an expected status the legal sources come from the table: pending cannot reach 'filled'.
    expect(store.orders.transition(o.id, null, 'filled', {}, 'fill', {}, later(1))).toBeNull();
    expect(store.orders.byId(o.id)?.status).toBe('pending');
    expect(store.orders.events(o.id)).toHaveLength(1);
    expect(store.orders.transition(o.id, null, 'submitting', {}, 'submit', {}, later(2))?.status).toBe('submitting');
  });

  it('throws for an order that does not exist', () => {
    const { store } = createTempStore();
    expect(thrown(() => store.orders.transition(42, 'pending', 'submitting', {}, 'submit', {}, T0)).code).toBe('STORE_INVARIANT');
  });

  it('note() appends an event without changing the status', () => {
    const { store } = createTempStore();
    const o = store.orders.insertIntent(intent(), T0).order;
    store.orders.note(o.id, 'cancel-requested', { by: 'operator' }, later(5));
    expect(store.orders.byId(o.id)?.status).toBe('pending');
    expect(store.orders.events(o.id).at(-1)).toMatchObject({ fromStatus: 'pending', toStatus: 'pending', event: 'cancel-requested', details: { by: 'operator' } });
  });
});

describe('order_events', () => {
  it('is append-only: UPDATE and DELETE abort', () => {
    const { store } = createTempStore();
    const o = store.orders.insertIntent(intent(), T0).order;
    expect(() => store.db.prepare("UPDATE order_events SET event = 'edited'").run()).toThrow(/append-only/);
    expect(() => store.db.prepare('DELETE FROM order_events').run()).toThrow(/append-only/);
    expect(store.orders.events(o.id).map((e) => e.event)).toEqual(['intent']);
  });
});

describe('orders.insertExternal', () => {
  const external = {
    venueOrderId: '0000000099', branch: '06010', symbol: stockCode('000660'), side: 'sell' as const, type: 'limit' as const,
    qty: shares(3), price: krw(190000), tradingDate: DATE, status: 'accepted' as const,
  };

  it('adopts an order once, under an x. key, with a reconcile-found event', () => {
    const { store } = createTempStore();
    const o = store.orders.insertExternal(external, T0);
    expect(o).toMatchObject({ origin: 'external', intentKey: 'x.20260312.0000000099', status: 'accepted', venueOrderId: '0000000099', filledQty: 0, decisionId: null });
    expect(store.orders.insertExternal({ ...external, filledQty: shares(1) }, later(1))).toEqual(o);
    expect(count(store.db, 'orders')).toBe(1);
    expect(store.orders.events(o.id).map((e) => e.event)).toEqual(['reconcile-found']);
  });

  it('refuses to adopt a venue order that belongs to a daemon order', () => {
    const { store } = createTempStore();
    const mine = store.orders.insertIntent(intent(), T0).order;
    store.orders.transition(mine.id, 'pending', 'submitting', {}, 'submit', {}, later(1));
    store.orders.transition(mine.id, 'submitting', 'accepted', { venueOrderId: '0000000099' }, 'accepted', {}, later(1));
    expect(thrown(() => store.orders.insertExternal(external, later(2))).code).toBe('STORE_INVARIANT');
  });
});

describe('order queries', () => {
  it('withStatus and forDate return domain records oldest first', () => {
    const { store } = createTempStore();
    const a = store.orders.insertIntent(intent({ intentKey: 'i.a' }), T0).order;
    const b = store.orders.insertIntent(intent({ intentKey: 'i.b' }), T0).order;
    const c = store.orders.insertIntent(intent({ intentKey: 'i.c', tradingDate: tradingDate('20260313') }), T0).order;
    store.orders.transition(b.id, 'pending', 'submitting', {}, 'submit', {}, later(1));
    store.orders.transition(b.id, 'submitting', 'unknown', {}, 'unknown', {}, later(1));
    expect(store.orders.withStatus(['pending', 'unknown']).map((o) => o.id)).toEqual([a.id, b.id, c.id]);
    expect(store.orders.withStatus(['unknown']).map((o) => o.id)).toEqual([b.id]);
    expect(store.orders.withStatus([])).toEqual([]);
    expect(store.orders.forDate(DATE).map((o) => o.id)).toEqual([a.id, b.id]);
    expect(store.orders.byId(999)).toBeNull();
    expect(store.orders.byIntentKey('i.none')).toBeNull();
  });

  it('store.transaction rolls every write back when the function throws', () => {
    const { store } = createTempStore();
    expect(() => store.transaction(() => {
      store.orders.insertIntent(intent(), T0);
      throw new Error('boom');
    })).toThrow('boom');
    expect(count(store.db, 'orders')).toBe(0);
    expect(count(store.db, 'order_events')).toBe(0);
  });
});
