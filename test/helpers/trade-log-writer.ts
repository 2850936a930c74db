import { epochMs, krw, makeFillKey, shares, stockCode, tradingDate } from '../../src/domain/index.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/index.js';

/**
 * Another process writing the trade log as the daemon does: `node --import tsx trade-log-writer.ts <path> <count>`
 * records `count` orders, each filled in full in the same transaction as its intent, so a consistent
 * copy has every order with its fill. Prints `ready` after the first few, then goes on until it has all.
 */
export const WRITER_DATE = tradingDate('20261207');
const T0 = epochMs(1_796_000_000_000);

/** One order, accepted and filled in full, in one transaction; `n` makes it unique. */
export function writeFilledOrder(store: Store, n: number): void {
  store.transaction(() => {
    const o = store.orders.insertIntent({
      intentKey: `i.writer.${n}`, symbol: stockCode('005930'), side: 'buy', type: 'limit', qty: shares(10), price: krw(70_000),
      tradingDate: WRITER_DATE, decisionId: null, configHash: 'cfg', reason: 'writer',
    }, T0).order;
    const venueOrderId = String(n).padStart(10, '0');
    store.orders.transition(o.id, 'pending', 'submitting', {}, 'submit', {}, T0);
    store.orders.transition(o.id, 'submitting', 'accepted', { venueOrderId, branch: '06010' }, 'accepted', {}, T0);
    store.fills.record({
      fillKey: makeFillKey(WRITER_DATE, venueOrderId, 10), orderId: o.id, symbol: o.symbol, side: 'buy', qty: shares(10),
      price: krw(70_000), value: krw(700_000), commission: krw(98), tax: krw(0), tradingDate: WRITER_DATE, at: T0,
    });
  });
}

if (process.argv[1] === import.meta.filename) {
  const [path, count] = process.argv.slice(2);
  const store = openStore({ path: path!, synchronous: 'NORMAL', clock: { now: () => T0 } });
  const total = Number(count);
  let n = 1_000_000;
  for (let i = 0; i < 20; i++) writeFilledOrder(store, n++);
  process.stdout.write('ready\n');
  const batch = (): void => {
    for (let i = 0; i < 50 && n < 1_000_000 + total; i++) writeFilledOrder(store, n++);
    if (n < 1_000_000 + total) setImmediate(batch);
    else store.close();
  };
  batch();
}
