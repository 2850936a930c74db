import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { epochMs, krw, kstInstant, shares, stockCode, tradingDate } from '../../../src/domain/index.js';
import type { Broker, CancelRequest, MarketData, OrderRequest, Quote, TradingDate } from '../../../src/domain/index.js';
import { EXIT_NOT_CONFIRMED, registerKisCommands } from '../../../src/cli/kis-commands.js';
import { quoteStatus } from '../../helpers/builders.js';
import type { KisSessionLike } from '../../../src/cli/kis-commands.js';

/** A hand-written session: records what the commands asked of the ports. */
function fakeSession(mode: KisSessionLike['mode']) {
  const placed: OrderRequest[] = [];
  const cancelled: CancelRequest[] = [];
  const dates: TradingDate[] = [];
  let closed = 0;
  const now = kstInstant(tradingDate('20260312'), '100000');
  const quote: Quote = {
    symbol: stockCode('005930'), price: krw(72300), open: krw(71900), high: krw(72600), low: krw(71700), basePrice: krw(71800),
    upperLimit: krw(93300), lowerLimit: krw(50300), tick: krw(100), volume: shares(8412556), tradedValue: krw(606965915400), changeBp: 70, halted: false, status: quoteStatus(), at: now,
  };
  const market = { quote: () => Promise.resolve(quote) } as unknown as MarketData;
  const broker = {
    placeOrder: (r: OrderRequest) => { placed.push(r); return Promise.resolve({ venueOrderId: '0000000001', branch: '00950', acceptedAt: now }); },
    cancelOrder: (r: CancelRequest) => { cancelled.push(r); return Promise.resolve({ venueOrderId: '0000000002', branch: '00950', acceptedAt: now }); },
    dailyOrders: (d: TradingDate) => { dates.push(d); return Promise.resolve([]); },
  } as unknown as Broker;
  const session: KisSessionLike = {
    market, broker, mode, clock: { now: () => epochMs(now) },
    close: () => { closed++; return Promise.resolve(); },
  };
  return { session, placed, cancelled, dates, closed: () => closed };
}

class Exit extends Error {
  constructor(readonly code: number) { super(`exit ${code}`); }
}

async function run(args: string[], mode: KisSessionLike['mode'] = 'sim', env: Record<string, string> = {}) {
  const fake = fakeSession(mode);
  const out: string[] = [];
  const err: string[] = [];
  const program = new Command('kis-trader').exitOverride();
  registerKisCommands(program, () => Promise.resolve(fake.session), {
    out: (s) => out.push(s), err: (s) => err.push(s), exit: (c) => { throw new Exit(c); }, env,
  });
  let code = 0;
  try {
    await program.parseAsync(['node', 'kis-trader', 'kis', ...args]);
  } catch (e) {
    if (e instanceof Exit) code = e.code;
    else throw e;
  }
  return { ...fake, out: out.join('\n'), err: err.join('\n'), code };
}

describe('kis CLI commands', () => {
  it('prints a quote as a table and as JSON', async () => {
    const t = await run(['price', '005930']);
    expect(t.out).toContain('72,300');
    expect(t.out).toContain('0.70%');
    const j = await run(['price', '005930', '--json']);
    expect((JSON.parse(j.out) as { price: number }).price).toBe(72300);
    expect(j.closed()).toBe(1);
  });

  it('refuses a live buy without KIS_LIVE_CONFIRM and sends nothing', async () => {
    const r = await run(['buy', '005930', '10', '--price', '72200'], 'live');
    expect(r.code).toBe(EXIT_NOT_CONFIRMED);
    expect(r.err).toContain('KIS_LIVE_CONFIRM');
    expect(r.placed).toHaveLength(0);
    expect(r.closed()).toBe(1);
  });

  it('places a live buy with the confirmation, a sim sell at market without', async () => {
    const live = await run(['buy', '005930', '10', '--price', '72200'], 'live', { KIS_LIVE_CONFIRM: 'I_UNDERSTAND' });
    expect(live.placed).toEqual([{ symbol: '005930', side: 'buy', type: 'limit', qty: 10, price: 72200 }]);
    expect(live.out).toContain('0000000001');
    const sim = await run(['sell', '005930', '3', '--market']);
    expect(sim.placed).toEqual([{ symbol: '005930', side: 'sell', type: 'market', qty: 3, price: 0 }]);
  });

  it('needs exactly one of --price and --market', async () => {
    for (const args of [['buy', '005930', '1'], ['buy', '005930', '1', '--price', '100', '--market']]) {
      const r = await run(args);
      expect(r.code).toBe(1);
      expect(r.placed).toHaveLength(0);
    }
  });

  it('rejects a fractional quantity before connecting to anything that trades', async () => {
    const r = await run(['buy', '005930', '1.5', '--price', '100']);
    expect(r.code).toBe(1);
    expect(r.placed).toHaveLength(0);
  });

  it('lists the broker orders of the session day or of --date', async () => {
    expect((await run(['orders'])).dates).toEqual(['20260312']);
    expect((await run(['orders', '--date', '20260310'])).dates).toEqual(['20260310']);
  });

  it('cancels with the branch and an optional quantity', async () => {
    const r = await run(['cancel', '0000000001', '--branch', '00950', '--qty', '4']);
    expect(r.cancelled).toEqual([{ venueOrderId: '0000000001', branch: '00950', qty: 4 }]);
  });
});
