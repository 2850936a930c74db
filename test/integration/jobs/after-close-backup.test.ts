import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/index.js';
import { epochMs, krw, kstInstant, silentLogger, tradingDate } from '../../../src/domain/index.js';
import type { MarketData, TradingDate } from '../../../src/domain/index.js';
import { runAfterClose } from '../../../src/jobs/index.js';
import type { AfterCloseDeps } from '../../../src/jobs/index.js';
import type { ReconcileSummary } from '../../../src/orders/index.js';
import { keepDailyBackup } from '../../../src/store/index.js';
import type { Store } from '../../../src/store/index.js';
import { ROOT } from '../../helpers/daemon.js';
import { createTempStore } from '../../helpers/temp-store.js';
import { writeFilledOrder } from '../../helpers/trade-log-writer.js';
import { PAPER_ENV } from '../../unit/config/config-dir.js';

/**
 * The after-close job's daily copy of the trade log (issue 11): once per trading day, old ones
 * pruned, and a failing copy never fails the job. The job runs on a real store; only the broker
 * side (the final reconcile, bars) is a stand-in, with nothing held or evaluated to backfill.
 */
const closeOf = (date: TradingDate) => epochMs(kstInstant(date, '154500'));

function deps(store: Store, backup: AfterCloseDeps['backup']): AfterCloseDeps {
  const summary: ReconcileSummary = {
    dates: [], linked: 0, fills: 0, statusChanges: 0, failed: 0, adopted: 0, anomalies: [],
    account: { holdings: [], cash: krw(0), settledCash: krw(0), totalValue: krw(0), at: epochMs(0) },
  };
  const market = new Proxy({}, { get: () => () => { throw new Error('no bars to backfill in this test'); } }) as MarketData;
  return {
    orders: store.orders, fills: store.fills, positions: store.positions, dailySummaries: store.dailySummaries,
    decisions: store.decisions, bars: store.bars, kv: store.kv, configHash: 'cfg',
    market, clock: { now: () => epochMs(0) }, log: silentLogger, desk: { reconcile: () => Promise.resolve(summary) },
    ...(backup ? { backup } : {}),
  };
}

describe('the after-close daily backup', () => {
  it('writes the day once, prunes copies older than keepDays, and holds the whole day', async () => {
    const t = createTempStore();
    const dir = join(t.dir, 'data', 'backups');
    const backup = (date: TradingDate) => keepDailyBackup(t.store.db, { dir, mode: 'paper', date, keepDays: 2 });
    const d1 = tradingDate('20261201');
    writeFilledOrder(t.store, 1);
    await runAfterClose(deps(t.store, backup), { at: closeOf(d1) });
    const first = join(dir, 'paper-20261201.sqlite');
    const firstMtime = statSync(first).mtimeMs;
    // a restart after the close runs the job again: the copy stays
    writeFilledOrder(t.store, 2);
    await runAfterClose(deps(t.store, backup), { at: closeOf(d1) });
    expect(statSync(first).mtimeMs).toBe(firstMtime);
    expect(readdirSync(dir)).toEqual(['paper-20261201.sqlite']);

    for (const d of ['20261202', '20261203', '20261204']) await runAfterClose(deps(t.store, backup), { at: closeOf(tradingDate(d)) });
    // keepDays 2 on 20261204: 20261202 is kept, 20261201 is gone
    expect(readdirSync(dir).sort()).toEqual(['paper-20261202.sqlite', 'paper-20261203.sqlite', 'paper-20261204.sqlite']);

    // the copy is taken after the job's own writes: it holds the day's after-close marker
    const copy = t.reopen().db;
    copy.exec(`ATTACH '${join(dir, 'paper-20261204.sqlite')}' AS b`);
    expect(copy.prepare("SELECT value FROM b.kv WHERE key = 'after-close.20261204'").get()).toEqual({ value: 'true' });
    copy.exec('DETACH b');
  });

  it('a failing backup is logged, and the job finishes its own work', async () => {
    const t = createTempStore();
    const notADir = join(t.dir, 'file');
    writeFileSync(notADir, '');
    const backup = (date: TradingDate) => keepDailyBackup(t.store.db, { dir: notADir, mode: 'live', date, keepDays: 14 });
    await runAfterClose(deps(t.store, backup), { at: closeOf(tradingDate('20261201')) });
    expect(t.store.kv.get('after-close.20261201')).toBe(true);
  });

  it('without a backup (store.backups.enabled false) writes none', async () => {
    const t = createTempStore();
    await runAfterClose(deps(t.store, undefined), { at: closeOf(tradingDate('20261201')) });
    expect(existsSync(join(t.dir, 'data', 'backups'))).toBe(false);
  });
});

describe('store.backups.dir', () => {
  it('with each shipped mode config, puts the daily copies where the start-up check of a damaged log looks', () => {
    const root = resolve('/srv/kis');
    const env = { ...PAPER_ENV, KIS_LIVE_CONFIRM: 'I_UNDERSTAND' };
    for (const mode of ['sim', 'paper', 'live'] as const) {
      const { config } = loadConfig({ dir: join(ROOT, 'config'), env, argvMode: mode });
      const storePath = resolve(root, config.store.path);
      // runtime/jobs.ts: relative to the installation, as store.path is
      const dir = resolve(root, config.store.backups.dir);
      // store/open.ts latestBackup: any file in the backups/ folder beside the trade log
      expect(dir, mode).toBe(join(dirname(storePath), 'backups'));
      expect(config.store.backups.enabled, mode).toBe(true);
    }
  });
});
