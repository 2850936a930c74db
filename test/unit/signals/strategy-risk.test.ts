import { describe, expect, it } from 'vitest';
import { krw, positionOrigins, shares, stockCode } from '../../../src/domain/index.js';
import type { Position, PositionOrigin } from '../../../src/domain/index.js';
import { strategyExposure, strategyGuards } from '../../../src/signals/index.js';
import { DAY, localOrder, strategyInstance } from '../../helpers/builders.js';

const A = stockCode('005930');
const B = stockCode('000660');
const C = stockCode('035720');
const position = (symbol: typeof A, cost: number): Position =>
  ({ symbol, qty: shares(10), cost: krw(cost), avgPrice: krw(cost / 10), realizedPnl: krw(0) });
const origin = (strategy: string): PositionOrigin => ({ openedDate: DAY, openingOrderId: 1, strategy });

describe('strategyExposure: what one strategy has taken of the account', () => {
  const alpha = strategyInstance({ id: 'alpha', entry: { budgetPct: 30, maxPositions: 2 } });
  const positions = [position(A, 1_000_000), position(B, 2_000_000)];
  const origins = new Map([[A, origin('alpha')], [B, origin('beta')]]);

  it('counts its positions by the strategy that opened them and its working buys by their intent key', () => {
    const open = [
      localOrder({ intentKey: 'i.alpha.035720.buy.20260312.entry', symbol: C, side: 'buy', qty: shares(10), filledQty: shares(4), price: krw(50_000), status: 'partial' }),
      localOrder({ intentKey: 'i.beta.035720.buy.20260312.entry', symbol: C, side: 'buy', qty: shares(10), price: krw(50_000), status: 'accepted' }),
      localOrder({ intentKey: 'i.alpha.005930.sell.20260312.exit-0', symbol: A, side: 'sell', qty: shares(10), price: krw(0), status: 'accepted' }),
    ];
    const e = strategyExposure({ strategy: alpha, equity: krw(10_000_000), positions, origins, open });
    // A (1,000,000) + the 6 shares still to buy of C (300,000); beta's position and buy are not alpha's
    expect(e).toEqual({ positions: 2, value: 1_300_000, budgetLeft: 1_700_000 });
  });

  it('refuses an entry over its budget or its max positions, and says which', () => {
    const price = krw(50_000);
    const fits = strategyGuards(alpha, { positions: 1, value: krw(1_000_000), budgetLeft: krw(2_000_000) }, krw(2_000_000), price);
    expect(fits.every((g) => g.ok)).toBe(true);
    const over = strategyGuards(alpha, { positions: 1, value: krw(1_000_000), budgetLeft: krw(2_000_000) }, krw(2_000_001), price);
    expect(over.filter((g) => !g.ok).map((g) => g.guard)).toEqual(['strategy-budget']);
    const full = strategyGuards(alpha, { positions: 2, value: krw(1_000_000), budgetLeft: krw(2_000_000) }, krw(100_000), price);
    expect(full.filter((g) => !g.ok).map((g) => [g.guard, g.reason])).toEqual([['strategy-max-positions', '2 of 2 positions of alpha taken']]);
  });

  it('calls a budget with less left than one share spent, whatever the sizing made of it', () => {
    // 4,550 won left and a 2,030-won stock: two shares would fit, one share of a 50,000-won one would not
    const crumbs = { positions: 1, value: krw(2_995_450), budgetLeft: krw(4_550) };
    expect(strategyGuards(alpha, crumbs, krw(4_060), krw(2_030)).every((g) => g.ok)).toBe(true);
    const spent = strategyGuards(alpha, crumbs, krw(0), krw(50_000));
    expect(spent.filter((g) => !g.ok).map((g) => [g.guard, g.reason])).toEqual([
      ['strategy-budget', 'alpha has 4550 won of its budget left, less than one share at 50000'],
    ]);
  });
});

describe('positionOrigins: how each position began, replayed from the fills', () => {
  const orders = new Map([
    [1, localOrder({ id: 1, intentKey: 'i.alpha.005930.buy.20260310.entry' })],
    [2, localOrder({ id: 2, intentKey: 'i.alpha.005930.sell.20260311.exit-0', side: 'sell' })],
    [3, localOrder({ id: 3, intentKey: 'i.beta.005930.buy.20260312.entry' })],
    [4, localOrder({ id: 4, intentKey: 'x.external', origin: 'external' })],
  ]);
  const fill = (orderId: number, side: 'buy' | 'sell', qty: number, date: string) => ({
    id: orderId * 10, fillKey: `k${orderId}`, orderId, symbol: A, side, qty: shares(qty), price: krw(70_000), value: krw(qty * 70_000),
    commission: krw(0), tax: krw(0), tradingDate: date as typeof DAY, at: 0 as never,
  });
  const repo = { byId: (id: number) => orders.get(id) ?? null };

  it('a position sold out and bought again belongs to the strategy of the new opening order', () => {
    const fills = [fill(1, 'buy', 10, '20260310'), fill(2, 'sell', 10, '20260311'), fill(3, 'buy', 5, '20260312'), fill(4, 'buy', 7, '20260312')];
    expect(positionOrigins(repo, { all: () => fills }).get(A)).toEqual({ openedDate: '20260312', openingOrderId: 3, strategy: 'beta' });
  });

  it('has no origin for a symbol the daemon holds none of (external fills do not count)', () => {
    const fills = [fill(1, 'buy', 10, '20260310'), fill(2, 'sell', 10, '20260311'), fill(4, 'buy', 7, '20260312')];
    expect(positionOrigins(repo, { all: () => fills }).has(A)).toBe(false);
  });
});
