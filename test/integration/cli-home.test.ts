import { cpSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { epochMs, krw, kstInstant, makeFillKey, RISK_KEYS, shares, stockCode, tradingDate } from '../../src/domain/index.js';
import { openStore } from '../../src/store/index.js';
import { spawnCli, tempDir } from '../helpers/cli.js';
import { ROOT } from '../helpers/daemon.js';

/**
 * The CLI as an operator runs it: from another directory, with keys in .env, in live mode
 * without the order confirmation, piped into `head`. Each ran fine in the repo directory and
 * broke elsewhere (issue 9 items 5–8).
 */
const DAY = tradingDate('20261126');
/** A kis-trader home: the repo's config, a data dir, optionally a .env and a trade log with `decisions` rows. */
function home(opts: { env?: string; mode?: 'sim' | 'paper' | 'live'; decisions?: number } = {}): string {
  const root = tempDir('kis-home-');
  cpSync(join(ROOT, 'config'), join(root, 'config'), { recursive: true });
  mkdirSync(join(root, 'data'));
  if (opts.env !== undefined) writeFileSync(join(root, '.env'), opts.env);
  if (opts.decisions !== undefined) {
    const path = join(root, 'data', `${opts.mode ?? 'sim'}.sqlite`);
    const store = openStore({ path, synchronous: 'NORMAL', clock: { now: () => epochMs(kstInstant(DAY, '100000')) } });
    store.transaction(() => {
      for (let i = 0; i < opts.decisions!; i++) {
        store.decisions.insert({
          at: epochMs(kstInstant(DAY, '100000') + i), tradingDate: DAY, symbol: stockCode('005930'), kind: 'entry', strategy: 'test',
          inputs: i === 0 ? { detail: 'change 1.20 % < 2.00 %' } : {}, rule: `rule-${i}`, guards: [], outcome: 'no-trade', intentKey: null, configHash: 'h',
        });
      }
    });
    store.close();
  }
  return root;
}


const PAPER_ENV = 'KIS_TRADER_MODE=paper\nKIS_APP_KEY=PSpaperkeyfromdotenv\nKIS_APP_SECRET=paper-secret-from-dotenv\nKIS_ACCOUNT=50000001-01\n';

describe('the CLI from any directory', () => {
  it('reads the installation named by KIS_TRADER_HOME, and says which mode and trade log it shows', async () => {
    const h = home({ decisions: 2 });
    const elsewhere = tempDir('kis-cwd-');
    const r = await spawnCli(['decisions', '--date', DAY], elsewhere, { KIS_TRADER_HOME: h });
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain(`decisions on ${DAY}: 2 (sim · ${join(h, 'data', 'sim.sqlite')})`);
    // the comparison that decided, beside the rule's name
    expect(r.out).toContain('rule-0: change 1.20 % < 2.00 %');
    // compact: a rule under the heading, none between the two rows
    const lines = r.out.trimEnd().split('\n');
    expect(lines.filter((l) => l.startsWith('├'))).toHaveLength(1);
    expect(lines.at(-1)).toMatch(/^└/);
    expect(lines.filter((l) => l.startsWith('│'))).toHaveLength(3);
  }, 30_000);

  it('a strategy without decisions that day: says which strategies had some', async () => {
    const h = home({ decisions: 2 });
    const r = await spawnCli(['decisions', '--date', DAY, '--strategy', 'nope'], tempDir('kis-cwd-'), { KIS_TRADER_HOME: h });
    expect(r.code).toBe(0);
    expect(r.out).toContain(`decisions on ${DAY} of nope: 0`);
    expect(r.out).toContain('strategies with decisions that day: test');
  }, 30_000);

  it('positions: unrealised P&L at the broker\'s last marks, a total, and shares held outside the daemon', async () => {
    const h = home();
    const store = openStore({ path: join(h, 'data', 'sim.sqlite'), synchronous: 'NORMAL', clock: { now: () => epochMs(kstInstant(DAY, '100000')) } });
    const at = epochMs(kstInstant(DAY, '100000'));
    const A = stockCode('005930');
    const { order } = store.orders.insertIntent({
      intentKey: `i.momentum-volume.${A}.buy.${DAY}.entry`, symbol: A, side: 'buy', type: 'limit', qty: shares(10), price: krw(70_000),
      tradingDate: DAY, decisionId: null, configHash: 'h', reason: 'test',
    }, at);
    store.orders.transition(order.id, 'pending', 'submitting', {}, 'submit', {}, at);
    store.orders.transition(order.id, 'submitting', 'accepted', { venueOrderId: '0000000001', branch: '06010' }, 'accepted', {}, at);
    store.fills.record({
      fillKey: makeFillKey(DAY, '0000000001', 10), orderId: order.id, symbol: A, side: 'buy', qty: shares(10), price: krw(70_000),
      value: krw(700_000), commission: krw(99), tax: krw(0), tradingDate: DAY, at,
    });
    // the broker holds 12 (2 bought outside the daemon), marked at 71,000
    store.risk.set(RISK_KEYS.account, {
      holdings: [{ symbol: A, name: '삼성전자', qty: shares(12), sellableQty: shares(12), avgPrice: krw(70_000), price: krw(71_000) }],
      cash: krw(0), settledCash: krw(0), totalValue: krw(852_000), at,
    }, at);
    store.close();
    const r = await spawnCli(['positions'], tempDir('kis-cwd-'), { KIS_TRADER_HOME: h });
    expect(r.code).toBe(0);
    const row = r.out.split('\n').find((l) => l.includes('005930'))!;
    // cost 700,099 (commission included); unrealised 710,000 − 700,099 = 9,901 = 1.41 %
    expect(row.split('│').map((c) => c.trim()).filter(Boolean)).toEqual(['005930', 'momentum-volume', '10', '70,010', '700,099', '71,000', '9,901', '1.41 %', '0']);
    expect(r.out).toMatch(/│ total .*│ 700,099 .*│ 9,901 .*│ 1\.41 % /);
    expect(r.out).toContain('005930: the broker holds 12, the daemon\'s log 10: 2 held outside the daemon, not counted above');
  }, 30_000);

  it('a read command with no trade log says so and creates nothing, in the current directory or anywhere', async () => {
    const h = home();
    const elsewhere = tempDir('kis-cwd-');
    const r = await spawnCli(['positions'], elsewhere, { KIS_TRADER_HOME: h });
    expect(r.code).not.toBe(0);
    expect(r.err).toContain(`no trade log at ${join(h, 'data', 'sim.sqlite')}`);
    expect(existsSync(join(h, 'data', 'sim.sqlite'))).toBe(false);
    expect(existsSync(join(elsewhere, 'data'))).toBe(false);
  }, 30_000);

  it('without KIS_TRADER_HOME it uses the install directory, never the current one', async () => {
    const elsewhere = tempDir('kis-cwd-');
    const missing = join(tempDir('kis-store-'), 'none.sqlite');
    const r = await spawnCli(['orders'], elsewhere, { KIS_TRADER__STORE__PATH: missing });
    expect(r.err).toContain(`no trade log at ${missing}`);
    expect(existsSync(missing)).toBe(false);
    expect(existsSync(join(elsewhere, 'data'))).toBe(false);
  }, 30_000);
});

describe('.env', () => {
  it('is read by the CLI from the home directory: paper keys in .env pass config check', async () => {
    const h = home({ env: PAPER_ENV });
    const r = await spawnCli(['config', 'check'], tempDir('kis-cwd-'), { KIS_TRADER_HOME: h });
    expect(r.err).toBe('');
    expect(r.out).toContain('config OK (mode paper');
  }, 30_000);

  it('the real environment wins over .env', async () => {
    const h = home({ env: PAPER_ENV });
    const r = await spawnCli(['config', 'check'], tempDir('kis-cwd-'), { KIS_TRADER_HOME: h, KIS_TRADER_MODE: 'sim' });
    expect(r.out).toContain('config OK (mode sim');
  }, 30_000);
});

describe('live mode without KIS_LIVE_CONFIRM', () => {
  const LIVE_ENV = 'KIS_TRADER_MODE=live\nKIS_APP_KEY=PSlivekeyfromdotenv\nKIS_APP_SECRET=live-secret-from-dotenv\nKIS_ACCOUNT=50000002-01\n';

  it('reads the trade log', async () => {
    const h = home({ env: LIVE_ENV, mode: 'live', decisions: 1 });
    const r = await spawnCli(['decisions', '--date', DAY], tempDir('kis-cwd-'), { KIS_TRADER_HOME: h });
    expect(r.err).toBe('');
    expect(r.out).toContain(`decisions on ${DAY}: 1 (live ·`);
  }, 30_000);

  it('refuses to send an order or a cancel (exit 3), before any connection', async () => {
    const h = home({ env: `${LIVE_ENV}KIS_TRADER__KIS__LIVE_BASE_URL=http://127.0.0.1:9\n`, mode: 'live' });
    const buy = await spawnCli(['kis', 'buy', '005930', '1', '--market'], tempDir('kis-cwd-'), { KIS_TRADER_HOME: h });
    expect(buy.code).toBe(3);
    expect(buy.err).toContain('KIS_LIVE_CONFIRM');
    const cancel = await spawnCli(['kis', 'cancel', '0000000001', '--branch', '06010'], tempDir('kis-cwd-'), { KIS_TRADER_HOME: h });
    expect(cancel.code).toBe(3);
  }, 30_000);
});

describe('piping', () => {
  it('`decisions | head` ends quietly when the reader goes away', async () => {
    const h = home({ decisions: 1500 });
    const r = await spawnCli(['decisions', '--date', DAY], tempDir('kis-cwd-'), { KIS_TRADER_HOME: h }, { closeStdoutAfterFirstChunk: true });
    expect(r.err).not.toMatch(/EPIPE|Error/);
    expect(r.code).toBe(0);
  }, 30_000);
});

describe('events', () => {
  it('names an order that does not exist instead of printing an empty table', async () => {
    const h = home({ decisions: 1 });
    const missing = await spawnCli(['events', '999'], tempDir('kis-cwd-'), { KIS_TRADER_HOME: h });
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('no order 999');
    const notANumber = await spawnCli(['events', 'abc'], tempDir('kis-cwd-'), { KIS_TRADER_HOME: h });
    expect(notANumber.code).toBe(2);
  }, 30_000);
});

describe('paper mode without keys', () => {
  it('reads the paper trade log (the keys are for talking to KIS)', async () => {
    const h = home({ mode: 'paper', decisions: 1 });
    const r = await spawnCli(['decisions', '--date', DAY, '--mode', 'paper'], tempDir('kis-cwd-'), { KIS_TRADER_HOME: h });
    expect(r.err).toBe('');
    expect(r.out).toContain(`decisions on ${DAY}: 1 (paper ·`);
  }, 30_000);

  it('a KIS command still says which keys are missing', async () => {
    const h = home({ mode: 'paper' });
    const r = await spawnCli(['kis', 'price', '005930', '--mode', 'paper'], tempDir('kis-cwd-'), { KIS_TRADER_HOME: h });
    expect(r.code).not.toBe(0);
    expect(r.err).toContain('KIS_APP_KEY');
  }, 30_000);
});
