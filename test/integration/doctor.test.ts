import { randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { loadCliConfig } from '../../src/cli/compose.js';
import { registerDoctorCommand } from '../../src/cli/doctor.js';
import { systemClock } from '../../src/domain/index.js';
import { SIM_DEFAULT_CREDENTIALS } from '../../src/sim/index.js';
import { startSim } from './kis/sim-harness.js';

/**
 * `kis-trader doctor` (issue 9 item 10) against the real simulator over HTTP, a real Redis and
 * a temp project directory holding the repository's config: every check ok and exit 0 when all
 * is well; FAIL lines and a non-zero exit for an unreachable Redis or keys KIS refuses.
 */
class Exit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function project(): string {
  const root = mkdtempSync(join(tmpdir(), 'kis-doctor-'));
  cleanups.push(() => rmSync(root, { recursive: true, force: true }));
  cpSync(join(import.meta.dirname, '../../config'), join(root, 'config'), { recursive: true });
  return root;
}

async function doctor(root: string, env: Record<string, string>): Promise<{ code: number; lines: string[]; err: string }> {
  const lines: string[] = [];
  const err: string[] = [];
  const program = new Command('kis-trader').exitOverride();
  const full = { PATH: process.env.PATH ?? '', KIS_TRADER__REDIS__PREFIX: `t-${randomUUID().slice(0, 8)}`, ...env };
  registerDoctorCommand(program, {
    env: full, cwd: root, load: (e) => loadCliConfig(e, root),
    out: (s) => lines.push(s), err: (s) => err.push(s),
    exit: (code) => { throw new Exit(code); },
  });
  let code = 0;
  try {
    await program.parseAsync(['node', 'kis-trader', 'doctor']);
  } catch (e) {
    if (!(e instanceof Exit)) throw e;
    code = e.code;
  }
  return { code, lines, err: err.join('\n') };
}

const line = (lines: string[], check: string): string | undefined =>
  lines.find((l) => l.startsWith(`ok  ${check}  `) || l.startsWith(`FAIL ${check} `));

describe('kis-trader doctor', () => {
  it('sim mode: every check ok, exit 0; a second run reuses the token it issued', async () => {
    const root = project();
    const env = { REDIS_URL: inject('redisUrl') };
    const first = await doctor(root, env);
    expect(first.lines.filter((l) => !l.startsWith('ok  '))).toEqual([]);
    expect(first.code).toBe(0);
    for (const check of ['config', 'secrets', 'calendar', 'redis', 'dns', 'tls', 'http', 'clock', 'token', 'read', 'account']) {
      expect(line(first.lines, check), check).toMatch(/^ok {2}/);
    }
    expect(line(first.lines, 'token')).toContain('issued');
    expect(line(first.lines, 'read')).toMatch(/inquire-price 005930: [\d,]+ won/);

    const second = await doctor(root, env);
    expect(second.code).toBe(0);
    expect(line(second.lines, 'token')).toContain('reused from the store');
  });

  it('Redis at a closed port: FAIL redis with what to do, exit non-zero', async () => {
    const r = await doctor(project(), { REDIS_URL: 'redis://127.0.0.1:1' });
    expect(line(r.lines, 'redis')).toMatch(/^FAIL redis redis:\/\/127\.0\.0\.1:1 does not answer: start Redis/);
    expect(r.code).not.toBe(0);
    // the other checks still ran
    expect(line(r.lines, 'account')).toMatch(/^ok {2}/);
  });

  describe('live mode against the simulator as KIS', () => {
    async function live(appKey: string, extra: Record<string, string> = {}) {
      const { sim, url } = await startSim('live', systemClock);
      cleanups.push(() => sim.stop());
      return doctor(project(), {
        KIS_TRADER_MODE: 'live', KIS_TRADER__KIS__BASE_URL: url, REDIS_URL: inject('redisUrl'),
        KIS_APP_KEY: appKey, KIS_APP_SECRET: SIM_DEFAULT_CREDENTIALS.appSecret, KIS_ACCOUNT: SIM_DEFAULT_CREDENTIALS.account,
        KIS_LIVE_CONFIRM: 'I_UNDERSTAND', ...extra,
      });
    }

    it('the right keys: ok through the account and chk-holiday agreeing with the calendar file', async () => {
      const r = await live(SIM_DEFAULT_CREDENTIALS.appKey);
      expect(r.lines.filter((l) => !l.startsWith('ok  '))).toEqual([]);
      expect(r.code).toBe(0);
      expect(line(r.lines, 'holidays')).toMatch(/^ok {2}holidays {2}chk-holiday agrees/);
    });

    it('a wrong app key: FAIL token naming EGW00103 and the variable to fix, exit non-zero', async () => {
      const r = await live('PSWRONGKEY000000000000000000000000001');
      expect(line(r.lines, 'token')).toMatch(/^FAIL token .*EGW00103.*KIS_APP_KEY/);
      expect(line(r.lines, 'read')).toBeUndefined();
      expect(r.code).not.toBe(0);
      });

    it('needs no KIS_LIVE_CONFIRM (it sends no order) and says the daemon will', async () => {
      const r = await live(SIM_DEFAULT_CREDENTIALS.appKey, { KIS_LIVE_CONFIRM: '' });
      expect(line(r.lines, 'live-confirm')).toMatch(/^ok {2}live-confirm {2}not set, not needed here .*KIS_LIVE_CONFIRM=I_UNDERSTAND/);
      expect(line(r.lines, 'account')).toMatch(/^ok {2}/);
      expect(r.code).toBe(0);
    });
  });

  it('a missing calendar file: FAIL calendar naming it, exit non-zero', async () => {
    const root = project();
    rmSync(join(root, 'config', 'krx-calendar.json'));
    const r = await doctor(root, { REDIS_URL: inject('redisUrl') });
    expect(line(r.lines, 'calendar')).toContain(`FAIL calendar market.calendarFile: ${join(root, 'config', 'krx-calendar.json')}: missing`);
    expect(r.code).not.toBe(0);
  });

  it('KIS unreachable (a closed port as the live host): FAIL http, exit non-zero', async () => {
    const r = await doctor(project(), {
      KIS_TRADER_MODE: 'paper', KIS_TRADER__KIS__BASE_URL: 'http://127.0.0.1:1', REDIS_URL: inject('redisUrl'),
      KIS_APP_KEY: 'k', KIS_APP_SECRET: 's', KIS_ACCOUNT: '50000000-01',
    });
    expect(line(r.lines, 'http')).toMatch(/^FAIL http http:\/\/127\.0\.0\.1:1: .*ECONNREFUSED|^FAIL http http:\/\/127\.0\.0\.1:1: connect/);
    expect(r.code).not.toBe(0);
  });
});
