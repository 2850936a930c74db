import { afterEach, describe, expect, inject, it } from 'vitest';
import { join } from 'node:path';
import { request } from 'undici';
import { createApp } from '../../../src/app.js';
import { loadConfig } from '../../../src/config/index.js';
import { silentLogger, tradingDate } from '../../../src/domain/index.js';
import { freePort } from '../../../src/runtime/index.js';
import { daemonEnv, ROOT, startSharedSim, waitFor } from '../../helpers/daemon.js';
import { alertEnv, alertKinds as kinds, startFakeTelegram, startWebhookSink } from '../../helpers/fake-alert-sinks.js';

/**
 * The daemon wired to its alert channels and metrics (issue 14): start, ready and stop reach the fake
 * Telegram and the webhook sink; /healthz is 200 once Redis, the store, the token and the first
 * reconcile are there; /metrics counts the KIS calls of the start-up by endpoint and lane.
 */
const DATE = tradingDate('20261126');
const QUIET = { KIS_TRADER__STRATEGIES__MOMENTUM_VOLUME__PARAMS__MIN_CHANGE_PCT: '29', KIS_TRADER__STRATEGIES__MOMENTUM_VOLUME__PARAMS__MAX_CHANGE_PCT: '30' };
const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('daemon alerts and metrics', () => {
  it('sends start, ready and stop to both channels and serves /healthz and /metrics on 127.0.0.1', async () => {
    const tg = await startFakeTelegram();
    const hook = await startWebhookSink();
    const h = await startSharedSim({ date: DATE, hhmmss: '103000' });
    const port = await freePort();
    const d = daemonEnv(h, inject('redisUrl'), {
      ...QUIET, ...alertEnv(tg, hook),
      KIS_TRADER__METRICS__ENABLED: 'true', KIS_TRADER__METRICS__PORT: String(port),
    });
    cleanups.push(() => tg.close(), () => hook.close(), () => h.stop(), () => d.cleanup());
    const app = createApp({ loaded: loadConfig({ dir: join(ROOT, 'config'), env: d.env }), env: d.env, cwd: ROOT, log: silentLogger });
    let stopped = false;
    cleanups.push(() => (stopped ? undefined : app.stop()));
    await app.start();

    await waitFor(() => (kinds(tg.sent.map((m) => m.text)).includes('ready') && kinds(hook.received.map((m) => m.text)).includes('ready') ? true : undefined), 15_000, 'ready at both');
    expect(kinds(tg.sent.map((m) => m.text)).slice(0, 2)).toEqual(['start', 'ready']);
    expect(tg.sent[0]!.text).toContain('[kis-trader sim]');

    const health = await request(`http://127.0.0.1:${port}/healthz`);
    const report = await health.body.json();
    expect({ status: health.statusCode, report }).toMatchObject({ status: 200, report: { healthy: true, checks: { redis: true, store: true, token: true, reconcile: true } } });
    const metrics = await (await request(`http://127.0.0.1:${port}/metrics`)).body.text();
    expect(metrics).toMatch(/kis_trader_kis_calls_total\{endpoint="balance",lane="reconcile",result="ok"\} [1-9]/);
    expect(metrics).toMatch(/kis_trader_token_issuances_total [1-9]/);
    expect(metrics).toMatch(/kis_trader_rate_budget_wait_seconds_count\{lane="reconcile"\} [1-9]/);
    expect(metrics).toMatch(/kis_trader_queue_jobs\{queue="orders",state="waiting"\} \d/);

    // Telegram /status from the configured chat is answered by the running daemon
    tg.pushMessage(77, '/status');
    await waitFor(() => tg.sent.find((m) => m.text.startsWith('kis-trader sim: ')), 15_000, 'the /status answer');

    stopped = true;
    await app.stop();
    expect(kinds(tg.sent.map((m) => m.text))).toContain('stop');
    expect(kinds(hook.received.map((m) => m.text))).toContain('stop');
    // the port is closed with the daemon
    await expect(request(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  }, 60_000);
});
