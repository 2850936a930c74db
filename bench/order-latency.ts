/**
 * Order latency benchmark (bench/README.md, issue 13 "Orders ahead of everything"): from the
 * moment an order is decided to the moment its POST reaches the venue, and to its answer, p50 and
 * p99, with the budget idle and under a scan that saturates it. The production KIS client built
 * from the config as the daemon builds it (venueClientOptions, rateBudgetOptions), against the
 * simulator in its own process with KIS's live limit (20/s) and 100 ms added to every request; a
 * front door in the simulator's process notes when each POST arrived, on the wall clock both
 * processes share. With `kis.useHashkey: false` the targets apply; with the default (true) the
 * figures are shown for reference (the hashkey is one more round trip before the order can leave).
 *
 *   npm run bench:orders     (REDIS_URL to use a running Redis; otherwise a private redis-server)
 */
import { setMaxListeners } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { krw, mapInWindow, shares, stockCode } from '../src/domain/index.js';
import type { KisClient } from '../src/kis/index.js';
import { readWindowFor } from '../src/runtime/index.js';
import { benchClock, daemonClient, memoryTokenStore, percentile, printChecks, privateRedis, runBench, startSimChild } from './harness.js';

const VENUE_RATE = 20;
const LATENCY_MS = 100;
const ORDERS = 30;
const ORDER_EVERY_MS = 400;
/** more than the budget passes while the orders are placed: the scan is cut short after them */
const SCAN_READS = 1_000;
const TARGET_POST_MS = 100;
const TARGET_ANSWER_MS = 200;

const now = () => performance.timeOrigin + performance.now();

async function main(stops: (() => Promise<unknown>)[]): Promise<number> {
  const redisInfo = await privateRedis();
  stops.push(() => redisInfo.stop());
  const redis = new Redis(redisInfo.url);
  stops.push(() => redis.quit());
  const sim = await startSimChild(VENUE_RATE, { door: true });
  stops.push(() => sim.stop());
  const clock = benchClock();
  const tokens = memoryTokenStore();
  const symbols = ['005930', '000660', '035420'].map(stockCode);
  let budgetNo = 0;

  /** the daemon's trading client for a config with `kis.useHashkey` = useHashkey, on a budget of its own */
  const clientFor = (useHashkey: boolean): { client: KisClient; rate: number } => {
    const d = daemonClient({
      config: { kis: { useHashkey } }, url: sim.url, redis, tokens, clock, budgetKey: `bench:orders:${process.pid}:${++budgetNo}`,
    });
    return { client: d.client, rate: d.ratePerSec };
  };

  // warm-up outside the timing: one token for every client, each symbol's day built
  const warm = clientFor(true);
  let price = 0;
  for (const s of symbols) {
    const q = await warm.client.market.quote(s);
    if (s === symbols[0]) price = q.lowerLimit; // a buy that rests in the book
  }
  await warm.client.close();
  await sim.fault(`latency::*:${LATENCY_MS}`);

  interface Row { run: string; hashkey: boolean; postMs: number[]; answerMs: number[]; scanPerSec: number | null; failed: number }
  const rows: Row[] = [];

  async function measure(useHashkey: boolean, scan: boolean): Promise<Row> {
    await delay(1_100); // the simulator's window forgets the previous run
    const { client, rate } = clientFor(useHashkey);
    await client.market.quote(symbols[1]!); // connected, script loaded
    await sim.arrivals();
    const row: Row = { run: scan ? 'under a saturating scan' : 'idle', hashkey: useHashkey, postMs: [], answerMs: [], scanPerSec: null, failed: 0 };
    const stop = new AbortController();
    setMaxListeners(SCAN_READS + 10, stop.signal); // one listener per scan read waiting on it
    let answered = 0;
    const reads = readWindowFor({ ratePerSec: rate });
    const scanning = scan
      ? mapInWindow(reads, Array.from({ length: SCAN_READS }, (_, i) => symbols[i % symbols.length]!), async (s) => {
        await client.market.quote(s, { lane: 'scan', signal: stop.signal });
        answered += 1;
      })
      : Promise.resolve([]);
    if (scan) await delay(2_000); // the scan holds the budget: every slot is wanted
    const from = performance.now();
    const answeredFrom = answered;
    for (let i = 0; i < ORDERS; i++) {
      const decided = now();
      try {
        await client.broker.placeOrder({ symbol: symbols[0]!, side: 'buy', type: 'limit', qty: shares(1), price: krw(price) });
      } catch (err) {
        row.failed += 1;
        process.stderr.write(`  order failed: ${err instanceof Error ? err.message : String(err)}\n`);
      }
      row.answerMs.push(now() - decided);
      const post = (await sim.arrivals()).filter((a) => a.path.endsWith('/order-cash')).at(-1);
      if (post) row.postMs.push(post.at - decided);
      await delay(ORDER_EVERY_MS);
    }
    if (scan) row.scanPerSec = (answered - answeredFrom) / ((performance.now() - from) / 1000);
    stop.abort(new Error('bench: scan cut short'));
    await scanning;
    await client.close();
    rows.push(row);
    return row;
  }

  const checks: Array<{ what: string; figure: number; target: number; unit: string }> = [];
  for (const scan of [false, true]) {
    const r = await measure(false, scan);
    checks.push(
      { what: `${r.run}, hashkey off: decision → POST at the venue, p99`, figure: Math.round(percentile(r.postMs, 99)), target: TARGET_POST_MS, unit: ' ms' },
      { what: `${r.run}, hashkey off: decision → answer, p99`, figure: Math.round(percentile(r.answerMs, 99)), target: TARGET_ANSWER_MS, unit: ' ms' },
      { what: `${r.run}, hashkey off: orders not answered`, figure: r.failed + (ORDERS - r.postMs.length), target: 0, unit: '' },
    );
  }
  for (const scan of [false, true]) await measure(true, scan);

  const out = (s: string) => { process.stdout.write(`${s}\n`); };
  out(`${ORDERS} limit buys, one every ${ORDER_EVERY_MS} ms after the previous answer, through the daemon's client at the`);
  out(`default live rate; simulator: live limit ${VENUE_RATE}/s per app key, +${LATENCY_MS} ms per request. Saturating scan:`);
  out(`${SCAN_READS} scan-lane quotes through the read window, started 2 s before the first order. p99 of ${ORDERS} is their max.`);
  out('Targets apply with kis.useHashkey false; the default (true) is shown for reference.');
  out('');
  out(`${'run'.padEnd(26)} ${'hashkey'.padEnd(8)} ${'→ POST p50/p99 (ms)'.padStart(20)} ${'→ answer p50/p99 (ms)'.padStart(22)} ${'scan reads/s'.padStart(13)}`);
  for (const r of rows) {
    const pair = (xs: number[]) => `${percentile(xs, 50).toFixed(0)} / ${percentile(xs, 99).toFixed(0)}`;
    out(`${r.run.padEnd(26)} ${(r.hashkey ? 'on' : 'off').padEnd(8)} ${pair(r.postMs).padStart(20)} ${pair(r.answerMs).padStart(22)} `
      + `${(r.scanPerSec === null ? '—' : r.scanPerSec.toFixed(1)).padStart(13)}`);
  }
  out('');
  const missed = printChecks(checks, out);
  out(JSON.stringify({ orders: ORDERS, latencyMs: LATENCY_MS, venueRate: VENUE_RATE, rows }));

  return missed;
}

runBench(main);
