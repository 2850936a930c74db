import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { epochMs, krw, kstInstant, shares, stockCode, tradingDate } from '../../../src/domain/index.js';
import type { Broker, CancelRequest, MarketData, OrderRequest, Quote, TradingDate } from '../../../src/domain/index.js';
import { EXIT_NOT_CONFIRMED, registerKisCommands } from '../../../src/cli/kis-commands.js';
import { quoteStatus } from '../../helpers/builders.js';
import type { KisSessionLike } from '../../../src/cli/kis-commands.js';
import { createMockKis, ok, tokenReply } from './mock-kis.js';
import type { Route } from './mock-kis.js';

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

describe('kis CLI over a KIS that answers numbers it cannot mean (issue #8 §5)', () => {
  const BALANCE = '/uapi/domestic-stock/v1/trading/inquire-balance';
  const lot = { pdno: '005930', prdt_name: 'x', trad_dvsn_name: '현금', hldg_qty: '10', ord_psbl_qty: '10', pchs_amt: '700000', pchs_avg_pric: '70000.0000', prpr: '72300' };
  const summary = { dnca_tot_amt: '1000000', prvs_rcdl_excc_amt: '1000000', tot_evlu_amt: '1723000' };

  async function runOn(route: Route, args: string[]) {
    const m = createMockKis((r, n) => (r.path === '/oauth2/tokenP' ? tokenReply() : route(r, n)));
    const out: string[] = [];
    const err: string[] = [];
    const program = new Command('kis-trader').exitOverride();
    const session: KisSessionLike = { market: m.client.market, broker: m.client.broker, mode: 'sim', close: () => Promise.resolve() };
    registerKisCommands(program, () => Promise.resolve(session), { out: (s) => out.push(s), err: (s) => err.push(s), exit: (c) => { throw new Exit(c); } });
    let code = 0;
    try {
      await program.parseAsync(['node', 'kis-trader', 'kis', ...args]);
    } catch (e) {
      if (e instanceof Exit) code = e.code;
      else throw e;
    }
    return { code, out: out.join('\n'), err: err.join('\n') };
  }

  it('exits 1 with KIS_RESPONSE_INVALID on a negative price instead of printing it', async () => {
    const r = await runOn(() => ok({ output: {
      stck_prpr: '-72300', prdy_ctrt: '0.70', stck_oprc: '71900', stck_hgpr: '72600', stck_lwpr: '71700', stck_sdpr: '71800',
      stck_mxpr: '93300', stck_llam: '50300', aspr_unit: '100', acml_vol: '8412556', acml_tr_pbmn: '606965915400',
    } }), ['price', '005930']);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/KIS_RESPONSE_INVALID.*output\.stck_prpr/);
  });

  it('exits 1 on a holding repeated on the next page (counted twice) and on negative cash', async () => {
    const paged = await runOn((req, n) => (req.path !== BALANCE ? ok({}) : n === 1
      ? ok({ ctx_area_fk100: 'fk', ctx_area_nk100: 'nk', output1: [lot], output2: [summary] }, { tr_cont: 'M' })
      : ok({ ctx_area_fk100: 'fk', ctx_area_nk100: '', output1: [lot], output2: [summary] }, { tr_cont: 'D' })), ['balance']);
    expect(paged.code).toBe(1);
    expect(paged.out).toBe('');
    expect(paged.err).toMatch(/KIS_RESPONSE_INVALID.*listed twice/);

    const negative = await runOn(() => ok({ output1: [lot], output2: [{ ...summary, dnca_tot_amt: '-1000000' }] }, { tr_cont: 'D' }), ['balance']);
    expect(negative.code).toBe(1);
    expect(negative.err).toMatch(/KIS_RESPONSE_INVALID.*output2\[0\]\.dnca_tot_amt/);
  });
});
