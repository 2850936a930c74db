import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig, strategySlices } from '../../src/config/index.js';
import type { LoadedConfig, LoadOptions } from '../../src/config/index.js';
import { silentLogger } from '../../src/domain/index.js';
import { CONFIG_IN_FORCE_KEY, CONFIG_LAST_RELOAD_KEY, createLiveConfig, envFileVars, positionsWithoutStrategy, resolveStrategies } from '../../src/runtime/index.js';
import { krw, shares, stockCode } from '../../src/domain/index.js';
import type { PositionOrigin } from '../../src/domain/index.js';
import type { ConfigInForce, LiveConfig, ReloadRecord } from '../../src/runtime/index.js';
import { configDir } from '../unit/config/config-dir.js';
import { waitFor } from '../helpers/daemon.js';
import { createTempStore } from '../helpers/temp-store.js';

/**
 * The running daemon's config holder (runtime/live-config.ts) on real files, a real fs.watch and
 * a real trade log: what it applies, what it refuses, and what it records for `kis-trader reload`.
 */
const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()?.();
});

const momentum = (params: Record<string, unknown>) => ({ strategies: { 'momentum-volume': { params } } });

async function setup(files: Record<string, unknown> = {}, applied: string[][] = []): Promise<{ dir: string; live: LiveConfig; t: ReturnType<typeof createTempStore> }> {
  const { dir, cleanup } = configDir(files);
  cleanups.push(cleanup);
  // as main.ts does: `.env` beside the config is read again for every reload
  const options = (): LoadOptions => ({ dir, env: envFileVars(dir, {}).vars });
  const t = createTempStore();
  const resolve = (l: LoadedConfig) => resolveStrategies(strategySlices(l.config), dir);
  const loaded = loadConfig(options());
  const live = createLiveConfig({
    loaded: { ...loaded, strategies: await resolve(loaded) }, resolve, options, kv: t.store.kv, clock: t.clock, log: silentLogger, debounceMs: 50,
    onApplied: (inForce) => applied.push(inForce.strategies.map((x) => x.id)),
  });
  cleanups.push(() => live.close());
  live.publish();
  return { dir, live, t };
}

const lastRecord = (t: ReturnType<typeof createTempStore>) => t.store.kv.get<ReloadRecord>(CONFIG_LAST_RELOAD_KEY);

describe('live config', () => {
  it('applies a change of keys that apply while running, and records the new hash and the keys', async () => {
    const { dir, live, t } = await setup({ 'local.json': momentum({ minChangePct: 3 }) });
    const before = live.current().hash;
    expect(t.store.kv.get<ConfigInForce>(CONFIG_IN_FORCE_KEY)).toMatchObject({ hash: before, pid: process.pid });

    writeFileSync(join(dir, 'local.json'), JSON.stringify({ ...momentum({ minChangePct: 4 }), scan: { topN: 12 } }));
    const r = await live.reload('SIGHUP');
    expect(r).toMatchObject({
      status: 'applied', previousHash: before, changed: ['scan.topN', 'strategies.momentum-volume.params.minChangePct'], trigger: 'SIGHUP',
    });
    expect(live.current().config.strategies['momentum-volume']?.params).toEqual({ minChangePct: 4 });
    expect(live.current().hash).toBe(r.hash);
    expect(r.hash).not.toBe(before);
    expect(lastRecord(t)).toEqual(r);
    expect(t.store.kv.get<ConfigInForce>(CONFIG_IN_FORCE_KEY)?.hash).toBe(r.hash);

    expect(await live.reload('SIGHUP')).toMatchObject({ status: 'unchanged', hash: r.hash });
  });

  it('tells who asked what is in force after an applied change, and only then', async () => {
    const applied: string[][] = [];
    const { dir, live } = await setup({}, applied);
    writeFileSync(join(dir, 'local.json'), JSON.stringify({ strategies: { gaps: { use: 'gap-and-go' } } }));
    expect((await live.reload('SIGHUP')).status).toBe('applied');
    writeFileSync(join(dir, 'local.json'), JSON.stringify({ risk: { maxPositions: 'two' } }));
    expect((await live.reload('SIGHUP')).status).toBe('rejected');
    expect(await live.reload('SIGHUP')).toMatchObject({ status: 'rejected' });
    expect(applied).toEqual([['gaps']]);
  });

  it('names the positions of a strategy the config no longer has', async () => {
    const { live } = await setup();
    const A = stockCode('005930');
    const B = stockCode('000660');
    const position = (symbol: typeof A, qty: number) => ({ symbol, qty: shares(qty), cost: krw(qty * 70_000), avgPrice: krw(70_000), realizedPnl: krw(0) });
    const origin = (strategy: string | null): PositionOrigin => ({ openedDate: '20261207' as PositionOrigin['openedDate'], openingOrderId: 1, strategy });
    const origins = new Map([[A, origin('hot')], [B, origin('momentum-volume')]]);
    expect(positionsWithoutStrategy([position(A, 10), position(B, 5)], origins, live.current().strategies)).toEqual([{ symbol: A, strategy: 'hot' }]);
    // sold out: nothing left behind
    expect(positionsWithoutStrategy([position(A, 0)], origins, live.current().strategies)).toEqual([]);
  });

  it('rejects a change whose strategies do not resolve, naming the param, and keeps the strategies in force', async () => {
    const { dir, live } = await setup();
    const before = live.current();
    expect(before.strategies.map((x) => x.id)).toEqual(['momentum-volume']);
    writeFileSync(join(dir, 'local.json'), JSON.stringify({
      ...momentum({ minChangePct: 99 }), strategies: { 'momentum-volume': { params: { minChangePct: 99 } }, extra: { use: 'no-such-strategy' } },
    }));
    const r = await live.reload('SIGHUP');
    expect(r.status).toBe('rejected');
    expect(r.problems).toEqual([
      expect.stringMatching(/^strategies\.momentum-volume\.params\.minChangePct: must be at most 30/),
      expect.stringMatching(/^strategies\.extra\.use: unknown strategy "no-such-strategy"/),
    ]);
    expect(live.current()).toBe(before);
  });

  it('rejects an invalid edit with every problem named and keeps the config in force', async () => {
    const { dir, live, t } = await setup();
    const before = live.current();
    writeFileSync(join(dir, 'local.json'), JSON.stringify({ risk: { maxPositions: 'two' }, scan: { topN: -1 } }));
    const r = await live.reload('SIGHUP');
    expect(r.status).toBe('rejected');
    expect(r.hash).toBe(before.hash);
    expect(r.problems?.join('\n')).toContain('risk.maxPositions');
    expect(r.problems?.join('\n')).toContain('scan.topN');
    expect(live.current()).toBe(before);
    expect(lastRecord(t)).toEqual(r);
  });

  it('refuses the whole change when a restart-only key changed, hot keys with it included', async () => {
    const { dir, live } = await setup();
    const before = live.current();
    writeFileSync(join(dir, 'local.json'), JSON.stringify({ store: { path: 'elsewhere.sqlite' }, risk: { maxPositions: 2 } }));
    const r = await live.reload('SIGHUP');
    expect(r).toMatchObject({ status: 'restart-required', hash: before.hash, restartKeys: ['store.path'], changed: ['risk.maxPositions', 'store.path'] });
    expect(live.current()).toBe(before);
  });

  it('a mode and credentials change in .env needs a restart', async () => {
    const { dir, live } = await setup({ 'default.json': { kis: { watchlist: ['005930'] } } });
    writeFileSync(join(dir, '.env'), 'KIS_TRADER_MODE=paper\nKIS_APP_KEY=PSappkeyVALUE0001\nKIS_APP_SECRET=appsecretVALUE0002\nKIS_ACCOUNT=50012345-01\n');
    const r = await live.reload('SIGHUP');
    expect(r.status).toBe('restart-required');
    expect(r.restartKeys).toContain('mode');
    expect(r.restartKeys).toContain('secrets');
  });

  it('watches the directory: a file saved by rename over the old one is reloaded', async () => {
    const { dir, live, t } = await setup();
    live.watch([{ dir, names: ['default.json', 'sim.json', 'local.json'] }]);
    // how many editors save: a new file renamed over the old one
    writeFileSync(join(dir, 'local.json.tmp'), JSON.stringify({ risk: { maxPositions: 3 } }));
    renameSync(join(dir, 'local.json.tmp'), join(dir, 'local.json'));
    const r = await waitFor(() => { const x = lastRecord(t); return x?.status === 'applied' ? x : undefined; }, 10_000, 'a reload after the rename');
    expect(r.trigger).toBe('file local.json');
    expect(r.changed).toEqual(['risk.maxPositions']);
    expect(live.current().config.risk.maxPositions).toBe(3);

    writeFileSync(join(dir, 'local.json'), JSON.stringify({ risk: { maxPositions: 4 } }));
    await waitFor(() => (live.current().config.risk.maxPositions === 4 ? true : undefined), 10_000, 'a reload after a write in place');
  });
});
