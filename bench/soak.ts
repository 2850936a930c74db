/**
 * Soak benchmark (see bench/README.md, issue 13): the built daemon in sim mode, as `npm start` runs
 * it (its own simulator and private Redis), on a clock running `SPEED`× real time through several
 * simulated days, nights and a weekend included. Every SAMPLE_MS it reads the daemon's own
 * /metrics: resident memory, V8 heap used, event-loop lag p99. Prints per simulated day the night's
 * lowest RSS and heap (the night is quiet: what is still held then is what the daemon keeps), the
 * slope of those lows over the days after the first, and the worst event-loop lag; each figure
 * beside its target, exit 1 on a miss.
 *
 *   npm run build && npx tsx bench/soak.ts [days=7] [speed=600]
 *
 * SOAK_SNAPSHOTS=DIR writes a V8 heap snapshot (taken after a full GC) into DIR at 03:00 of every
 * simulated night, for bench/heap-diff.ts to compare.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { epochMs, kstDateOf, kstInstant, kstSecondOfDay, systemClock } from '../src/domain/index.js';
import type { EpochMs, TradingDate } from '../src/domain/index.js';
import { loadCalendar } from '../src/runtime/index.js';
import { freePort } from './harness.js';

const DAYS = Number(process.argv[2] ?? 7);
const SPEED = Number(process.argv[3] ?? 600);
const SAMPLE_MS = 1000;
const MiB = 1024 * 1024;
const TARGET = { rssSlopeMiBPerDay: 1, heapSlopeMiBPerDay: 0.5, lagP99Ms: 100 };
const ROOT = join(import.meta.dirname, '..');

/** least-squares slope of y over x */
function slope(points: readonly [number, number][]): number {
  const n = points.length;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const sxy = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
  const sxx = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  return sxx === 0 ? 0 : sxy / sxx;
}

function metric(text: string, name: string): number | null {
  const m = new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.eE+-]+)$`, 'm').exec(text);
  return m ? Number(m[1]) : null;
}

interface Sample { sim: EpochMs; rss: number; heap: number; lagP99: number }

async function main(): Promise<void> {
  const calendar = loadCalendar(join(ROOT, 'config', 'krx-calendar.json'));
  let first: TradingDate = kstDateOf(systemClock.now());
  if (!calendar.isTradingDay(first)) first = calendar.nextTradingDay(first);
  const simStart = kstInstant(first, '083000');
  const simEnd = epochMs(simStart + DAYS * 86_400_000);
  const dir = mkdtempSync(join(tmpdir(), 'kis-soak-'));
  const port = await freePort();
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? dir, TZ: 'Asia/Seoul',
    KIS_TRADER_MODE: 'sim',
    KIS_TRADER_CLOCK_ANCHOR: `${simStart}@${Date.now()}x${SPEED}`,
    KIS_TRADER__DATA_DIR: join(dir, 'data'),
    KIS_TRADER__STORE__PATH: join(dir, 'data', 'sim.sqlite'),
    KIS_TRADER__STORE__BACKUPS__DIR: join(dir, 'data', 'backups'),
    KIS_TRADER__METRICS__ENABLED: 'true',
    KIS_TRADER__METRICS__PORT: String(port),
    KIS_TRADER__LOG__LEVEL: 'warn',
  };
  const snapshots = process.env.SOAK_SNAPSHOTS;
  const nodeArgs = snapshots ? ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${snapshots}`] : [];
  const child = spawn(process.execPath, [...nodeArgs, '--enable-source-maps', join(ROOT, 'dist', 'main.js')], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let errors = 0;
  let tail = '';
  const keep = (d: Buffer): void => {
    tail = (tail + d.toString()).slice(-4000);
    errors += (d.toString().match(/"level":(50|60)/g) ?? []).length;
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exited = false;
  child.on('exit', () => { exited = true; });

  const samples: Sample[] = [];
  const simNow = (): EpochMs => epochMs(simStart + Math.floor((Date.now() - Number(env.KIS_TRADER_CLOCK_ANCHOR!.split('@')[1]!.split('x')[0])) * SPEED));
  console.log(`soak: ${DAYS} simulated days from ${first} 08:30 KST at ${SPEED}× (${((DAYS * 86_400) / SPEED / 60).toFixed(1)} min), sampling /metrics every ${SAMPLE_MS} ms`);
  let lastDay = '';
  let snappedDay = kstDateOf(simStart);
  while (simNow() < simEnd && !exited) {
    await delay(SAMPLE_MS);
    let text: string;
    try {
      text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    } catch {
      continue; // still starting
    }
    const rss = metric(text, 'process_resident_memory_bytes');
    const heap = metric(text, 'nodejs_heap_size_used_bytes');
    const lag = metric(text, 'nodejs_eventloop_lag_p99_seconds');
    if (rss === null || heap === null || lag === null) continue;
    const sim = simNow();
    samples.push({ sim, rss, heap, lagP99: lag });
    const day = kstDateOf(sim);
    if (snapshots && kstSecondOfDay(sim) >= 3 * 3600 && day !== snappedDay) {
      snappedDay = day;
      child.kill('SIGUSR2');
      process.stderr.write(`  heap snapshot asked at ${day} 03:00\n`);
    }
    if (day !== lastDay) {
      lastDay = day;
      const hhmm = `${String(Math.floor(kstSecondOfDay(sim) / 3600)).padStart(2, '0')}:${String(Math.floor((kstSecondOfDay(sim) % 3600) / 60)).padStart(2, '0')}`;
      process.stderr.write(`  ${day} ${hhmm}: rss ${(rss / MiB).toFixed(1)} MiB, heap ${(heap / MiB).toFixed(1)} MiB\n`);
    }
  }
  const died = exited;
  child.kill('SIGINT');
  await new Promise((r) => { if (exited) r(null); else child.on('exit', r); });
  rmSync(dir, { recursive: true, force: true });
  if (died) {
    console.log(`the daemon exited during the soak:\n${tail}`);
    process.exit(1);
  }

  // night n: 20:00 of day n to 07:00 of day n+1, KST
  const nights: { date: string; rss: number; heap: number }[] = [];
  for (let d = 0; d < DAYS - 1; d++) {
    const from = simStart + d * 86_400_000 + (20 - 8.5) * 3_600_000;
    const to = from + 11 * 3_600_000;
    const inNight = samples.filter((s) => s.sim >= from && s.sim < to);
    if (inNight.length === 0) continue;
    nights.push({
      date: kstDateOf(epochMs(from)),
      rss: Math.min(...inNight.map((s) => s.rss)) / MiB,
      heap: Math.min(...inNight.map((s) => s.heap)) / MiB,
    });
  }
  console.log('night of   | lowest RSS | lowest heap');
  for (const n of nights) console.log(`${n.date}   | ${n.rss.toFixed(1).padStart(6)} MiB | ${n.heap.toFixed(1).padStart(6)} MiB`);
  const after = nights.slice(1).map((n, i) => [i, n] as const);
  const rssSlope = slope(after.map(([i, n]) => [i, n.rss]));
  const heapSlope = slope(after.map(([i, n]) => [i, n.heap]));
  const lagP99 = Math.max(...samples.map((s) => s.lagP99)) * 1000;
  const rows: [string, number, number, string][] = [
    ['night-low RSS slope after the first night (MiB/day)', rssSlope, TARGET.rssSlopeMiBPerDay, '≤'],
    ['night-low heap slope after the first night (MiB/day)', heapSlope, TARGET.heapSlopeMiBPerDay, '≤'],
    ['event-loop lag p99, worst sample (ms)', lagP99, TARGET.lagP99Ms, '≤'],
    ['error and fatal log lines', errors, 0, '≤'],
  ];
  let missed = after.length < 2 ? 1 : 0;
  if (after.length < 2) console.log('too few nights to judge a slope: run at least 4 days');
  for (const [name, value, target, op] of rows) {
    const ok = value <= target;
    if (!ok) missed++;
    console.log(`${ok ? 'ok  ' : 'MISS'} ${name}: ${value.toFixed(2)} (target ${op} ${target})`);
  }
  console.log(`${samples.length} samples; peak RSS ${(Math.max(...samples.map((s) => s.rss)) / MiB).toFixed(1)} MiB`);
  process.exit(missed === 0 ? 0 : 1);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
