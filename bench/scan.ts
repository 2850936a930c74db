/**
 * Scan benchmark (bench/README.md, issue 13 "Scans at the rate bound"): a full scan of 100
 * candidates against the bound N / rate, N being every request the simulator received. The
 * daemon's pieces: the scan's rankings (volume and fluctuation) through `runScan` and the read
 * window, then one signal job per candidate through the BullMQ signal worker at the daemon's
 * concurrency (`daemon.signalConcurrency`, "auto": the read window's size), each job reading as an
 * entry evaluation does on a cold cache: the quote, 100 daily bars, the buying power — in turn.
 * The simulator runs in its own process with KIS's live limit (20/s) and 100 ms per request.
 * Reference runs (no target): the old fixed concurrency of 2, and 1 (one read at a time).
 *
 *   npm run bench:scan       (REDIS_URL to use a running Redis; otherwise a private redis-server)
 */
import { setTimeout as delay } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { jobSettings } from '../src/config/index.js';
import { krw, measuredMarket, silentLogger, stockCode } from '../src/domain/index.js';
import type { RankingSnapshot } from '../src/domain/index.js';
import { createProducers, createSignalWorker } from '../src/queues/index.js';
import { readWindowFor, signalConcurrencyOf } from '../src/runtime/index.js';
import { runScan } from '../src/scan/index.js';
import { benchClock, daemonClient, memoryTokenStore, printChecks, privateRedis, runBench, startSimChild } from './harness.js';

const VENUE_RATE = 20;
const LATENCY_MS = 100;
const CANDIDATES = 100;
const TARGET_RATIO = 1.05;

async function main(stops: (() => Promise<unknown>)[]): Promise<number> {
  const redisInfo = await privateRedis();
  stops.push(() => redisInfo.stop());
  const redis = new Redis(redisInfo.url, { maxRetriesPerRequest: null });
  stops.push(() => redis.quit());
  const sim = await startSimChild(VENUE_RATE, { symbols: CANDIDATES + 20 });
  stops.push(() => sim.stop());
  const clock = benchClock();
  const tokens = memoryTokenStore();
  const key = `bench:scan:${process.pid}`;
  const codes = (await sim.symbols()).slice(0, CANDIDATES).map(stockCode);

  // warm-up outside the timing on a budget of its own: the token, and each symbol's day built
  const warm = daemonClient({ config: {}, url: sim.url, redis, tokens, clock, budgetKey: `${key}:warm` });
  for (const c of codes) await warm.client.market.quote(c);
  await warm.client.close();
  await sim.fault(`latency::*:${LATENCY_MS}`);
  await delay(1_100); // the simulator's window forgets the warm-up

  interface Run { label: string; seconds: number; requests: number; egw: number; bound: number; ratio: number; failed: number; rows: number; jobsAtEnd: number; window: number; concurrency: unknown }
  let runNo = 0;
  async function measure(label: string, overrides: unknown): Promise<Run> {
    const n = ++runNo;
    const { client, config, ratePerSec } = daemonClient({ config: overrides, url: sim.url, redis, tokens, clock, budgetKey: `${key}:budget:${n}` });
    const reads = readWindowFor({ ratePerSec });
    // as runtime/jobs.ts: the evaluations' reads tell the window their latency
    const market = measuredMarket(client.market, reads);
    const settings = jobSettings(config).scan;
    const prefix = `${key}:q${n}`;
    const producers = createProducers(redis, prefix, silentLogger);
    let done = 0;
    let failed = 0;
    let finished!: () => void;
    const allDone = new Promise<void>((resolve) => { finished = resolve; });
    const worker = createSignalWorker(redis, prefix, signalConcurrencyOf(config, reads), async (job) => {
      const symbol = stockCode(job.symbol);
      try {
        const q = await market.quote(symbol, { lane: 'signal' });
        await market.dailyBars(symbol, 100, { lane: 'signal' });
        await client.broker.buyingPower(symbol, 'limit', krw(q.price), { lane: 'signal' });
      } catch (err) {
        failed += 1;
        process.stderr.write(`  ${job.symbol}: ${err instanceof Error ? err.message : String(err)}\n`);
      }
      done += 1;
      if (done === CANDIDATES) finished();
    }, silentLogger);
    await client.market.quote(codes[0]!); // connected, script loaded (before the count starts)
    await delay(1_100); // the simulator's window forgets what went before

    const before = await sim.stats();
    const t0 = performance.now();
    worker.run();
    const snapshots: RankingSnapshot[] = [];
    await runScan({ market: client.market, scans: { insert: (s) => snapshots.push(s) }, clock, log: silentLogger, reads }, {
      source: 'rankings', kinds: settings.kinds, marketCode: settings.marketCode, watchlist: [], held: [],
      filter: { ...settings.filter, exclude: [...settings.filter.exclude] },
    });
    const day = '20260312';
    for (const c of codes) {
      await producers.signals.add(`s.entry.${day}.bench.${c}`, {
        kind: 'entry', strategy: null, symbol: c, name: '', tradingDate: day, scanSnapshotIds: [], candidate: null, enqueuedAt: clock.now(),
      });
    }
    await allDone;
    const seconds = (performance.now() - t0) / 1000;
    const after = await sim.stats();
    const requests = after.requests - before.requests;
    const bound = requests / ratePerSec;
    const run: Run = {
      label, seconds, requests, egw: after.rateLimited - before.rateLimited, bound, ratio: seconds / bound, failed,
      rows: snapshots.reduce((k, x) => k + x.rows.length, 0), jobsAtEnd: worker.worker.concurrency, window: reads.size(),
      concurrency: config.daemon.signalConcurrency,
    };
    await worker.close();
    await producers.close();
    await client.close();
    return run;
  }

  const runs = [
    await measure('daemon defaults', {}),
    await measure('reference: signalConcurrency 2 (the old default)', { daemon: { signalConcurrency: 2 } }),
    await measure('reference: signalConcurrency 1 (one read at a time)', { daemon: { signalConcurrency: 1 } }),
  ];
  const rate = runs[0]!.requests / runs[0]!.bound;
  const out = (s: string) => { process.stdout.write(`${s}\n`); };
  out(`A scan (volume + fluctuation rankings, ${runs[0]!.rows} rows) and ${CANDIDATES} candidates' evaluations (quote, 100 daily`);
  out(`bars, buying power each) through the daemon's client and signal worker at the default live rate ${rate}/s;`);
  out(`simulator: live limit ${VENUE_RATE}/s per app key, +${LATENCY_MS} ms per request. Bound = requests at the venue / rate.`);
  out('');
  out(`${'run'.padEnd(50)} ${'jobs at once'.padStart(12)} ${'requests'.padStart(8)} ${'EGW00201'.padStart(8)} ${'s'.padStart(7)} ${'bound s'.padStart(7)} ${'÷bound'.padStart(7)}`);
  for (const r of runs) {
    out(`${r.label.padEnd(50)} ${`${JSON.stringify(r.concurrency)} → ${r.jobsAtEnd}`.padStart(12)} ${String(r.requests).padStart(8)} `
      + `${String(r.egw).padStart(8)} ${r.seconds.toFixed(2).padStart(7)} ${r.bound.toFixed(2).padStart(7)} ${r.ratio.toFixed(3).padStart(7)}`);
  }
  out('');
  const missed = printChecks([
    { what: 'daemon defaults: elapsed ÷ bound', figure: Number(runs[0]!.ratio.toFixed(3)), target: TARGET_RATIO, unit: '' },
    { what: 'daemon defaults: failed evaluations', figure: runs[0]!.failed, target: 0, unit: '' },
    { what: 'daemon defaults: EGW00201', figure: runs[0]!.egw, target: 0, unit: '' },
  ], out);
  out(JSON.stringify({ candidates: CANDIDATES, latencyMs: LATENCY_MS, runs }));

  const left = await redis.keys(`*${key}*`);
  if (left.length > 0) await redis.del(...left);
  return missed;
}

runBench(main);
