/**
 * Real-time benchmark (see bench/README.md): the daemon in this process against the simulator on
 * localhost, REST answers 100 ms late (`latency::*:100`, as KIS live), fill polling at its longest.
 * Each of N market buys is filled by the simulator's matching engine, which sends an encrypted fill
 * notice over the WebSocket; the figure is the time from the daemon receiving that notice to the
 * fill's row being in SQLite (the reconcile it triggers: two REST reads). Then a position bought at
 * the ask with a 0.1 % stop: the time from the first trade the daemon receives after the fill to
 * the exit job it enqueues. Prints each target beside its figure and exits 1 on a miss.
 *
 *   npx tsx bench/realtime.ts      (REDIS_URL to use a running Redis; otherwise a private redis-server)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config/index.js';
import { kstInstant, silentLogger, stockCode, systemClock, tradingDate } from '../src/domain/index.js';
import type { Logger } from '../src/domain/index.js';
import { DEFAULT_FEE_RATES } from '../src/market/index.js';
import { createProducers } from '../src/queues/index.js';
import { anchoredClock, loadCalendar, pingRedis, startEmbeddedRedis } from '../src/runtime/index.js';
import { createSimulator } from '../src/sim/index.js';

const ROOT = join(import.meta.dirname, '..');
const DATE = tradingDate('20261126');
const BUYS = 5;
const TARGET_MS = 1_000;

type Line = { t: number; msg: string } & Record<string, unknown>;
function capture(lines: Line[], bindings: Record<string, unknown> = {}): Logger {
  const at = () => (a: unknown, b?: string) => {
    lines.push(typeof a === 'string' ? { ...bindings, t: performance.now(), msg: a } : { ...bindings, ...(a as object), t: performance.now(), msg: b ?? '' });
  };
  return { debug: () => undefined, info: at(), warn: at(), error: at(), fatal: at(), child: (more) => capture(lines, { ...bindings, ...more }) };
}

async function waitFor<T>(fn: () => T | undefined, ms: number, what: string): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-realtime-'));
  const redis = process.env.REDIS_URL
    ? { url: process.env.REDIS_URL, stop: () => Promise.resolve() }
    : await startEmbeddedRedis({ binary: 'redis-server', dataDir: dir, log: silentLogger, ping: pingRedis });
  const real = systemClock.now();
  const simStart = kstInstant(DATE, '103001');
  const clock = anchoredClock({ sim: simStart, real, speed: 1 });
  const sim = createSimulator({
    env: 'live', seed: 7, clock, calendar: loadCalendar(join(ROOT, 'config', 'krx-calendar.json')), fees: DEFAULT_FEE_RATES,
    faults: ['latency::*:100'],
  });
  const { url } = await sim.start(0);
  const prefix = `bench-rt-${randomUUID().slice(0, 8)}`;
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? dir, KIS_TRADER_MODE: 'sim', KIS_TRADER_SIM_URL: url,
    KIS_TRADER_CLOCK_ANCHOR: `${simStart}@${real}x1`, REDIS_URL: redis.url, KIS_TRADER__REDIS__PREFIX: prefix,
    KIS_TRADER__STORE__PATH: join(dir, 'trade.sqlite'), KIS_TRADER__DATA_DIR: dir,
    KIS_TRADER__STRATEGIES__MOMENTUM_VOLUME__PARAMS__MIN_CHANGE_PCT: '29', KIS_TRADER__STRATEGIES__MOMENTUM_VOLUME__PARAMS__MAX_CHANGE_PCT: '30',
    KIS_TRADER__STRATEGIES__MOMENTUM_VOLUME__EXITS__STOP_LOSS_PCT: '0.1',
    KIS_TRADER__SCHEDULE__FILL_POLL_SECONDS: '300', KIS_TRADER__SCHEDULE__RECONCILE_EVERY_MINUTES: '60',
    KIS_TRADER__SCHEDULE__EXIT_CHECK_EVERY_MINUTES: '60', KIS_TRADER__SCHEDULE__SCAN_EVERY_MINUTES: '60',
  };
  const lines: Line[] = [];
  const app = createApp({ loaded: loadConfig({ dir: join(ROOT, 'config'), env }), env, cwd: ROOT, log: capture(lines) });
  const conn = new Redis(redis.url, { maxRetriesPerRequest: null });
  const producers = createProducers(conn, prefix, silentLogger);
  const noticeToRow: number[] = [];
  let tradeToExit: number | null = null;
  try {
    await app.start();
    await waitFor(() => (app.realtime()?.session.stats().active === 1 ? true : undefined), 10_000, 'the notice registration');
    // the start-up scan enqueues exits of what is held after its entries: let it finish first
    const scanned = await waitFor(() => lines.find((l) => /^scan: \d+ candidates/.test(l.msg)), 60_000, 'the start-up scan');
    const n = Number(/^scan: (\d+)/.exec(scanned.msg)![1]);
    await waitFor(() => (app.store.decisions.forDate(DATE).filter((d) => d.kind === 'entry').length >= n ? true : undefined), 120_000, 'its evaluations');
    // symbols whose one-tick spread is ≥ 0.15 %: bought at the ask, the last trade is below the 0.1 % stop
    const wide = sim.market.symbols().filter((s) => {
      const ask = sim.market.book(s.code).asks[0];
      const last = sim.market.quote(s.code).price;
      return ask !== undefined && (ask.price - last) * 10_000 >= 15 * ask.price && ask.price * ask.qty * 4 <= 60_000_000 && ask.qty >= 2;
    });
    for (let i = 0; i < BUYS; i++) {
      const symbol = wide[i]?.code ?? sim.market.symbols()[20 + i]!.code;
      const intentKey = `i.bench-rt.${symbol}.buy.${DATE}`;
      await producers.orders.add(intentKey, {
        intentKey, symbol, side: 'buy', qty: 1, type: 'market', price: 0, tradingDate: DATE, decisionId: null, configHash: 'bench', reason: 'bench',
      });
      const notice = await waitFor(() => lines.find((l) => l.msg === 'KIS fill notice' && l.symbol === symbol), 120_000, `the notice of ${symbol}`);
      await waitFor(() => {
        const o = app.store.orders.byIntentKey(intentKey);
        return o && app.store.fills.forDate(DATE).some((f) => f.orderId === o.id) ? true : undefined;
      }, 30_000, `the fill of ${symbol}`);
      noticeToRow.push(performance.now() - notice.t);
      if (tradeToExit === null && i < wide.length && app.store.positions.get(stockCode(symbol))) {
        const crossed = await waitFor(() => lines.find((l) => l.msg === 'a real-time trade crossed an exit: exit job enqueued' && l.symbol === symbol), 120_000, 'the exit on a trade');
        const stats = app.realtime()!.session.stats();
        tradeToExit = crossed.t - notice.t;
        process.stdout.write(`stop crossed on ${symbol}: ${String(crossed.rule)} ${String(crossed.detail)} (trades received so far ${stats.trades})\n`);
      }
    }
  } finally {
    await producers.close();
    await conn.quit();
    await app.stop();
    await sim.stop();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const sorted = [...noticeToRow].sort((a, b) => a - b);
  const worst = sorted.at(-1) ?? Infinity;
  const p50 = sorted[Math.floor(sorted.length / 2)] ?? Infinity;
  const ok = worst <= TARGET_MS;
  process.stdout.write(`fill notice → fill row in SQLite (${noticeToRow.length} fills, REST +100 ms): p50 ${p50.toFixed(0)} ms, max ${worst.toFixed(0)} ms   target ≤ ${TARGET_MS} ms ${ok ? 'ok' : 'MISSED'}\n`);
  process.stdout.write(`fill notice → exit job enqueued on the first crossing trade: ${tradeToExit === null ? 'n/a' : `${tradeToExit.toFixed(0)} ms`} (reference: includes the simulator's next trade)\n`);
  if (!ok) process.exitCode = 1;
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exitCode = 1;
});
