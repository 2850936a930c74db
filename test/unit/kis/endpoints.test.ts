import { describe, expect, it } from 'vitest';
import { isAppError } from '../../../src/domain/index.js';
import { ENDPOINTS, isAvailable, pageSizeFor, trIdFor } from '../../../src/kis/endpoints.js';
import type { EndpointName } from '../../../src/kis/endpoints.js';

describe('endpoint table', () => {
  const expected: Array<[EndpointName, string, string | null]> = [
    ['price', 'FHKST01010100', 'FHKST01010100'],
    ['orderBook', 'FHKST01010200', 'FHKST01010200'],
    ['dailyBars', 'FHKST03010100', 'FHKST03010100'],
    ['minuteBars', 'FHKST03010200', 'FHKST03010200'],
    ['volumeRank', 'FHPST01710000', null],
    ['fluctuationRank', 'FHPST01700000', null],
    ['holidays', 'CTCA0903R', null],
    ['balance', 'TTTC8434R', 'VTTC8434R'],
    ['buyingPower', 'TTTC8908R', 'VTTC8908R'],
    ['sellable', 'TTTC8408R', null],
    ['orderBuy', 'TTTC0012U', 'VTTC0012U'],
    ['orderSell', 'TTTC0011U', 'VTTC0011U'],
    ['cancel', 'TTTC0013U', 'VTTC0013U'],
    ['dailyOrders', 'TTTC0081R', 'VTTC0081R'],
    ['dailyOrdersOld', 'CTSC9215R', 'VTSC9215R'],
    ['cancellable', 'TTTC0084R', null],
  ];

  for (const [name, live, paper] of expected) {
    it(`${name}: live ${live}, paper ${paper ?? 'not available'}`, () => {
      const ep = ENDPOINTS[name];
      expect(trIdFor(ep, 'live')).toBe(live);
      if (paper === null) {
        expect(isAvailable(ep, 'paper')).toBe(false);
        let thrown: unknown;
        try { trIdFor(ep, 'paper'); } catch (e) { thrown = e; }
        expect(isAppError(thrown, 'KIS_NOT_AVAILABLE_ON_PAPER')).toBe(true);
      } else {
        expect(trIdFor(ep, 'paper')).toBe(paper);
      }
    });
  }

  it('never uses a retired TR ID (docs/kis-wire.md §2.7, §13.9)', () => {
    const retired = ['TTTC0801U', 'TTTC0802U', 'TTTC0803U', 'TTTC8001R', 'CTSC9115R', 'TTTC8036R'];
    for (const ep of Object.values(ENDPOINTS)) {
      for (const id of [ep.trId?.live, ep.trId?.paper]) {
        if (id === undefined || id === null) continue;
        expect(retired).not.toContain(id);
        expect(retired.map((r) => `V${r.slice(1)}`)).not.toContain(id);
      }
    }
  });

  it('pages balance 50/20 and daily orders 100/15', () => {
    expect([pageSizeFor(ENDPOINTS.balance, 'live'), pageSizeFor(ENDPOINTS.balance, 'paper')]).toEqual([50, 20]);
    expect([pageSizeFor(ENDPOINTS.dailyOrders, 'live'), pageSizeFor(ENDPOINTS.dailyOrders, 'paper')]).toEqual([100, 15]);
    expect(pageSizeFor(ENDPOINTS.price, 'live')).toBeNull();
  });

  it('marks only the cash order and cancel POSTs as orders, each in the order lane', () => {
    const orders = Object.values(ENDPOINTS).filter((e) => e.isOrder).map((e) => e.name).sort();
    expect(orders).toEqual(['cancel', 'orderBuy', 'orderSell']);
    for (const name of orders) expect(ENDPOINTS[name].lane).toBe('order');
    expect(ENDPOINTS.volumeRank.lane).toBe('scan');
  });

  it('uses the paper = V + live rule for every trading TR that has a paper version', () => {
    for (const ep of Object.values(ENDPOINTS)) {
      if (ep.trId === null || ep.trId.paper === null || ep.trId.live.startsWith('F')) continue;
      expect(ep.trId.paper).toBe(`V${ep.trId.live.slice(1)}`);
    }
  });
});
