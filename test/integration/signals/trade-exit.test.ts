import { describe, expect, it } from 'vitest';
import { epochMs, kstInstant, krw, makeFillKey, shares, silentLogger, stockCode, tradingDate } from '../../../src/domain/index.js';
import type { EpochMs, Side, StockCode } from '../../../src/domain/index.js';
import { runTradeExit } from '../../../src/jobs/index.js';
import type { SignalRequest, TradeExitDeps } from '../../../src/jobs/index.js';
import type { Store } from '../../../src/store/index.js';
import { repoCalendar } from '../../helpers/daemon.js';
import { createTempStore } from '../../helpers/temp-store.js';
import { strategyInstance } from '../../helpers/builders.js';

/**
 * runTradeExit (jobs/exits.ts, docs/kis-wire.md §10.5) on a real SQLite trade log: each trade's price
 * through the exit machine, the exit job enqueued on the trade that crosses the stop, one per position.
 */
const DATE = tradingDate('20260312');
const A = stockCode('005930');
const at = (hhmmss: string): EpochMs => epochMs(kstInstant(DATE, hhmmss));

function setup() {
  const t = createTempStore();
  t.clock.set(at('100000'));
  const jobs: { id: string; request: SignalRequest }[] = [];
  const deps: TradeExitDeps = {
    positions: t.store.positions, orders: t.store.orders, fills: t.store.fills, risk: t.store.risk, bars: t.store.bars, calendar: repoCalendar(),
    strategies: [strategyInstance({ exits: { stopLossPct: 3, takeProfitPct: 5 } })], clock: t.clock, log: silentLogger,
    enqueueSignal: (id, request) => {
      jobs.push({ id, request });
      return Promise.resolve(true);
    },
    cache: new Map(),
  };
  return { t, deps, jobs };
}

let seq = 0;
function order(store: Store, o: { symbol: StockCode; side: Side; qty: number; filled: number; price: number }): void {
  seq += 1;
  const venueOrderId = String(seq).padStart(10, '0');
  const intent = {
    intentKey: `i.momentum-volume.${o.symbol}.${o.side}.${seq}`, symbol: o.symbol, side: o.side, type: 'limit' as const, qty: shares(o.qty),
    price: krw(o.price), tradingDate: DATE, decisionId: null, configHash: 'cfg', reason: 'test',
  };
  const id = store.orders.insertIntent(intent, at('090000')).order.id;
  store.orders.transition(id, 'pending', 'submitting', {}, 'submit', {}, at('090000'));
  store.orders.transition(id, 'submitting', 'accepted', { venueOrderId, branch: '06010' }, 'accepted', {}, at('090000'));
  if (o.filled === 0) return;
  store.fills.record({
    fillKey: makeFillKey(DATE, venueOrderId, o.filled), orderId: id, symbol: o.symbol, side: o.side, qty: shares(o.filled),
    price: krw(o.price), value: krw(o.filled * o.price), commission: krw(0), tax: krw(0), tradingDate: DATE, at: at('090001'),
  });
  store.orders.transition(id, 'accepted', o.filled === o.qty ? 'filled' : 'partial', { filledQty: shares(o.filled) }, 'fill', {}, at('090001'));
}

describe('runTradeExit', () => {
  it('enqueues the exit job on the trade that crosses the stop, and once for the position', async () => {
    const { t, deps, jobs } = setup();
    order(t.store, { symbol: A, side: 'buy', qty: 10, filled: 10, price: 70_000 });
    // −2.9 % then −2.99 %: above a 3 % stop
    expect(await runTradeExit(deps, { symbol: A, price: krw(67_970) })).toBe(false);
    expect(await runTradeExit(deps, { symbol: A, price: krw(67_907) })).toBe(false);
    expect(jobs).toEqual([]);
    // −3.0 %: this trade crosses it
    expect(await runTradeExit(deps, { symbol: A, price: krw(67_900) })).toBe(true);
    expect(jobs).toHaveLength(1);
    expect(jobs[0]!.id).toBe(`s.exit.${DATE}.${A}.t${Math.floor(at('100000') / 5_000)}`);
    expect(jobs[0]!.request).toMatchObject({ kind: 'exit', symbol: A, tradingDate: DATE, strategy: null });
    // further crossing trades, within the moment and after the context is read again with our sell open
    expect(await runTradeExit(deps, { symbol: A, price: krw(67_000) })).toBe(false);
    order(t.store, { symbol: A, side: 'sell', qty: 10, filled: 0, price: 67_000 });
    t.clock.set(at('100010'));
    expect(await runTradeExit(deps, { symbol: A, price: krw(66_000) })).toBe(false);
    expect(jobs).toHaveLength(1);
  });

  it('a take-profit fires on its trade too; nothing held, nothing evaluated', async () => {
    const { t, deps, jobs } = setup();
    expect(await runTradeExit(deps, { symbol: A, price: krw(1) })).toBe(false);
    order(t.store, { symbol: A, side: 'buy', qty: 10, filled: 10, price: 70_000 });
    t.clock.set(at('100002'));
    expect(await runTradeExit(deps, { symbol: A, price: krw(73_400) })).toBe(false);
    expect(await runTradeExit(deps, { symbol: A, price: krw(73_500) })).toBe(true);
    expect(jobs).toHaveLength(1);
  });
});
