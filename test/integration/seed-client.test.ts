import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock, kstInstant, tradingDate } from '../../src/domain/index.js';
import { DEFAULT_FEE_RATES, createCalendar, parseCalendarData } from '../../src/market/index.js';
import { SIM_DEFAULT_CREDENTIALS, createSimulator } from '../../src/sim/index.js';
import type { Simulator } from '../../src/sim/index.js';

/**
 * The Python client kis-trader replaces (test/fixtures/seed/kis_api.py) run unmodified against the
 * simulator, as if it were live KIS: proof that the simulator speaks the wire a third-party
 * client expects. Needs Debian's aiohttp for /usr/bin/python3 (`apt-get install -y python3-aiohttp`).
 */
const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
// a verbatim copy of the seed client, kept with the test data (test/fixtures/seed/README.md)
const SEED = join(REPO_ROOT, 'test', 'fixtures', 'seed', 'kis_api.py');
const SUITE = 'the seed Python client (The Ouroboros kis_api.py) against the simulator';
const DRIVER = join(REPO_ROOT, 'test', 'compat', 'seed_driver.py');
const PYTHON = '/usr/bin/python3';
const DAY = tradingDate('20261126');
const SYMBOL = '005930';
const CRED = SIM_DEFAULT_CREDENTIALS;

interface StepLine {
  step: string;
  ok: boolean;
  detail: Record<string, unknown>;
  expect?: string;
}

interface DriverRun {
  code: number;
  steps: Map<string, StepLine>;
  stdout: string;
  stderr: string;
}

function requirePython(): void {
  if (!existsSync(PYTHON)) throw new Error(`${PYTHON} not found: install Debian's python3 and python3-aiohttp (apt-get install -y python3-aiohttp)`);
  try {
    execFileSync(PYTHON, ['-c', 'import aiohttp'], { stdio: 'pipe' });
  } catch {
    throw new Error(`${PYTHON} cannot import aiohttp: run \`apt-get update && apt-get install -y python3-aiohttp\` (CI installs it)`);
  }
  if (!existsSync(SEED)) throw new Error(`seed client missing at ${SEED}`);
}

/** Async on purpose: the simulator answers on this process's event loop while the driver runs. */
function runDriver(url: string): Promise<DriverRun> {
  const args = [DRIVER, url, '--app-key', CRED.appKey, '--app-secret', CRED.appSecret, '--account', CRED.account, '--symbol', SYMBOL, '--mode', 'live', '--today', DAY, '--seed', SEED];
  return new Promise((resolve) => {
    execFile(PYTHON, args, { cwd: REPO_ROOT, timeout: 60_000, env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } }, (err, stdout, stderr) => {
      const steps = new Map<string, StepLine>();
      for (const line of stdout.split('\n')) {
        if (line.trim() === '') continue;
        const parsed = JSON.parse(line) as StepLine;
        steps.set(parsed.step, parsed);
      }
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, steps, stdout, stderr });
    });
  });
}

describe(SUITE, () => {
  let sim: Simulator;
  let run: DriverRun;

  beforeAll(async () => {
    requirePython();
    const calendar = createCalendar(parseCalendarData(JSON.parse(readFileSync(join(REPO_ROOT, 'config', 'krx-calendar.json'), 'utf8'))));
    // 10:30 KST on a trading day, continuous session; frozen so every step sees the same market
    const clock = createManualClock(kstInstant(DAY, '103000'));
    sim = createSimulator({ env: 'live', seed: 7, clock, calendar, fees: DEFAULT_FEE_RATES });
    const { url } = await sim.start();
    run = await runDriver(url);
  }, 90_000);

  afterAll(async () => {
    await sim?.stop();
  });

  const step = (name: string): StepLine => {
    const s = run.steps.get(name);
    if (!s) throw new Error(`driver printed no "${name}" step (exit ${run.code})\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`);
    return s;
  };

  it('runs every step and exits 0', () => {
    expect(step('setup').ok, JSON.stringify(step('setup').detail)).toBe(true);
    const failed = [...run.steps.values()].filter((s) => !s.ok);
    expect(failed, run.stderr).toEqual([]);
    expect(run.code, run.stderr).toBe(0);
  });

  it('gets a token, issued once and reused by every call', () => {
    expect(step('token').ok).toBe(true);
    expect(step('token').detail.token_chars).toBeGreaterThan(100);
    expect(sim.stats().tokensIssued).toBe(1);
    expect(sim.stats().rateLimited).toBe(0);
  });

  it('reads quotes, the book, daily candles and the volume ranking', () => {
    const price = step('current_price').detail;
    expect(price.price).toBeGreaterThan(0);
    expect(price.wire).toMatchObject({ status: 200, rt_cd: '0', msg_cd: 'MCA00000' });
    const book = step('orderbook').detail;
    expect(book.askp1).toBeGreaterThan(book.bidp1 as number);
    const daily = step('daily_prices').detail;
    expect(daily.rows).toBe(20);
    expect(daily.wire).toMatchObject({ rt_cd: '0' });
    // the seed's own defect (README): it keeps the oldest 20 rows of a ~21-day window, so not today
    expect(String(daily.last) < DAY).toBe(true);
    const volume = step('volume_ranking').detail;
    expect(volume.rows).toBe(30);
    expect(volume.wire).toMatchObject({ rt_cd: '0' });
  });

  it('has its fluctuation ranking (sort code 0000) refused with an error envelope, as live KIS does (docs/kis-wire.md §6.6)', () => {
    const s = step('fluctuation_ranking');
    expect(s.expect).toBe('rejection');
    expect(s.ok).toBe(true);
    expect(s.detail.rows_seed_returned).toBe(0);
    expect(s.detail.wire).toMatchObject({ status: 200, rt_cd: '1', msg_cd: 'OPSQ2002' });
  });

  it('places a market buy that the exchange books and fills, and the balance shows it', () => {
    const order = step('market_buy').detail;
    expect(order).toMatchObject({ rt_cd: '0', msg_cd: 'APBK0013', KRX_FWDG_ORD_ORGNO: '06010', ORD_TMD: '103000' });
    expect(order.ODNO).toMatch(/^\d{10}$/);
    const booked = sim.exchange.orders(CRED.account, DAY);
    expect(booked).toHaveLength(1);
    expect(booked[0]).toMatchObject({ odno: order.ODNO, symbol: SYMBOL, side: 'buy', type: 'market', qty: 1, kind: 'new', filledQty: 1, status: 'filled' });
    expect(sim.exchange.holdings(CRED.account)).toEqual([expect.objectContaining({ symbol: SYMBOL, qty: 1 })]);
    expect(step('balance').detail.held).toBe(0);
    expect(step('balance_after').detail.held).toBe(1);
  });
});
