import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { defaultConfig } from '../../../src/config/index.js';
import type { Config } from '../../../src/config/index.js';
import { alertsSchema, metricsSchema } from '../../../src/config/schema-ops.js';
import { epochMs, krw, RISK_KEYS, silentLogger } from '../../../src/domain/index.js';
import type { AccountSnapshot, StoredToken } from '../../../src/domain/index.js';
import { createOps } from '../../../src/runtime/index.js';
import { createTempStore } from '../../helpers/temp-store.js';
import { repoCalendar, ROOT } from '../../helpers/daemon.js';

/** Issue 14 "Metrics and health": /metrics and /healthz on 127.0.0.1, off unless configured. */
const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const config = (metrics: unknown): Config => ({ ...defaultConfig(), alerts: alertsSchema.parse({}), metrics: metricsSchema.parse(metrics) });

async function get(url: string): Promise<{ status: number; text: string }> {
  const res = await request(url);
  return { status: res.statusCode, text: await res.body.text() };
}

describe('/metrics and /healthz', () => {
  it('are off unless configured', async () => {
    const ops = createOps({ config: config({}), env: {}, log: silentLogger, label: 'x' });
    cleanups.push(() => ops.stop());
    const t = createTempStore();
    await ops.start({ store: t.store, clock: t.clock, startedAt: t.clock.now(), calendar: repoCalendar, redisReady: () => true, token: () => null, queues: () => Promise.resolve(null), haltEntries: () => undefined, websocket: () => null });
    expect(ops.metrics).toBeNull();
    expect(ops.metricsUrl).toBeNull();
  });

  it('answer on 127.0.0.1 with the expected series, and /healthz says 503 with the reasons until every check passes', async () => {
    const ops = createOps({ config: config({ enabled: true, port: 0 }), env: {}, log: silentLogger, label: 'x' });
    cleanups.push(() => ops.stop());
    const t = createTempStore();
    let redisUp = false;
    let token: StoredToken | null = null;
    await ops.start({
      store: t.store, clock: t.clock, startedAt: t.clock.now(), calendar: repoCalendar, redisReady: () => redisUp, token: () => token,
      queues: () => Promise.resolve({ orders: { waiting: 3, active: 1 }, signals: { waiting: 0 } }), haltEntries: () => undefined, websocket: () => null,
    });
    expect(ops.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    // what the KIS client and the rate budget report
    ops.telemetry.call('inquire-price', 'scan', 'ok');
    ops.telemetry.call('inquire-price', 'scan', 'EGW00201');
    ops.telemetry.call('order-cash', 'order', 'ok');
    ops.telemetry.tokenIssued();
    ops.metrics!.setWebSocketState('connected');
    const budget = ops.rateBudget({ acquire: () => Promise.resolve(250), penalize: () => Promise.resolve(), currentRate: () => Promise.resolve(18) });
    await budget.acquire('order');
    t.store.risk.set(RISK_KEYS.halt, { reason: 'test', details: {}, at: t.clock.now() }, t.clock.now());

    const m = await get(`${ops.metricsUrl!}/metrics`);
    expect(m.status).toBe(200);
    for (const line of [
      'kis_trader_kis_calls_total{endpoint="inquire-price",lane="scan",result="ok"} 1',
      'kis_trader_kis_calls_total{endpoint="inquire-price",lane="scan",result="EGW00201"} 1',
      'kis_trader_kis_calls_total{endpoint="order-cash",lane="order",result="ok"} 1',
      'kis_trader_kis_rate_limited_total{endpoint="inquire-price"} 1',
      'kis_trader_token_issuances_total 1',
      'kis_trader_rate_budget_wait_seconds_count{lane="order"} 1',
      'kis_trader_rate_budget_wait_seconds_sum{lane="order"} 0.25',
      'kis_trader_websocket_state 2',
      'kis_trader_queue_jobs{queue="orders",state="waiting"} 3',
      'kis_trader_entries_halted 1',
      'kis_trader_positions 0',
      'kis_trader_fills 0',
      'kis_trader_healthy 0',
    ]) expect(m.text).toContain(line);
    for (const series of ['kis_trader_orders', 'kis_trader_decisions', 'kis_trader_guard_blocks', 'nodejs_eventloop_lag_seconds', 'process_resident_memory_bytes']) {
      expect(m.text).toContain(`# TYPE ${series} `);
    }

    const sick = await get(`${ops.metricsUrl!}/healthz`);
    expect(sick.status).toBe(503);
    const report = JSON.parse(sick.text) as { healthy: boolean; reasons: string[]; checks: Record<string, boolean> };
    expect(report.checks).toEqual({ redis: false, store: true, token: false, reconcile: false });
    expect(report.reasons).toEqual(['redis not connected', 'no valid KIS access token', 'no reconcile since start, or none for 15 min in a session']);

    redisUp = true;
    token = { token: 't', issuedAt: t.clock.now(), expiresAt: epochMs(t.clock.now() + 3_600_000) };
    const account: AccountSnapshot = { holdings: [], cash: krw(1), settledCash: krw(1), totalValue: krw(1), at: t.clock.now() };
    t.store.risk.set(RISK_KEYS.account, account, t.clock.now());
    const ok = await get(`${ops.metricsUrl!}/healthz`);
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.text)).toMatchObject({ healthy: true, reasons: [] });

    // a reconcile older than three intervals in the session is unhealthy again
    t.clock.advance(16 * 60_000);
    const stale = await get(`${ops.metricsUrl!}/healthz`);
    expect(stale.status).toBe(503);
    expect(stale.text).toContain('reconcile');
    expect((await get(`${ops.metricsUrl!}/other`)).status).toBe(404);

    // docs/grafana-dashboard.json queries only series this endpoint serves
    const dashboard = readFileSync(join(ROOT, 'docs', 'grafana-dashboard.json'), 'utf8');
    const names = new Set([...dashboard.matchAll(/\b(kis_trader_\w+|nodejs_\w+|process_\w+)/g)].map((x) => x[1]!.replace(/_(bucket|count|sum)$/, '')));
    expect(names.size).toBeGreaterThan(15);
    for (const name of names) expect(m.text, name).toContain(`# TYPE ${name} `);
  });
});

describe('a metrics port already taken', () => {
  it('is an error line, and the daemon goes on without /metrics', async () => {
    const first = createOps({ config: config({ enabled: true, port: 0 }), env: {}, log: silentLogger, label: 'x' });
    cleanups.push(() => first.stop());
    const t = createTempStore();
    const parts = { store: t.store, clock: t.clock, startedAt: t.clock.now(), calendar: repoCalendar, redisReady: () => true, token: () => null, queues: () => Promise.resolve(null), haltEntries: () => undefined, websocket: () => null };
    await first.start(parts);
    const port = Number(new URL(first.metricsUrl!).port);
    const errors: string[] = [];
    const log = { ...silentLogger, error: (_o: unknown, msg?: string) => void errors.push(msg ?? ''), child: () => log };
    const second = createOps({ config: config({ enabled: true, port }), env: {}, log: log, label: 'x' });
    cleanups.push(() => second.stop());
    await second.start(parts);
    expect(second.metricsUrl).toBeNull();
    expect(errors).toEqual([`metrics not served: metrics.host/metrics.port 127.0.0.1:${port} unavailable (trading goes on)`]);
  });
});
