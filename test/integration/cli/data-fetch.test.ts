import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { Command } from 'commander';
import { fetchBarsInto, registerDataCommands } from '../../../src/cli/data-command.js';
import { tradingDate } from '../../../src/domain/index.js';
import { openStore } from '../../../src/store/index.js';
import type { Store } from '../../../src/store/index.js';
import { tempDir } from '../../helpers/cli.js';
import { createMemoryTokenStore } from '../../helpers/kis-fakes.js';
import { budgetFor, createJumpClock, simClient, startSim } from '../kis/sim-harness.js';

/**
 * `data fetch` against the real simulator over HTTP, through the real client and a real Redis
 * rate budget, into a real trade log: the rows equal the simulator's own bars, and fetching
 * again replaces them rather than adding any.
 */
let redis: Redis;
beforeAll(() => { redis = new Redis(inject('redisUrl')); });
afterAll(async () => { await redis.quit(); });
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** the day before the harness's MORNING (2026-03-12): complete bars only */
const END = tradingDate('20260311');
const DAYS = 150;

function allRows(store: Store): unknown[] {
  return store.db.prepare('SELECT symbol, date, open, high, low, close, volume, value FROM daily_bars ORDER BY symbol, date').all();
}

describe('data fetch from the simulator', () => {
  it('stores exactly the bars the simulator serves, pages of 100 included; a second fetch duplicates nothing; a bad symbol fails alone', async () => {
    const clock = createJumpClock();
    const { sim, url } = await startSim('live', clock);
    const budget = budgetFor(redis, 'live', 18);
    const client = simClient({ env: 'live', url, clock, redis, lockPrefix: `test:${randomUUID()}:`, tokenStore: createMemoryTokenStore(), rateBudget: budget });
    const store = openStore({ path: join(tempDir('kis-data-'), 'sim.sqlite'), synchronous: 'NORMAL', clock });
    cleanups.push(async () => { await client.close(); await sim.stop(); }, () => store.close());
    const deps = { market: client.market, bars: store.bars, clock };

    const started: string[] = [];
    const first = await fetchBarsInto(deps, ['005930', '000660', '999999', '12345'], DAYS, END, { onStart: (s) => started.push(s) });
    expect(started).toEqual(['005930', '000660', '999999', '12345']);
    expect(first.slice(0, 2)).toEqual([
      { symbol: '005930', ok: true, bars: DAYS, first: expect.any(String) as string, last: END },
      { symbol: '000660', ok: true, bars: DAYS, first: expect.any(String) as string, last: END },
    ]);
    expect(first[2]).toMatchObject({ symbol: '999999', ok: false });
    expect(first[2]?.ok === false && first[2].error).toContain('APBK0656');
    expect(first[3]).toEqual({ symbol: '12345', ok: false, error: 'DOMAIN_INVALID_SYMBOL: stock code must be six characters like 005930, got "12345"' });

    for (const code of ['005930', '000660']) {
      // the simulator's own market, not its HTTP answer: adjusted prices, as the client asks for (FID_ORG_ADJ_PRC 0)
      const served = sim.market.dailyBars(code, { end: END, count: DAYS, adjusted: true });
      expect(served).toHaveLength(DAYS);
      expect(store.bars.range(served[0]!.symbol, 10_000)).toEqual(served);
    }
    const rows = allRows(store);
    expect(rows).toHaveLength(2 * DAYS);

    // again: the same rows are replaced (a changed one restored), none added
    store.db.prepare("UPDATE daily_bars SET close = low, fetched_at = 0 WHERE symbol = '005930' AND date = ?").run(END);
    expect(allRows(store)).not.toEqual(rows);
    const again = await fetchBarsInto(deps, ['005930', '000660'], DAYS, END, {});
    expect(again.every((r) => r.ok)).toBe(true);
    expect(allRows(store)).toEqual(rows);
    expect(store.bars.summary()).toEqual([
      { symbol: '000660', bars: DAYS, first: (first[1] as { first: string }).first, last: END },
      { symbol: '005930', bars: DAYS, first: (first[0] as { first: string }).first, last: END },
    ]);
    expect(sim.stats().rateLimited).toBe(0);
  }, 60_000);

  it('on a terminal rewrites one progress line and prints only failures as lines', async () => {
    const clock = createJumpClock();
    const { sim, url } = await startSim('live', clock);
    const client = simClient({ env: 'live', url, clock, redis, lockPrefix: `test:${randomUUID()}:`, tokenStore: createMemoryTokenStore(),
      rateBudget: budgetFor(redis, 'live', 18) });
    const store = openStore({ path: join(tempDir('kis-data-'), 'sim.sqlite'), synchronous: 'NORMAL', clock });
    cleanups.push(async () => { await client.close(); await sim.stop(); }, () => store.close());
    const out: string[] = [];
    const err: string[] = [];
    // both stderr streams in the order written, the terminal's lines marked
    const screen: string[] = [];
    let closed = 0;
    class Exit extends Error { constructor(readonly code: number) { super(`exit ${code}`); } }
    const program = new Command('kis-trader').exitOverride();
    registerDataCommands(program, {
      out: (s) => out.push(s), err: (s) => { err.push(s); screen.push(s); }, exit: (code) => { throw new Exit(code); }, tty: (s) => screen.push(`tty${s}`),
      cwd: '/', source: 'sim · test',
      connect: () => Promise.resolve({ market: client.market, clock, close: () => { closed++; return Promise.resolve(); } }),
      withStore: async (fn) => fn(store),
      withReadStore: (fn) => fn(store),
    });
    const run = program.parseAsync(['data', 'fetch', '--symbols', '005930,999999,000660', '--days', '30', '--end', '2026-03-11'], { from: 'user' });
    await expect(run).rejects.toThrow(new Exit(1));
    expect(closed).toBe(1);
    // each terminal write starts by clearing the line; shown here as "tty|"
    const CLEAR = 'tty|';
    const shown = screen.map((l) => l.replace('tty\r\x1b[2K', CLEAR));
    // the bar of the second symbol is drawn only if the first took longer than the redraw interval
    expect(shown.filter((l) => !l.includes(' 1/3 · '))).toEqual([
      expect.stringMatching(/^tty\|data fetch ░+ 0 % 0\/3 · 005930$/),
      CLEAR,
      expect.stringMatching(/^\[2\/3\] 999999: failed/),
      expect.stringMatching(/^tty\|data fetch [█░]+ 66 % 2\/3 · .* left · 000660$/),
      CLEAR,
      'data fetch: 1 of 3 symbols failed: 999999',
    ]);
    expect(err).toHaveLength(2);
    expect(err[0]).toMatch(/^\[2\/3\] 999999: failed: KIS_API: .*APBK0656/);
    expect(err[1]).toBe('data fetch: 1 of 3 symbols failed: 999999');
    expect(out[0]).toBe('daily bars fetched into sim · test: 2 of 3 symbols, newest 30 trading days to 20260311');
    expect(store.bars.summary().map((r) => [r.symbol, r.bars, r.last])).toEqual([['000660', 30, '20260311'], ['005930', 30, '20260311']]);
  }, 60_000);
});
