import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryJournal } from '../../../src/sim/index.js';
import { CRED, DAY, PATHS, at, orderBody, startSim } from './sim-client.js';
import type { Harness } from './sim-client.js';

/** A simulator restarted on its journal has the same books, order numbers and token as before. */
const started: Harness[] = [];
afterEach(async () => {
  for (const h of started.splice(0)) await h.sim.stop();
});

describe('sim journal', () => {
  it('rebuilds orders, fills, holdings, cash and the token after a restart', async () => {
    const journal = createMemoryJournal();
    const a = await startSim({ env: 'live', start: at('100000'), journal });
    started.push(a);
    const token = await a.token();
    const buy = await a.post(PATHS.orderCash, orderBody(), a.headers('TTTC0012U', token));
    expect(buy.body.rt_cd).toBe('0');
    const limit = await a.post(PATHS.orderCash, orderBody({ ORD_DVSN: '00', ORD_QTY: '5', ORD_UNPR: String(a.sim.market.quote('005930').lower) }), a.headers('TTTC0012U', token));
    expect(limit.body.rt_cd).toBe('0');
    a.clock.advance(60_000);
    const before = { orders: a.sim.exchange.orders(CRED.account, DAY), holdings: a.sim.exchange.holdings(CRED.account), cash: a.sim.exchange.cash(CRED.account) };
    expect(journal.entries.map((e) => e.kind)).toEqual(['token', 'place', 'place']);
    await a.sim.stop();
    started.pop();

    const b = await startSim({ env: 'live', start: a.clock.now(), journal });
    started.push(b);
    expect(b.sim.exchange.orders(CRED.account, DAY)).toEqual(before.orders);
    expect(b.sim.exchange.holdings(CRED.account)).toEqual(before.holdings);
    expect(b.sim.exchange.cash(CRED.account)).toEqual(before.cash);
    // The old token still works, and a new order continues the day's numbering.
    const again = await b.post(PATHS.orderCash, orderBody({ ORD_QTY: '1' }), b.headers('TTTC0012U', token));
    expect(again.body.rt_cd).toBe('0');
    expect(Number(again.body.output.ODNO)).toBeGreaterThan(Number(limit.body.output.ODNO));
    expect(b.sim.stats().tokensIssued).toBe(1);
  });

  it('refuses no entry of its own journal', async () => {
    const journal = createMemoryJournal();
    const a = await startSim({ env: 'paper', start: at('100000'), journal });
    started.push(a);
    const token = await a.token();
    await a.post(PATHS.orderCash, orderBody(), a.headers('VTTC0012U', token));
    expect(journal.entries).toHaveLength(2);
    const bad = await a.post(PATHS.orderCash, orderBody({ ORD_QTY: '0' }), a.headers('VTTC0012U', token));
    expect(bad.body.rt_cd).not.toBe('0');
    expect(journal.entries).toHaveLength(2);
  });
});
