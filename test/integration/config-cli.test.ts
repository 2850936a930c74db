import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, it } from 'vitest';
import { EXIT_CONFIG, registerConfigCommands } from '../../src/cli/config-command.js';
import { configFileProblems } from '../../src/cli/compose.js';

class Exit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

const dirs: string[] = [];
afterEach(() => {
  while (dirs.length > 0) rmSync(dirs.pop()!, { recursive: true, force: true });
});

/** A project directory whose config/ holds the given files (strings verbatim, else JSON). */
function project(files: Record<string, unknown>): string {
  const root = mkdtempSync(join(tmpdir(), 'kis-cli-'));
  dirs.push(root);
  mkdirSync(join(root, 'config'));
  for (const [name, content] of Object.entries(files)) {
    writeFileSync(join(root, 'config', name), typeof content === 'string' ? content : JSON.stringify(content));
  }
  return root;
}

async function run(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}, checkFiles = false) {
  const out: string[] = [];
  const err: string[] = [];
  const program = new Command('kis-trader').exitOverride();
  registerConfigCommands(program, {
    env,
    cwd,
    out: (s) => out.push(s),
    err: (s) => err.push(s),
    exit: (code) => {
      throw new Exit(code);
    },
    ...(checkFiles ? { checkFiles: (l) => configFileProblems(l, env, cwd) } : {}),
  });
  let code = 0;
  try {
    await program.parseAsync(['node', 'kis-trader', ...args]);
  } catch (e) {
    if (!(e instanceof Exit)) throw e;
    code = e.code;
  }
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('kis-trader config check', () => {
  it('exits 78 and names the mistyped key with a suggestion', async () => {
    const root = project({ 'default.json': {}, 'local.json': { risk: { maxPositons: 3 }, scan: { topN: 'ten' } } });
    const r = await run(['config', 'check'], root);
    expect(r.code).toBe(EXIT_CONFIG);
    expect(r.code).toBe(78);
    const lines = r.err.split('\n');
    expect(lines).toContain(`risk.maxPositons: unrecognized key (did you mean maxPositions?) (in ${root}/config/local.json)`);
    expect(lines).toContain(`scan.topN: expected a number, got string (in ${root}/config/local.json)`);
    expect(r.out).toBe('');
  });

  it('prints OK with the mode, the hash and the sources', async () => {
    const root = project({ 'default.json': {}, 'sim.json': { schedule: { scanEveryMinutes: 1 } } });
    const r = await run(['config', 'check'], root);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^config OK \(mode sim, hash [0-9a-f]{16}\)/);
    expect(r.out).toContain(`${root}/config/default.json`);
    expect(r.out).toContain(`${root}/config/sim.json`);
  });

  it('takes --dir relative to the working directory and --mode', async () => {
    const root = project({ 'default.json': {} });
    const r = await run(['config', 'check', '--dir', 'config', '--mode', 'live'], root, { KIS_APP_KEY: 'k-0001' });
    expect(r.code).toBe(78);
    expect(r.err).toContain('KIS_APP_SECRET: missing; live mode needs it in the environment');
    expect(r.err).toContain('KIS_LIVE_CONFIRM:');
  });

  it('reports invalid JSON with its position', async () => {
    const root = project({ 'default.json': '{ "risk": { "maxPositions": 3, } }' });
    const r = await run(['config', 'check'], root);
    expect(r.code).toBe(78);
    expect(r.err).toMatch(/default\.json: invalid JSON at line 1, column 32/);
  });
});

describe('kis-trader config check: the calendar file (what the daemon would refuse at start)', () => {
  const repoCalendar = readFileSync(join(import.meta.dirname, '../../config/krx-calendar.json'), 'utf8');
  const calendarPath = (root: string) => join(root, 'config', 'krx-calendar.json');

  it('passes the repository calendar', async () => {
    const root = project({ 'default.json': {}, 'krx-calendar.json': repoCalendar });
    const r = await run(['config', 'check'], root, {}, true);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
  });

  const defects: [string, (root: string) => void, RegExp][] = [
    ['a missing file', () => undefined, /missing/],
    ['a directory instead of a file', (root) => { mkdirSync(calendarPath(root)); }, /cannot read the file \(EISDIR\)/],
    ['invalid JSON', (root) => { writeFileSync(calendarPath(root), '{ "coveredYears": [2026], }'); }, /invalid JSON at line 1/],
    ['invalid content', (root) => { writeFileSync(calendarPath(root), JSON.stringify({ coveredYears: [2026, 2027], holidays: 'none', specialSessions: [] })); }, /"holidays" must be an array/],
    ['a special session with impossible hours', (root) => {
      writeFileSync(calendarPath(root), JSON.stringify({ coveredYears: [2026, 2027], holidays: [], specialSessions: [{ date: '2026-11-19', open: '15:25', reason: 'test' }] }));
    }, /special session 20261119/],
    ['no data for the year the daemon would trade', (root) => {
      writeFileSync(calendarPath(root), JSON.stringify({ coveredYears: [2019], holidays: [], specialSessions: [] }));
    }, /no KRX holiday data for 20\d\d/],
  ];
  for (const [what, write, reason] of defects) {
    it(`refuses ${what} with exit 78, naming the file`, async () => {
      const root = project({ 'default.json': {} });
      write(root);
      const r = await run(['config', 'check'], root, {}, true);
      expect(r.code).toBe(78);
      expect(r.err).toContain(`market.calendarFile: ${calendarPath(root)}: `);
      expect(r.err).toMatch(reason);
      expect(r.out).toBe('');
    });
  }

  it('checks the live/paper day against the system date', async () => {
    const root = project({ 'default.json': {}, 'krx-calendar.json': { coveredYears: [2019], holidays: [], specialSessions: [] } });
    const r = await run(['config', 'check', '--mode', 'paper'], root, { KIS_APP_KEY: 'k', KIS_APP_SECRET: 's', KIS_ACCOUNT: '50000000-01', KIS_TRADER__KIS__WATCHLIST: '["005930"]' }, true);
    expect(r.code).toBe(78);
    expect(r.err).toContain(`market.calendarFile: ${calendarPath(root)}: no KRX holiday data`);
  });
});

describe('kis-trader config show', () => {
  const env = {
    KIS_APP_KEY: 'PSshowKeyValue0001',
    KIS_APP_SECRET: 'showSecretValue0002',
    KIS_ACCOUNT: '50011111-01',
    REDIS_URL: 'redis://u:pw-secret-3@127.0.0.1:6379',
  };

  it('prints the merged config and hash, secrets only as [set]/[missing]', async () => {
    const root = project({ 'default.json': {}, 'local.json': { risk: { maxPositions: 2 } } });
    const r = await run(['config', 'show'], root, env);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^mode sim, hash [0-9a-f]{16}/);
    expect(r.out).toContain('* risk.maxPositions = 2');
    expect(r.out).toContain('  risk.maxOrdersPerDay = 20');
    expect(r.out).toContain('KIS_APP_KEY = [set]');
    expect(r.out).toContain('KIS_HTS_ID = [missing]');
    for (const value of Object.values(env)) expect(r.out).not.toContain(value);
    expect(r.out).not.toContain('pw-secret-3');
  });

  it('prints JSON with --json', async () => {
    const root = project({ 'default.json': {}, 'paper.json': { kis: { watchlist: ['005930'] } } });
    const r = await run(['config', 'show', '--json', '--mode', 'paper'], root, env);
    expect(r.code).toBe(0);
    const view = JSON.parse(r.out) as { mode: string; hash: string; config: { kis: { watchlist: string[] } }; secrets: Record<string, string> };
    expect(view.mode).toBe('paper');
    expect(view.hash).toMatch(/^[0-9a-f]{16}$/);
    expect(view.config.kis.watchlist).toEqual(['005930']);
    expect(view.secrets['KIS_ACCOUNT']).toBe('[set]');
    for (const value of Object.values(env)) expect(r.out).not.toContain(value);
  });

  it('exits 78 on an invalid config', async () => {
    const root = project({ 'default.json': { risk: { maxDailyLossPct: 50 } } });
    const r = await run(['config', 'show'], root);
    expect(r.code).toBe(78);
    expect(r.err).toContain('risk.maxDailyLossPct: must be at most 10');
  });
});
