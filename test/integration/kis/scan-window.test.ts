import { randomUUID } from 'node:crypto';
import { createServer, request } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { createReadWindow, krw, silentLogger, stockCode, systemClock } from '../../../src/domain/index.js';
import type { RankingSnapshot } from '../../../src/domain/index.js';
import { runScan } from '../../../src/scan/index.js';
import { createMemoryTokenStore } from '../../helpers/kis-fakes.js';
import { budgetFor, createJumpClock, simClient, startSim } from './sim-harness.js';

/**
 * Scans at the rate bound (issue 13): the scan's quotes go out together through the read window,
 * never more at once than its size. Counted where it matters, at the venue: a proxy in front of
 * the simulator counts the requests in flight, and which symbols were asked for.
 */
let redis: Redis;
beforeAll(() => { redis = new Redis(inject('redisUrl')); });
afterAll(async () => { await redis.quit(); });
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Counter { url: string; most: () => number; asked: string[] }

/** forwards to `target`, counting quote requests in flight; answers 500 for `broken` symbols */
async function countingProxy(target: string, broken: ReadonlySet<string>): Promise<Counter> {
  let now = 0;
  let most = 0;
  const asked: string[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const quote = url.pathname.endsWith('/inquire-price');
    const symbol = url.searchParams.get('FID_INPUT_ISCD') ?? '';
    if (quote) {
      asked.push(symbol);
      now++;
      most = Math.max(most, now);
    }
    res.on('close', () => { if (quote) now--; });
    if (quote && broken.has(symbol)) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end('broken');
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const out = request(target + (req.url ?? '/'), { method: req.method, headers: req.headers }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      out.on('error', () => res.destroy());
      out.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); }));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, most: () => most, asked };
}

describe('the scan\'s reads through the read window', () => {
  it('keeps at most the window in flight, asks for each symbol once and keeps one failure to itself', async () => {
    const clock = createJumpClock();
    // every answer takes 150 ms: one read at a time would leave the budget idle
    const { sim, url } = await startSim('live', clock, { faults: ['latency::*:150'] });
    const codes = sim.market.symbols().slice(0, 12).map((s) => s.code);
    const broken = codes[4]!;
    const proxy = await countingProxy(url, new Set([broken]));
    const client = simClient({
      env: 'live', url: proxy.url, clock, redis, lockPrefix: `test:${randomUUID()}:`, tokenStore: createMemoryTokenStore(),
      rateBudget: budgetFor(redis, 'live', 20),
    }, { retry: { attempts: 2, baseDelayMs: 10, maxDelayMs: 20 } });
    cleanups.push(async () => { await client.close(); await sim.stop(); });
    const snapshots: RankingSnapshot[] = [];
    const scans = { insert: (snap: RankingSnapshot) => snapshots.push(snap) };
    const reads = createReadWindow({ ratePerSec: 20, clock: systemClock, max: 3, initialLatencyMs: 1_000 });
    await runScan({ market: client.market, scans, clock, log: silentLogger, reads }, {
      source: 'watchlist', kinds: ['volume'], marketCode: '0000', watchlist: codes.map(stockCode), held: [],
      filter: { minPrice: krw(0), maxPrice: krw(10_000_000), minTradedValue: krw(0), topN: 50, exclude: [], excludeNamePatterns: [] },
    });
    expect(proxy.most()).toBeLessThanOrEqual(3);
    expect(proxy.most()).toBeGreaterThan(1);
    // each good symbol asked once; the broken one as often as the retry policy allows (2)
    const times = (c: string) => proxy.asked.filter((a) => a === c).length;
    for (const c of codes) expect(times(c)).toBe(c === broken ? 2 : 1);
    // the snapshot: every other symbol once, by volume, whatever order the answers came in
    const rows = snapshots[0]!.rows;
    expect(rows.map((r) => r.symbol as string).sort()).toEqual(codes.filter((c) => c !== broken).sort());
    for (let i = 1; i < rows.length; i++) expect(rows[i - 1]!.volume).toBeGreaterThanOrEqual(rows[i]!.volume);
    expect(rows.map((r) => r.rank)).toEqual(rows.map((_, i) => i + 1));
  });
});
