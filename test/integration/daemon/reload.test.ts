import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../../../src/config/index.js';
import { tradingDate } from '../../../src/domain/index.js';
import { daemonEnv, readRows, ROOT, spawnDaemon, startSharedSim, waitFor } from '../../helpers/daemon.js';

/**
 * Issue 10 §3: the config of a running sim daemon changes without a restart. A strategy threshold
 * edited in local.json shows in the next decisions' config hash; an invalid edit and a change of a
 * restart-only key are refused while trading goes on; SIGHUP reloads and does not end the daemon;
 * `kis-trader reload` prints the outcome.
 */
const DATE = tradingDate('20261126');
const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Run { code: number | null; out: string; err: string }

function cli(args: string[], env: Record<string, string>): Promise<Run> {
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), join(ROOT, 'src', 'cli', 'main.ts'), ...args], {
    cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, out, err })));
}

interface DecisionRow { id: number; config_hash: string }

describe('reloading the config of a running daemon', () => {
  it('applies a threshold change to the next decisions, refuses invalid and restart-only edits, survives SIGHUP', async () => {
    const h = await startSharedSim({ date: DATE, hhmmss: '100000', speed: 60 });
    const home = mkdtempSync(join(tmpdir(), 'kis-reload-'));
    cpSync(join(ROOT, 'config'), join(home, 'config'), { recursive: true });
    const d = daemonEnv(h, inject('redisUrl'), { KIS_TRADER_CONFIG_DIR: join(home, 'config') });
    // store.path comes from local.json here, so that the test can change it there
    delete d.env.KIS_TRADER__STORE__PATH;
    cleanups.push(() => h.stop(), () => d.cleanup(), () => rmSync(home, { recursive: true, force: true }));
    const local = join(home, 'config', 'local.json');
    const write = (strategy: Record<string, unknown>, more: Record<string, unknown> = {}): void => {
      const strategies = { 'momentum-volume': { params: { maxChangePct: 30, ...strategy } } };
      writeFileSync(local, JSON.stringify({ store: { path: d.dbPath }, strategies, ...more }, null, 2));
    };
    const hashNow = (): string => loadConfig({ dir: join(home, 'config'), env: d.env }).hash;
    const decisions = (): DecisionRow[] => readRows<DecisionRow>(d.dbPath, 'SELECT id, config_hash FROM decisions ORDER BY id');
    const decisionAfter = (id: number, what: string): Promise<DecisionRow> =>
      waitFor(() => decisions().find((r) => r.id > id), 60_000, what);
    const lastId = (): number => decisions().at(-1)?.id ?? 0;

    // no entries (a 29 % move is rare), but every candidate's evaluation is a decision row
    write({ minChangePct: 29 });
    const first = hashNow();
    const p = spawnDaemon(d.env);
    cleanups.push(async () => { if (p.child.exitCode === null && p.child.signalCode === null) { p.child.kill('SIGKILL'); await p.exited; } });
    await p.waitForLog((l) => l['msg'] === 'kis-trader ready');
    expect((await decisionAfter(0, 'a first decision')).config_hash).toBe(first);

    // a valid change of a strategy threshold: logged with its keys and hash, in the next decisions
    write({ minChangePct: 28 });
    const second = hashNow();
    expect(second).not.toBe(first);
    const reloaded = await p.waitForLog((l) => l['msg'] === 'config reloaded');
    expect(reloaded).toMatchObject({ hash: second, previousHash: first, changed: ['strategies.momentum-volume.params.minChangePct'] });
    const atReload = lastId();
    await waitFor(() => decisions().find((r) => r.id > atReload && r.config_hash === second), 60_000, 'a decision on the new config');

    // an invalid edit: rejected with the key named, trading goes on with the config in force
    write({ minChangePct: 'lots' });
    const rejected = await p.waitForLog((l) => l['msg'] === 'config reload rejected: the config in force stays');
    expect(JSON.stringify(rejected['problems'])).toContain('strategies.momentum-volume.params.minChangePct: expected a number');
    const afterRejected = await decisionAfter(lastId(), 'a decision after the rejected edit');
    expect(afterRejected.config_hash).toBe(second);

    // a restart-only key: refused whole, the hot key changed with it included
    write({ minChangePct: 27 }, { store: { path: join(d.dir, 'other.sqlite') } });
    const refused = await p.waitForLog((l) => typeof l['msg'] === 'string' && l['msg'].startsWith('config change refused'));
    expect(refused).toMatchObject({ hash: second, restartKeys: ['store.path'], changed: ['store.path', 'strategies.momentum-volume.params.minChangePct'] });
    expect(String(refused['msg'])).toContain('restart kis-trader to apply');
    expect((await decisionAfter(lastId(), 'a decision after the refused edit')).config_hash).toBe(second);

    // SIGHUP reloads (here: the file as the refused edit left it) and does not end the daemon
    p.child.kill('SIGHUP');
    await p.waitForLog((l) => l['msg'] === 'SIGHUP: reloading config');
    await p.waitForLog((l) => l['trigger'] === 'SIGHUP' && typeof l['msg'] === 'string' && l['msg'].startsWith('config change refused'));
    expect((await decisionAfter(lastId(), 'a decision after SIGHUP')).config_hash).toBe(second);
    expect(p.child.exitCode).toBeNull();

    // `kis-trader reload` prints the outcome of its SIGHUP
    write({ minChangePct: 26 });
    const third = hashNow();
    const r = await cli(['reload'], d.env);
    expect(r.err).toBe('');
    expect(r.out).toContain(`sent SIGHUP to the daemon (pid ${p.child.pid})`);
    // the file watch may have applied it first: then the SIGHUP finds it unchanged
    expect(r.out).toMatch(new RegExp(`config reloaded: hash ${third}|config unchanged: hash ${third} is in force`));
    expect(r.code).toBe(0);
    expect((await waitFor(() => decisions().find((x) => x.config_hash === third), 60_000, 'a decision on the third config')).config_hash).toBe(third);
    // what the operator sees: `kis-trader decisions` names the strategy and the config hash of each
    const listed = await cli(['decisions', '--strategy', 'momentum-volume'], d.env);
    expect(listed.code).toBe(0);
    expect(listed.out).toMatch(/decisions on \d{8} of momentum-volume: \d+/);
    expect(listed.out).toContain(third);
    expect(listed.out).toContain(first);

    const status = await cli(['status'], d.env);
    expect(status.out).toContain(`config: hash ${third}, in force since`);

    // an invalid strategy param: the daemon rejects it, and the CLI prints every problem
    write({ minChangePct: 'lots' });
    const bad = await cli(['reload'], d.env);
    expect(bad.code).toBe(1);
    expect(bad.out + bad.err).toContain('strategies.momentum-volume.params.minChangePct');

    p.child.kill('SIGTERM');
    expect((await p.exited).code).toBe(0);
    write({ minChangePct: 26 });
    const none = await cli(['reload'], d.env);
    expect(none.code).toBe(1);
    expect(none.err).toContain('no daemon runs on');
  }, 240_000);
});
