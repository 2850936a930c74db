import { cpSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { epochMs } from '../../src/domain/index.js';
import { openStore } from '../../src/store/index.js';
import { spawnCli, tempDir } from '../helpers/cli.js';
import { ROOT } from '../helpers/daemon.js';
import { writeFilledOrder } from '../helpers/trade-log-writer.js';

/**
 * `kis-trader backup --out FILE` as an operator runs it: the CLI spawned from another directory,
 * the installation named by KIS_TRADER_HOME (issue 11).
 */
/** A kis-trader home with the repo's config and, unless `orders` is null, a sim trade log with that many filled orders. */
function home(orders: number | null): { root: string; log: string } {
  const root = tempDir('kis-home-');
  cpSync(join(ROOT, 'config'), join(root, 'config'), { recursive: true });
  mkdirSync(join(root, 'data'));
  const log = join(root, 'data', 'sim.sqlite');
  if (orders !== null) {
    const store = openStore({ path: log, synchronous: 'NORMAL', clock: { now: () => epochMs(0) } });
    for (let n = 0; n < orders; n++) writeFilledOrder(store, n);
    store.close();
  }
  return { root, log };
}


describe('kis-trader backup', () => {
  it('writes a checked, owner-only copy to a path relative to where it runs, and refuses to overwrite it without --force', async () => {
    const h = home(3);
    const elsewhere = tempDir('kis-cwd-');
    const env = { KIS_TRADER_HOME: h.root };
    const copy = join(elsewhere, 'copy.sqlite');

    const r = await spawnCli(['backup', '--out', 'copy.sqlite'], elsewhere, env);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const size = statSync(copy).size;
    expect(r.out).toContain(`backing up sim · ${h.log}`);
    expect(r.out).toContain(`written: ${copy}`);
    expect(r.out).toMatch(new RegExp(`size: ${size} bytes \\(\\d+\\.\\d MiB\\), \\d+ pages of \\d+ bytes`));
    expect(r.out).toContain('checked: quick_check of the copy says ok');
    expect(statSync(copy).mode & 0o777).toBe(0o600);
    expect(readdirSync(elsewhere)).toEqual(['copy.sqlite']);
    const db = new Database(copy, { readonly: true });
    expect(db.prepare('SELECT count(*) AS n FROM fills').get()).toEqual({ n: 3 });
    db.close();

    const again = await spawnCli(['backup', '--out', copy], elsewhere, env);
    expect(again.code).toBe(1);
    expect(again.err).toContain(`${copy} exists: refusing to overwrite it (--force replaces it)`);
    expect(statSync(copy).size).toBe(size);

    const forced = await spawnCli(['backup', '--out', copy, '--force'], elsewhere, env);
    expect(forced.err).toBe('');
    expect(forced.code).toBe(0);
    expect(forced.out).toContain(`written: ${copy}`);
  }, 60_000);

  it('names the missing trade log, and the missing target directory', async () => {
    const empty = home(null);
    const elsewhere = tempDir('kis-cwd-');
    const none = await spawnCli(['backup', '--out', 'x.sqlite'], elsewhere, { KIS_TRADER_HOME: empty.root });
    expect(none.code).toBe(1);
    expect(none.err).toContain(`no trade log at ${empty.log}`);
    expect(readdirSync(elsewhere)).toEqual([]);

    const h = home(1);
    const missing = join(elsewhere, 'nope');
    const noDir = await spawnCli(['backup', '--out', join(missing, 'x.sqlite')], elsewhere, { KIS_TRADER_HOME: h.root });
    expect(noDir.code).toBe(1);
    expect(noDir.err).toContain(`cannot back up to ${join(missing, 'x.sqlite')}: the directory ${missing} does not exist`);
  }, 60_000);

  it('says what is missing without --out', async () => {
    const h = home(1);
    const r = await spawnCli(['backup'], h.root, { KIS_TRADER_HOME: h.root });
    expect(r.code).not.toBe(0);
    expect(r.err).toContain("required option '--out <file>' not specified");
  }, 30_000);
});
