import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../../src/config/index.js';
import { createReadWindow, kstDateOf, krw, silentLogger, stockCode, systemClock } from '../../../src/domain/index.js';
import type { StockCode } from '../../../src/domain/index.js';
import { createKisClient } from '../../../src/kis/index.js';
import type { KisClient } from '../../../src/kis/index.js';
import { runScan } from '../../../src/scan/index.js';
import type { UniverseFilter } from '../../../src/scan/index.js';
import { runEvaluateEntry } from '../../../src/signals/index.js';
import type { EvaluateDeps } from '../../../src/signals/index.js';
import { SIM_DEFAULT_CREDENTIALS } from '../../../src/sim/index.js';
import type { Simulator } from '../../../src/sim/index.js';
import { createCountingBudget, createLocalLock, createMemoryTokenStore } from '../../helpers/kis-fakes.js';
import { createTempStore } from '../../helpers/temp-store.js';
import type { TempStore } from '../../helpers/temp-store.js';
import { calendar, createJumpClock, startSim } from './sim-harness.js';
import { permissiveMomentum } from '../../helpers/builders.js';

/**
 * Issue 8 §4 end to end over HTTP: the real client asks the simulator's volume ranking to leave
 * the configured kinds out, and a designated name that still reaches the signal job (through the
 * watch list, or a ranking asked without exclusions) is refused by the entry guard.
 */
const clock = createJumpClock();
let sim: Simulator;
let client: KisClient;
let temp: TempStore;

beforeAll(async () => {
  const started = await startSim('live', clock, { rateLimitPerSec: 1000 });
  sim = started.sim;
  client = createKisClient({
    env: 'live', baseUrl: started.url, appKey: SIM_DEFAULT_CREDENTIALS.appKey, appSecret: SIM_DEFAULT_CREDENTIALS.appSecret,
    account: SIM_DEFAULT_CREDENTIALS.account, timeouts: { connectMs: 1000, headersMs: 3000, bodyMs: 3000, totalMs: 5000 },
    rateBudget: createCountingBudget(), tokenStore: createMemoryTokenStore(), lock: createLocalLock(), clock,
  });
  temp = createTempStore({ cleanup: 'manual' });
});
afterAll(async () => {
  await client.close();
  await sim.stop();
  temp.cleanup();
});

/** Of a kind the default exclusion code names (everything but credit-not-allowed, §6.5). */
const excludedByDefault = (code: StockCode): boolean => {
  const s = sim.market.symbol(code)!;
  return s.product !== 'stock' || s.designations.some((d) => !['short-term-overheating', 'vi', 'temporary-halt'].includes(d))
    || sim.market.halted(code, clock.now());
};

describe('the ranking exclusion flags, client against the simulator', () => {
  it('leaves every configured kind out of the volume ranking; asked for none, the ranking lists them', async () => {
    const kinds = defaultConfig().scan.excludeKinds;
    const excluded = await client.market.ranking({ kind: 'volume', exclude: kinds }, { lane: 'scan' });
    expect(excluded.params.FID_TRGT_EXLS_CLS_CODE).toBe('1111111101');
    expect(excluded.rows).toHaveLength(30);
    expect(excluded.rows.filter((r) => excludedByDefault(r.symbol)).map((r) => r.symbol)).toEqual([]);
    const open = await client.market.ranking({ kind: 'volume' }, { lane: 'scan' });
    expect(open.params.FID_TRGT_EXLS_CLS_CODE).toBe('0000000000');
    expect(open.rows.filter((r) => excludedByDefault(r.symbol)).length).toBeGreaterThan(3);
  });
});

describe('a designated name reached anyway is never bought', () => {
  // permissive on purpose: the strategy would enter almost anything, so only the guard can refuse
  const strategies = [permissiveMomentum()];
  const deps = (): EvaluateDeps => ({
    market: client.market, broker: client.broker, bars: temp.store.bars, decisions: temp.store.decisions, positions: temp.store.positions,
    orders: temp.store.orders, fills: temp.store.fills, risk: temp.store.risk, calendar, clock, log: silentLogger, configHash: 'test',
    strategies, limits: { maxPositions: 50, maxOrdersPerDay: 200, maxDailyLossBp: 300, cooldownMinutes: 0, maxOrderValue: krw(5_000_000), minCashReserve: krw(0) },
    maxPositionBp: 100, commissionPpm: 141, entryType: 'limit', exitType: 'limit', limitOffsetTicks: 1,
  });
  const filter: UniverseFilter = {
    minPrice: krw(1), maxPrice: krw(500_000), minTradedValue: krw(0), topN: 30, exclude: [], excludeNamePatterns: [],
  };

  async function evaluate(symbol: StockCode) {
    const r = await runEvaluateEntry(deps(), { strategy: null, symbol, candidate: null, scanSnapshotIds: [] });
    const d = temp.store.decisions.forDate(kstDateOf(clock.now())).find((x) => x.id === r.decisionId)!;
    return { intent: r.intent, decision: d, failed: d.guards.filter((g) => !g.ok).map((g) => g.guard) };
  }

  it('an ordinary name goes through (the control: this path can buy)', async () => {
    const r = await evaluate(stockCode('005930'));
    expect(r.decision.outcome).toBe('order');
    expect(r.intent).not.toBeNull();
  });

  it.each([
    { code: '500010', says: 'administrative issue' },
    { code: '500020', says: 'investment risk' },
    { code: '500030', says: 'investment warning' },
    { code: '500040', says: 'investment caution' },
    { code: '500050', says: 'liquidation trading' },
    { code: '500080', says: 'short-term overheating' },
  ])('through the watch list: $code is blocked by security-status ($says)', async ({ code, says }) => {
    const scan = await runScan({ market: client.market, scans: temp.store.scans, clock, log: silentLogger, reads: createReadWindow({ ratePerSec: 20, clock: systemClock }) }, {
      source: 'watchlist', kinds: ['volume'], marketCode: '0000', watchlist: [stockCode(code)], filter, held: [],
    });
    expect(scan.candidates.map((c) => c.symbol)).toEqual([code]);
    const r = await evaluate(stockCode(code));
    expect(r.intent).toBeNull();
    expect(r.decision.outcome).toBe('blocked');
    expect(r.failed).toEqual(['security-status']);
    expect(r.decision.guards.find((g) => g.guard === 'security-status')?.reason).toContain(says);
  });

  it('through the watch list: the suspended name is not bought either', async () => {
    const r = await evaluate(stockCode('500070'));
    expect(r.intent).toBeNull();
    // the strategy itself stops at a halt (rule 'halted'); the guard would refuse it too
    expect(r.decision.outcome).not.toBe('order');
  });

  it('through rankings asked without exclusions: no designated candidate gets an order', async () => {
    const scan = await runScan({ market: client.market, scans: temp.store.scans, clock, log: silentLogger, reads: createReadWindow({ ratePerSec: 20, clock: systemClock }) }, {
      source: 'rankings', kinds: ['volume', 'fluctuation'], marketCode: '0000', watchlist: [], filter, held: [],
    });
    let designated = 0;
    for (const c of scan.candidates) {
      const s = sim.market.symbol(c.symbol)!;
      const warned = s.designations.some((d) => d !== 'unfaithful-disclosure' && d !== 'vi');
      if (!warned) continue;
      designated += 1;
      const r = await evaluate(c.symbol);
      expect(r.intent, c.symbol).toBeNull();
      expect(r.decision.outcome === 'blocked' ? r.failed : r.decision.rule, c.symbol).toEqual(
        r.decision.outcome === 'blocked' ? ['security-status'] : 'halted',
      );
    }
    expect(designated).toBeGreaterThan(2);
  });
});
