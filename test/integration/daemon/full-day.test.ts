import { afterEach, describe, expect, inject, it } from 'vitest';
import { join } from 'node:path';
import { createApp } from '../../../src/app.js';
import { Command } from 'commander';
import { loadConfig } from '../../../src/config/index.js';
import type { LoadedConfig } from '../../../src/config/index.js';
import { registerReplayCommand } from '../../../src/cli/replay-command.js';
import { openStoreReadOnly } from '../../../src/store/index.js';
import { silentLogger, tradingDate } from '../../../src/domain/index.js';
import { SIM_VARIANT_NAMES } from '../../../src/sim/index.js';
import { daemonEnv, readRows, ROOT, startSharedSim, waitFor } from '../../helpers/daemon.js';

async function replayDay(loaded: LoadedConfig, dbPath: string): Promise<{ code: number; out: string }> {
  const out: string[] = [];
  let code = 0;
  const program = new Command().exitOverride();
  registerReplayCommand(program, {
    out: (s) => out.push(s), err: (s) => out.push(s), exit: (c) => { code = c; throw new Error(`exit ${c}`); }, loaded: () => loaded, root: ROOT,
    source: 'test', withStore: (fn) => {
      const store = openStoreReadOnly({ path: dbPath, clock: { now: () => 0 as never } });
      try { return fn(store); } finally { store.close(); }
    },
  });
  await program.parseAsync(['node', 'kis-trader', 'replay', '--date', DATE, '--json']).catch((e: unknown) => {
    if (!String(e).includes('exit')) throw e;
  });
  return { code, out: out.join('\n') };
}

/**
 * A whole trading day in sim time (09:30 → 15:50 KST at 400× real time, about a minute): the
 * daemon scans, decides, orders, records fills, reconciles and writes its after-close summary,
 * and its trade log agrees with the simulator's books order by order.
 */
const DATE = tradingDate('20261126');
const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe.each(SIM_VARIANT_NAMES)('a full day in sim time, the simulator answering in the %s shape', (variant) => {
  it('produces scans, decisions, orders and fills that match the simulator', async () => {
    const h = await startSharedSim({ date: DATE, hhmmss: '093000', speed: 400, variant });
    const d = daemonEnv(h, inject('redisUrl'), { KIS_TRADER__SCAN__TOP_N: '5' });
    cleanups.push(() => h.stop(), () => d.cleanup());
    const app = createApp({ loaded: loadConfig({ dir: join(ROOT, 'config'), env: d.env }), env: d.env, cwd: ROOT, log: silentLogger });
    await app.start();
    let stopped = false;
    cleanups.push(() => (stopped ? undefined : app.stop()));

    await waitFor(() => (app.store.kv.get(`after-close.${DATE}`) === true ? true : undefined), 120_000, 'the after-close job');
    stopped = true;
    await app.stop();

    const count = (sql: string) => readRows<{ n: number }>(d.dbPath, sql)[0]!.n;
    expect(count('SELECT count(*) n FROM scan_snapshots')).toBeGreaterThan(20);
    expect(count('SELECT count(*) n FROM decisions')).toBeGreaterThan(20);
    expect(count(`SELECT count(*) n FROM decisions WHERE outcome = 'order'`)).toBeGreaterThan(0);
    expect(count(`SELECT count(*) n FROM risk_state WHERE key = 'entries-halted'`)).toBe(0);
    // the volume ranking went out with the configured exclusion code (scan.excludeKinds defaults, §6.5)
    const codes = readRows<{ code: string }>(d.dbPath, `SELECT DISTINCT json_extract(params, '$.FID_TRGT_EXLS_CLS_CODE') code FROM scan_snapshots WHERE kind = 'volume'`);
    expect(codes.map((r) => r.code)).toEqual(['1111111101']);
    // after the close, today's final bar is cached for what was held or evaluated
    expect(count(`SELECT count(*) n FROM daily_bars WHERE date = '${DATE}'`)).toBeGreaterThan(0);

    // Order by order, the trade log says what the simulator's books say.
    const orders = readRows<{ id: number; venue_order_id: string | null; status: string; filled_qty: number; origin: string }>(d.dbPath, 'SELECT id, venue_order_id, status, filled_qty, origin FROM orders');
    const simOrders = h.sim.exchange.orders('50000000-01', DATE).filter((o) => o.kind === 'new');
    const cancels = h.sim.exchange.orders('50000000-01', DATE).filter((o) => o.kind === 'cancel');
    const placed = orders.filter((o) => o.venue_order_id !== null);
    expect(placed.length).toBeGreaterThan(0);
    expect(placed.length).toBe(simOrders.length);
    expect(orders.every((o) => o.origin === 'daemon')).toBe(true);
    for (const o of placed) {
      const s = simOrders.find((x) => x.odno === o.venue_order_id)!;
      expect(s, `sim order ${o.venue_order_id}`).toBeDefined();
      const fills = readRows<{ qty: number; value: number }>(d.dbPath, `SELECT qty, value FROM fills WHERE order_id = ${o.id}`);
      expect(fills.reduce((a, f) => a + f.qty, 0)).toBe(s.filledQty);
      expect(fills.reduce((a, f) => a + f.value, 0)).toBe(s.filledValue);
      expect(o.filled_qty).toBe(s.filledQty);
      expect(['filled', 'cancelled', 'expired', 'rejected']).toContain(o.status);
    }
    expect(placed.some((o) => o.status === 'filled')).toBe(true);
    // No buy in a kind the scan must never buy (issue 8 §4): ETFs, ETNs, SPACs, preferred shares, and
    // stocks the exchange marks suspended, warned, administrative, overheated or in liquidation trading.
    // (A VI or a temporary halt passes; unfaithful disclosure shows only in the ranking flag.)
    const never = (code: string) => {
      const s = h.sim.market.symbol(code)!;
      return s.product !== 'stock' || s.designations.some((x) => !['unfaithful-disclosure', 'vi', 'temporary-halt'].includes(x));
    };
    expect(simOrders.filter((o) => o.side === 'buy' && never(o.symbol)).map((o) => `${o.symbol} ${o.name}`)).toEqual([]);
    // Every cancel at the broker was requested by the daemon, for one of its own orders.
    for (const c of cancels) expect(placed.map((o) => o.venue_order_id)).toContain(c.orgnOdno);

    // `kis-trader replay` of the day: the decision code decides again as it did, and the daemon sent what it decided.
    const loaded = loadConfig({ dir: join(ROOT, 'config'), env: d.env });
    const replay = await replayDay(loaded, d.dbPath);
    expect(replay.code).toBe(0);
    expect(JSON.parse(replay.out)).toMatchObject({ date: DATE, differences: [] });
    expect((JSON.parse(replay.out) as { decisions: number }).decisions).toBe(count('SELECT count(*) n FROM decisions'));
    // and it can tell: a stricter strategy now decides otherwise
    const strict = loadConfig({ dir: join(ROOT, 'config'), env: { ...d.env, KIS_TRADER__STRATEGIES__MOMENTUM_VOLUME__PARAMS__MIN_CHANGE_PCT: '14' } });
    const changed = await replayDay(strict, d.dbPath);
    expect(changed.code).toBe(1);
    expect((JSON.parse(changed.out) as { differences: { field: string }[] }).differences.map((x) => x.field)).toContain('rule');
  }, 150_000);
});
