import { afterEach, describe, expect, inject, it } from 'vitest';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { krw, systemClock, tradingDate } from '../../../src/domain/index.js';
import { openStore, sealTokenStore } from '../../../src/store/index.js';
import { daemonEnv, spawnDaemon, startSharedSim } from '../../helpers/daemon.js';

/**
 * Issue 9 item 12: a daemon in paper mode with its own (non-default) keys, trading the simulator
 * over HTTP, for a full start-up, scan and reconcile. Nothing it writes, not a log line at debug
 * level and not a byte of its SQLite files, may contain the access token, the app key, the app
 * secret or the full account number; and what it creates is owner-only.
 */
const DATE = tradingDate('20261126');
const APP_KEY = 'PSx7Tq2LmZ9vB4nK8wR1cY6hJ3dF5gA0sE2u';
const APP_SECRET = ('Qm3Zr8Tk1Vx6Pw2Ls9Hc4Nb7Jd5Fg0YaUe' + 'x9R/t2K+w5M'.repeat(20)).slice(0, 180);
const ACCOUNT = '73914682-07';
const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const mode = (p: string): number => statSync(p).mode & 0o777;

describe('secrets and files at rest', () => {
  it('a paper-mode run leaves no token, key, secret or account number in its logs or database, and owner-only files', async () => {
    const h = await startSharedSim({
      date: DATE, hhmmss: '103000', env: 'paper',
      credentials: [{ appKey: APP_KEY, appSecret: APP_SECRET, account: ACCOUNT, initialCash: krw(50_000_000) }],
    });
    cleanups.push(() => h.stop());
    const d0 = daemonEnv(h, inject('redisUrl'));
    cleanups.push(() => d0.cleanup());
    // a data folder from before files were owner-only
    const dataDir = join(d0.dir, 'data');
    mkdirSync(dataDir, { mode: 0o755 });
    chmodSync(dataDir, 0o755);
    const dbPath = join(dataDir, 'kis-trader.sqlite');
    const watch = h.sim.market.symbols().slice(0, 3).map((s) => s.code).join(',');
    const env: Record<string, string> = {
      ...d0.env,
      KIS_TRADER_MODE: 'paper', KIS_TRADER__KIS__BASE_URL: h.url, KIS_TRADER__KIS__WATCHLIST: watch,
      KIS_APP_KEY: APP_KEY, KIS_APP_SECRET: APP_SECRET, KIS_ACCOUNT: ACCOUNT,
      KIS_TRADER__DATA_DIR: dataDir, KIS_TRADER__STORE__PATH: dbPath, KIS_TRADER__LOG__LEVEL: 'debug',
      // an eager strategy, so the run goes through orders and fills too
      KIS_TRADER__STRATEGIES__MOMENTUM_VOLUME__PARAMS__MIN_CHANGE_PCT: '-30', KIS_TRADER__STRATEGIES__MOMENTUM_VOLUME__PARAMS__MAX_CHANGE_PCT: '30',
      KIS_TRADER__STRATEGIES__MOMENTUM_VOLUME__PARAMS__MIN_VOLUME_RATIO: '0.01', KIS_TRADER__STRATEGIES__MOMENTUM_VOLUME__PARAMS__REQUIRE_ABOVE_MA: 'false',
    };
    delete env['KIS_TRADER_SIM_URL'];
    // its own private redis-server under data/redis, whose AOF must be owner-only too
    delete env['REDIS_URL'];

    const p = spawnDaemon(env);
    cleanups.push(async () => { if (p.child.exitCode === null && p.child.signalCode === null) { p.child.kill('SIGKILL'); await p.exited; } });
    await p.waitForLog((l) => l['msg'] === 'kis-trader ready', 60_000);
    await p.waitForLog((l) => l['msg'] === 'fill recorded', 60_000);
    expect(p.lines.some((l) => l['msg'] === 'KIS access token issued')).toBe(true);

    // owner-only while it runs: the folder it found at 0755, the database and its WAL files
    expect(mode(dataDir)).toBe(0o700);
    for (const f of [dbPath, `${dbPath}-wal`, `${dbPath}-shm`]) expect(mode(f), f).toBe(0o600);

    const dbBytes = [dbPath, `${dbPath}-wal`].filter(existsSync).map((f) => readFileSync(f).toString('latin1'));
    p.child.kill('SIGINT');
    expect((await p.exited).code).toBe(0);
    dbBytes.push(readFileSync(dbPath).toString('latin1'));

    // after the run, everything under data/ (the database, the private Redis' AOF and record) is owner-only
    const walk = (dir: string): string[] => readdirSync(dir, { withFileTypes: true })
      .flatMap((e) => (e.isDirectory() ? [join(dir, e.name), ...walk(join(dir, e.name))] : [join(dir, e.name)]));
    const everything = walk(dataDir);
    expect(everything.some((f) => f.includes('appendonly')), everything.join(', ')).toBe(true);
    for (const f of everything) expect(mode(f), f).toBe(statSync(f).isDirectory() ? 0o700 : 0o600);

    // the token, as only the app secret can open it
    const store = openStore({ path: dbPath, synchronous: 'FULL', clock: systemClock });
    const keys = (store.db.prepare('SELECT key FROM kis_tokens WHERE token IS NOT NULL').all() as { key: string }[]).map((r) => r.key);
    expect(keys).toHaveLength(1);
    const token = sealTokenStore(store.tokens, APP_SECRET).load(keys[0]!)?.token;
    store.close();
    expect(token).toMatch(/^eyJ/);

    const logs = [...p.lines.map((l) => JSON.stringify(l)), ...p.stderr].join('\n');
    const secrets = { token: token!, appKey: APP_KEY, appSecret: APP_SECRET, account: ACCOUNT, accountUndashed: ACCOUNT.replace('-', ''), cano: ACCOUNT.slice(0, 8) };
    for (const [name, value] of Object.entries(secrets)) {
      expect(logs.includes(value), `${name} in the logs`).toBe(false);
      dbBytes.forEach((bytes, i) => expect(bytes.includes(value), `${name} in database file #${i}`).toBe(false));
      // every file under data/ after the run: the private Redis' AOF holds its keys and values (the shared token among them)
      for (const f of everything.filter((e) => statSync(e).isFile())) {
        const t = readFileSync(f).toString('latin1'); const at = t.indexOf(value);
        expect(at < 0, `${name} in ${f} at ${at}: ${JSON.stringify(t.slice(Math.max(0, at - 200), at + 60))}`).toBe(true);
      }
    }
    // and the AOF read above is the real thing: the token shared through Redis (sealed) is in it
    const aof = everything.filter((f) => f.includes('appendonly') && statSync(f).isFile()).map((f) => readFileSync(f).toString('latin1')).join('');
    expect(aof).toMatch(/token/);
  }, 120_000);
});
