import { afterEach, describe, expect, inject, it } from 'vitest';
import { request } from 'undici';
import { tradingDate } from '../../src/domain/index.js';
import { freePort } from '../../src/runtime/index.js';
import type { FaultRule } from '../../src/sim/index.js';
import { daemonEnv, readRows, ROOT, spawnDaemon, startSharedSim, waitFor, waitForAsync } from '../helpers/daemon.js';
import { spawnCli } from '../helpers/cli.js';
import type { DaemonProcess } from '../helpers/daemon.js';
import { alertEnv, alertedAtBoth, startFakeTelegram, startWebhookSink } from '../helpers/fake-alert-sinks.js';
import { EAGER, SETTLE_ONLY, checkBooks, filledAfter, lastOrderId, printFigures, settleAndStop, sleep } from '../helpers/chaos.js';

/**
 * Issue 14's KIS fault storms against one running daemon (at 60×, eager strategy): bursts of
 * EGW00201, the token expiring mid-session with EGW00133 on the re-issue, a 5xx storm, requests
 * held past the configured timeouts, the host down for a minute (the simulator's HTTP server off
 * its port and back on the same one), and an order answered "market closed" (entries halt until
 * `kis-trader resume`). After each storm the
 * daemon must still run and an order decided afterwards must be placed and filled; at the end the
 * books must match the simulator's (nothing lost, nothing doubled). The daemon tells: its alerts
 * reach a fake Telegram and a webhook sink, /healthz turns 503 while KIS is away and 200 after,
 * /metrics counts the storms.
 */
const DATE = tradingDate('20261126');
const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

// Shorter than the defaults, so that a held request outlives them by far and the storm stays short.
const TIMEOUTS = { KIS_TRADER__KIS__TIMEOUTS__CONNECT_MS: '1000', KIS_TRADER__KIS__TIMEOUTS__HEADERS_MS: '1500', KIS_TRADER__KIS__TIMEOUTS__BODY_MS: '1500', KIS_TRADER__KIS__TIMEOUTS__TOTAL_MS: '3000' };

describe('KIS fault storms against a running daemon', () => {
  it('slows, re-authenticates, recovers after each storm, and loses or doubles nothing', async () => {
    const started = Date.now();
    const h = await startSharedSim({ date: DATE, hhmmss: '090500', speed: 60 });
    const port = Number(new URL(h.url).port);
    const tg = await startFakeTelegram();
    const hook = await startWebhookSink();
    const metricsPort = await freePort();
    const d = daemonEnv(h, inject('redisUrl'), {
      ...EAGER, ...TIMEOUTS, ...alertEnv(tg, hook), KIS_TRADER__METRICS__ENABLED: 'true', KIS_TRADER__METRICS__PORT: String(metricsPort),
    });
    cleanups.push(() => tg.close(), () => hook.close(), () => h.stop(), () => d.cleanup());
    const ops = `http://127.0.0.1:${metricsPort}`;
    const healthz = async (): Promise<{ status: number; reasons: string[] }> => {
      const r = await request(`${ops}/healthz`);
      return { status: r.statusCode, reasons: ((await r.body.json()) as { reasons: string[] }).reasons };
    };
    const track = (p: DaemonProcess) => cleanups.push(async () => { if (p.child.exitCode === null && p.child.signalCode === null) { p.child.kill('SIGKILL'); await p.exited; } });
    const p = spawnDaemon(d.env);
    track(p);
    await p.waitForLog((l) => l.msg === 'kis-trader ready');
    await filledAfter(d, 0, 60_000, 'a first order to fill');

    const figures: Record<string, number> = {};
    const storm = async (name: string, rules: FaultRule[], after?: () => Promise<unknown>): Promise<void> => {
      const t0 = Date.now();
      const received = h.sim.stats().requests;
      for (const r of rules) h.sim.faults.inject(r);
      await waitFor(() => (h.sim.faults.active().length === 0 ? true : undefined), 120_000, `the ${name} storm to be met in full`);
      expect(p.child.exitCode, `the daemon exited during the ${name} storm`).toBeNull();
      // an order taken up after the storm, not one already on its way when it began
      const before = lastOrderId(d);
      await after?.();
      await filledAfter(d, before, 120_000, `an order after the ${name} storm to fill`);
      figures[`${name}S`] = Math.round((Date.now() - t0) / 1000);
      figures[`${name}Requests`] = h.sim.stats().requests - received;
    };

    await storm('egw00201', [{ kind: 'rate-limit', times: 40 }]);
    const tokensBefore = h.sim.stats().tokensIssued;
    // The token expires; the re-issue meets EGW00133 twice; a new token must come, and orders with it.
    await storm('token', [{ kind: 'token-expired', match: { path: 'volume-rank' } }, { kind: 'token-throttle', match: { path: 'tokenP' }, times: 2 }],
      () => waitFor(() => (h.sim.stats().tokensIssued > tokensBefore ? true : undefined), 180_000, 'a new token after EGW00133'));
    figures.tokensIssued = h.sim.stats().tokensIssued - tokensBefore;
    await storm('http500', [{ kind: 'http-500', times: 60 }]);
    await storm('timeout', [{ kind: 'timeout', times: 4 }]);

    // The host down for a minute: nothing answers, then the same address again.
    {
      const t0 = Date.now();
      const before = lastOrderId(d);
      await h.sim.stop();
      const down = Date.now();
      // no reconcile can succeed: /healthz says so while the daemon keeps running
      const sick = await waitForAsync(async () => { const r = await healthz(); return r.status === 503 ? r : undefined; }, 55_000, '/healthz to turn 503 with KIS away');
      expect(sick.reasons.join('; ')).toMatch(/reconcile/);
      await sleep(Math.max(0, 60_000 - (Date.now() - down)));
      await h.sim.start(port);
      expect(p.child.exitCode, 'the daemon exited while KIS was down').toBeNull();
      await filledAfter(d, before, 120_000, 'an order after the host came back to fill');
      await waitForAsync(async () => ((await healthz()).status === 200 ? true : undefined), 60_000, '/healthz to be 200 again');
      figures.hostDownS = Math.round((Date.now() - t0) / 1000);
    }

    // An order refused as outside market hours while the calendar says the session is open: a
    // definitive refusal, nothing booked, and new entries halt (the calendar or the clock is wrong)
    // with an alert; after `kis-trader resume` a later entry fills.
    {
      const before = lastOrderId(d);
      h.sim.faults.inject({ kind: 'market-closed', match: { path: 'order-cash' }, times: 1 });
      await waitFor(() => (h.sim.faults.active().length === 0 ? true : undefined), 120_000, 'an order to be refused as market closed');
      const refused = readRows<{ id: number; status: string; venue_order_id: string | null }>(d.dbPath, `SELECT id, status, venue_order_id FROM orders WHERE id > ${before} AND reject_code = 'APBK0919'`);
      expect(refused.map((r) => [r.status, r.venue_order_id])).toEqual([['rejected', null]]);
      await p.waitForLog((l) => l['notice'] === 'halt', 30_000);
      expect(p.child.exitCode, 'the daemon exited on a market-closed answer').toBeNull();
      await alertedAtBoth(tg, hook, 'halt', 30_000);
      const resumed = await spawnCli(['resume'], ROOT, d.env);
      expect(resumed.out).toContain('entries resumed');
      // a resume from the CLI is announced by the daemon's minute tick
      await alertedAtBoth(tg, hook, 'resume', 90_000).catch((err: unknown) => {
        console.log(JSON.stringify(p.lines.filter((l) => l['msg'] === 'heartbeat' || String(l['msg']).includes('alert') || l['notice'] !== undefined).slice(-40)));
        throw err;
      });
      await filledAfter(d, Math.max(...refused.map((r) => r.id)), 120_000, 'an order after the resume to fill');
      figures.closedRefused = refused.length;
    }

    const metrics = await (await request(`${ops}/metrics`)).body.text();
    // a counter's series summed over its labels
    const counter = (name: string): number => [...metrics.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\d+)$`, 'gm'))].reduce((s, m) => s + Number(m[1]), 0);
    figures.metricRateLimited = counter('kis_trader_kis_rate_limited_total');
    figures.metricTokenIssued = counter('kis_trader_token_issuances_total');
    figures.metricTokenFailed = counter('kis_trader_token_failures_total');
    expect(figures.metricRateLimited).toBeGreaterThan(0);
    expect(figures.metricTokenIssued).toBeGreaterThanOrEqual(2);
    expect(figures.metricTokenFailed).toBeGreaterThanOrEqual(1);
    expect(metrics).toMatch(/^kis_trader_orders\{status="rejected",reject_code="APBK0919"\} 1$/m);

    p.child.kill('SIGINT');
    expect((await p.exited).code).toBe(0);
    // what a person was told, at both channels: the storms' token failure, the halt and resume, fills
    for (const kind of ['start', 'ready', 'fill', 'token-failure', 'halt', 'resume', 'stop']) await alertedAtBoth(tg, hook, kind, 5000);
    figures.telegramAlerts = tg.sent.length;
    figures.webhookAlerts = hook.received.length;
    const last = spawnDaemon({ ...d.env, ...SETTLE_ONLY });
    track(last);
    await last.waitForLog((l) => l.msg === 'kis-trader ready');
    await settleAndStop(h, d, DATE, last, track);
    const books = checkBooks(h, d, DATE);
    printFigures('kis storms', { ...books, ...figures, rateLimited: h.sim.stats().rateLimited, elapsedS: Math.round((Date.now() - started) / 1000) });
    expect(books.duplicates).toBe(0);
  });
});
