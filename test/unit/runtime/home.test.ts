import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { envFileVars, resolveHome } from '../../../src/runtime/index.js';

const INSTALL = '/opt/kis-trader';

describe('resolveHome', () => {
  it('is the install directory when nothing says otherwise, whatever the current directory', () => {
    expect(resolveHome({ env: {}, cwd: '/home/me', installDir: INSTALL })).toEqual({ root: INSTALL, configDir: `${INSTALL}/config`, source: 'the install directory' });
  });
  it('KIS_TRADER_HOME names the home, relative to the current directory', () => {
    expect(resolveHome({ env: { KIS_TRADER_HOME: 'trader' }, cwd: '/home/me', installDir: INSTALL }))
      .toMatchObject({ root: '/home/me/trader', configDir: '/home/me/trader/config' });
  });
  it('--config-dir beats KIS_TRADER_CONFIG_DIR; its parent is the home unless KIS_TRADER_HOME is set', () => {
    const env = { KIS_TRADER_CONFIG_DIR: '/etc/other' };
    expect(resolveHome({ env, cwd: '/home/me', configDirArg: 'cfg', installDir: INSTALL })).toMatchObject({ root: '/home/me', configDir: '/home/me/cfg' });
    expect(resolveHome({ env, cwd: '/home/me', installDir: INSTALL })).toMatchObject({ root: '/etc', configDir: '/etc/other' });
    expect(resolveHome({ env: { ...env, KIS_TRADER_HOME: '/srv/kt' }, cwd: '/', installDir: INSTALL })).toMatchObject({ root: '/srv/kt', configDir: '/etc/other' });
  });
});

describe('envFileVars', () => {
  const dirs: string[] = [];
  afterEach(() => { while (dirs.length) rmSync(dirs.pop()!, { recursive: true, force: true }); });
  const dir = () => { const d = mkdtempSync(join(tmpdir(), 'kis-env-')); dirs.push(d); return d; };

  it('gives the variables the environment does not set; the environment wins', () => {
    const d = dir();
    writeFileSync(join(d, '.env'), '# keys\nKIS_APP_KEY=abc\nKIS_TRADER_MODE=paper\nQUOTED="a b"\n');
    expect(envFileVars(d, { KIS_TRADER_MODE: 'sim' })).toEqual({ path: join(d, '.env'), vars: { KIS_APP_KEY: 'abc', QUOTED: 'a b' } });
  });
  it('no file, no variables', () => {
    expect(envFileVars(dir(), {})).toEqual({ path: null, vars: {} });
  });
});
