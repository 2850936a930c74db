import { describe, it, expect } from 'vitest';
import { epochMs, krw, ppm, shares, stockCode } from '../../../src/domain/index.js';
import { checkEntry, checkExit } from '../../../src/signals/index.js';
import type { EntryRiskContext, ExitRiskContext } from '../../../src/signals/index.js';
import { quoteStatus } from '../../helpers/builders.js';

const A = stockCode('000010');
const B = stockCode('000020');
const C = stockCode('000030');
const NOW = epochMs(1_773_280_000_000);
const MIN = 60_000;

const GUARDS = [
  'entries-halted', 'session', 'security-status', 'already-held', 'open-order', 'max-positions', 'max-orders-per-day',
  'daily-loss', 'cooldown', 'cash', 'max-order-value', 'price-limits', 'min-qty',
];

// Buy 10 × 10,000 = 100,000 (+15 commission at 141 ppm, rounded up) with everything in order.
function ctx(over: Partial<EntryRiskContext> = {}): EntryRiskContext {
  return {
    symbol: A,
    orderType: 'limit',
    phase: 'regular',
    qty: shares(10),
    price: krw(10_000),
    priceLimits: { upper: krw(13_000), lower: krw(7_000) },
    halted: null,
    security: { halted: false, status: quoteStatus() },
    heldSymbols: [B],
    openOrderSymbols: [C],
    ordersToday: 1,
    dayStartEquity: krw(10_000_000),
    dayPnl: krw(0),
    lastLosingExitAt: {},
    now: NOW,
    cash: krw(1_000_000),
    commission: ppm(141),
    limits: {
      maxPositions: 5, maxOrdersPerDay: 10, maxDailyLossBp: 300, cooldownMinutes: 120,
      maxOrderValue: krw(500_000), minCashReserve: krw(100_000),
    },
    ...over,
  };
}

const limits = ctx().limits;
const failing = (v: ReturnType<typeof checkEntry>) => v.checks.filter((c) => !c.ok).map((c) => c.guard);

describe('checkEntry', () => {
  it('passes and reports every guard in a fixed order', () => {
    const v = checkEntry(ctx());
    expect(v.ok).toBe(true);
    expect(v.checks.map((c) => c.guard)).toEqual(GUARDS);
    expect(v.checks.every((c) => c.reason === undefined)).toBe(true);
  });

  it.each<{ guard: string; over: Partial<EntryRiskContext> }>([
    { guard: 'entries-halted', over: { halted: { reason: 'operator' } } },
    { guard: 'session', over: { phase: 'post-close' } },
    { guard: 'session', over: { phase: 'closed' } },
    { guard: 'already-held', over: { heldSymbols: [A] } },
    { guard: 'open-order', over: { openOrderSymbols: [A] } },
    // B, C held and D, E, F working buys: 5 of 5 taken
    { guard: 'max-positions', over: { heldSymbols: [B, C], openOrderSymbols: [stockCode('000040'), stockCode('000050'), stockCode('000060')] } },
    { guard: 'max-orders-per-day', over: { ordersToday: 10 } },
    // −300,000 is exactly −300 bp of 10,000,000
    { guard: 'daily-loss', over: { dayPnl: krw(-300_000) } },
    { guard: 'daily-loss', over: { dayStartEquity: krw(0) } },
    { guard: 'cooldown', over: { lastLosingExitAt: { [A]: epochMs(NOW - 119 * MIN) } } },
    // spendable 100,000: the value fits, the value plus 15 won commission does not
    { guard: 'cash', over: { cash: krw(200_000) } },
    { guard: 'max-order-value', over: { limits: { ...limits, maxOrderValue: krw(99_999) } } },
    { guard: 'price-limits', over: { price: krw(13_050) } },
    { guard: 'price-limits', over: { price: krw(6_990) } },
    { guard: 'min-qty', over: { qty: shares(0) } },
  ])('$guard fails on its own', ({ guard, over }) => {
    const v = checkEntry(ctx(over));
    expect(v.ok).toBe(false);
    expect(failing(v)).toEqual([guard]);
    const failed = v.checks.find((c) => !c.ok)!;
    expect(failed.reason).toEqual(expect.any(String));
    expect(v.checks).toHaveLength(GUARDS.length);
  });

  it.each<{ name: string; over: Partial<EntryRiskContext> }>([
    { name: 'one position short of the maximum', over: { heldSymbols: [B, C], openOrderSymbols: [stockCode('000040'), stockCode('000050')] } },
    { name: 'a working sell of a held symbol is not a second position', over: { heldSymbols: [B, C], openOrderSymbols: [B, C, stockCode('000040'), stockCode('000050')] } },
    { name: 'the last order of the day', over: { ordersToday: 9 } },
    { name: 'a loss one won short of the limit', over: { dayPnl: krw(-299_999) } },
    { name: 'the cooldown just over', over: { lastLosingExitAt: { [A]: epochMs(NOW - 120 * MIN) } } },
    { name: 'a losing exit of another symbol', over: { lastLosingExitAt: { [B]: epochMs(NOW - MIN) } } },
    { name: 'cash exactly covering value and commission', over: { cash: krw(200_015) } },
    { name: 'a limit price on the upper limit', over: { price: krw(13_000), cash: krw(1_000_000) } },
    { name: 'the opening auction', over: { phase: 'opening-auction' } },
  ])('passes at the boundary: $name', ({ over }) => {
    expect(failing(checkEntry(ctx(over)))).toEqual([]);
  });

  it('checks a market buy at the upper limit for cash and value', () => {
    const market = ctx({ orderType: 'market', price: krw(0) });
    const v = checkEntry(market);
    expect(v.ok).toBe(true);
    expect(v.checks.find((c) => c.guard === 'cash')?.context).toMatchObject({ unitPrice: 13_000, value: 130_000, commission: 19 });
    // 130,000 + 19 needs 230,019 with the 100,000 reserve
    expect(failing(checkEntry({ ...market, cash: krw(230_018) }))).toEqual(['cash']);
    expect(failing(checkEntry({ ...market, limits: { ...limits, maxOrderValue: krw(129_999) } }))).toEqual(['max-order-value']);
  });

  it('reports every failing guard together', () => {
    const v = checkEntry(ctx({
      halted: { reason: 'daily review' },
      phase: 'closed',
      security: { halted: true, status: quoteStatus({ code: '53', warning: 'warning' }) },
      heldSymbols: [A, B, C, stockCode('000040'), stockCode('000050')],
      openOrderSymbols: [A],
      ordersToday: 10,
      dayPnl: krw(-1_000_000),
      lastLosingExitAt: { [A]: epochMs(NOW - MIN) },
      qty: shares(100),
      price: krw(14_000),
      cash: krw(0),
    }));
    expect(v.ok).toBe(false);
    expect(v.checks.map((c) => c.guard)).toEqual(GUARDS);
    // everything but min-qty fails (a sized quantity of 0 would make value-based guards pass)
    expect(failing(v)).toEqual(GUARDS.filter((g) => g !== 'min-qty'));
    expect(v.checks.find((c) => c.guard === 'entries-halted')?.reason).toContain('daily review');
  });
});

describe('checkEntry: the security-status guard (docs/kis-wire.md §6.1)', () => {
  it.each<{ name: string; security: EntryRiskContext['security']; says: string }>([
    { name: 'a trading halt', security: { halted: true, status: quoteStatus({ code: '58' }) }, says: 'trading halted' },
    { name: 'an administrative issue (51)', security: { halted: false, status: quoteStatus({ code: '51', administrative: true }) }, says: 'administrative issue' },
    { name: 'investment risk (52)', security: { halted: false, status: quoteStatus({ code: '52', warning: 'risk' }) }, says: 'investment risk' },
    { name: 'investment warning (53)', security: { halted: false, status: quoteStatus({ code: '53', warning: 'warning' }) }, says: 'investment warning' },
    { name: 'investment caution (54)', security: { halted: false, status: quoteStatus({ code: '54', warning: 'caution' }) }, says: 'investment caution' },
    { name: 'a market warning code', security: { halted: false, status: quoteStatus({ marketWarningCode: '02' }) }, says: 'market warning 02' },
    { name: 'investment attention', security: { halted: false, status: quoteStatus({ investmentAttention: true }) }, says: 'investment attention' },
    { name: 'short-term overheating (59)', security: { halted: false, status: quoteStatus({ code: '59', shortTermOverheated: true }) }, says: 'short-term overheating' },
    { name: 'liquidation trading', security: { halted: false, status: quoteStatus({ liquidationTrading: true }) }, says: 'liquidation trading' },
    { name: 'a volatility interruption', security: { halted: false, status: quoteStatus({ vi: true }) }, says: 'volatility interruption' },
  ])('blocks $name and says so in the decision row', ({ security, says }) => {
    const v = checkEntry(ctx({ security }));
    expect(v.ok).toBe(false);
    expect(failing(v)).toEqual(['security-status']);
    const g = v.checks.find((c) => c.guard === 'security-status')!;
    expect(g.reason).toContain(says);
    expect(g.context).toMatchObject({ blocks: [says] });
  });

  it.each([
    ['55 credit allowed', quoteStatus({ code: '55' })],
    ['57 margin 100 %', quoteStatus({ code: '57' })],
    ['no status code', quoteStatus({ code: null })],
  ])('lets %s through', (_name, status) => {
    expect(failing(checkEntry(ctx({ security: { halted: false, status } })))).toEqual([]);
  });

  it('names every designation at once', () => {
    const v = checkEntry(ctx({ security: { halted: true, status: quoteStatus({ code: '51', administrative: true, liquidationTrading: true }) } }));
    expect(v.checks.find((c) => c.guard === 'security-status')?.context).toMatchObject({
      blocks: ['trading halted', 'administrative issue', 'liquidation trading'],
    });
  });
});

describe('checkExit', () => {
  const exit = (over: Partial<ExitRiskContext> = {}): ExitRiskContext =>
    ({ symbol: A, orderType: 'market', phase: 'regular', openSellSymbols: [], tradingHalted: false, ...over });

  it('is not blocked by a halt, the daily-loss breaker, a cooldown or missing cash', () => {
    // everything an entry is checked against, failing, and the exit still goes
    const entry = ctx({
      halted: { reason: 'breaker' }, dayPnl: krw(-5_000_000), lastLosingExitAt: { [A]: epochMs(NOW - MIN) }, cash: krw(0),
      ordersToday: 99, heldSymbols: [A],
    });
    expect(checkEntry(entry).ok).toBe(false);
    const v = checkExit(exit({ symbol: entry.symbol, orderType: entry.orderType, phase: entry.phase }));
    expect(v.ok).toBe(true);
    expect(v.checks.map((c) => c.guard)).toEqual(['session', 'trading-halted', 'exit-working']);
  });

  it('is not blocked by another order working in the symbol: only our own sell there is a duplicate', () => {
    // An entry of ours still working in A (cancelled by the order path) or an external order there is
    // not in openSellSymbols; a sell of ours in another symbol does not matter either.
    expect(checkExit(exit({ openSellSymbols: [B, C] })).ok).toBe(true);
  });

  it.each<{ guard: string; over: Partial<ExitRiskContext> }>([
    { guard: 'session', over: { phase: 'after-hours' } },
    { guard: 'session', over: { phase: 'closed' } },
    { guard: 'trading-halted', over: { tradingHalted: true } },
    { guard: 'exit-working', over: { openSellSymbols: [A] } },
  ])('is blocked by $guard', ({ guard, over }) => {
    const v = checkExit(exit(over));
    expect(v.ok).toBe(false);
    expect(v.checks.filter((c) => !c.ok).map((c) => c.guard)).toEqual([guard]);
    expect(v.checks.find((c) => !c.ok)?.reason).toEqual(expect.any(String));
  });
});
