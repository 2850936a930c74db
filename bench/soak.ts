/**
 * Soak benchmark (see bench/README.md, issue 13): the built daemon in sim mode, as `npm start` runs
 * it (its own simulator and private Redis), on a clock running `SPEED`× real time through several
 * simulated days, nights and a weekend included. Every SAMPLE_MS it reads the daemon's own
 * /metrics (resident memory, event-loop lag p99), and at 03:00 of every simulated night it has the
 * daemon write a V8 heap snapshot, which V8 takes after a full GC: the live heap then is what the
 * daemon keeps. (A night's lowest RSS or heap-used without that GC says more about when the
 * collector last ran than about what is held.) Prints the live heap each night and its slope over
 * the nights after the first (target ≤ 0.5 MiB a day), the nights' lowest RSS for reference, the
 * worst event-loop lag in the session and the error lines; each figure beside its target, exit 1
 * on a miss. The snapshots stay in a temporary folder, named, for bench/heap-diff.ts.
 *
 * The simulator runs in a process of its own (`kis-trader sim` on the same pinned clock), so the
 * figures are the daemon's alone; `inprocess` runs it inside the daemon as `npm start` does, where
 * its synthetic market's history (day plans, bars) counts too.
 *
 *   npm run build && npx tsx bench/soak.ts [days=5] [speed=600] [separate|inprocess]
 */
import { spawn } from 'node:child_process';
import Database from 'better-sqlite3';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { epochMs, kstDateOf, kstInstant, kstSecondOfDay, systemClock } from '../src/domain/index.js';
import type { EpochMs, TradingDate } from '../src/domain/index.js';
import { loadCalendar } from '../src/runtime/index.js';
import { freePort } from './harness.js';

const DAYS = Number(process.argv[2] ?? 5);
const SPEED = Number(process.argv[3] ?? 600);
const SEPARATE = (process.argv[4] ?? 'separate') === 'separate';
const SAMPLE_MS = 1000;
const MiB = 1024 * 1024;
const TARGET = { heapSlopeMiBPerDay: 0.5, lagP99Ms: 100 };
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

/** the live bytes of a V8 heap snapshot: the sum of its nodes' self sizes */
function liveHeap(file: string): number {
  const snap = JSON.parse(readFileSync(file, 'utf8')) as { snapshot: { meta: { node_fields: string[] } }; nodes: number[] };
  const width = snap.snapshot.meta.node_fields.length;
  const at = snap.snapshot.meta.node_fields.indexOf('self_size');
  let total = 0;
  for (let i = at; i < snap.nodes.length; i += width) total += snap.nodes[i]!;
  return total;
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
  let simChild: ReturnType<typeof spawn> | null = null;
  if (SEPARATE) {
    const simPort = await freePort();
    simChild = spawn(process.execPath, [join(ROOT, 'dist', 'cli', 'main.js'), 'sim', '--port', String(simPort)], {
      cwd: ROOT, env: { PATH: env.PATH!, HOME: env.HOME!, KIS_TRADER_CLOCK_ANCHOR: env.KIS_TRADER_CLOCK_ANCHOR! }, stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      simChild!.stdout!.on('data', (d: Buffer) => { if (d.toString().includes('listening at')) resolve(); });
      simChild!.on('exit', (code) => reject(new Error(`kis-trader sim exited with ${code}`)));
    });
    env.KIS_TRADER_SIM_URL = `http://127.0.0.1:${simPort}`;
  }
  const snapshots = mkdtempSync(join(tmpdir(), 'kis-soak-heap-'));
  const nodeArgs = ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${snapshots}`];
  const child = spawn(process.execPath, [...nodeArgs, '--enable-source-maps', join(ROOT, 'dist', 'main.js')], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const errors: string[] = [];
  let tail = '';
  const keep = (d: Buffer): void => {
    tail = (tail + d.toString()).slice(-4000);
    for (const line of d.toString().split('\n')) if (/"level":(50|60)/.test(line)) errors.push(line.slice(0, 400));
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exited = false;
  child.on('exit', () => { exited = true; });

  const samples: Sample[] = [];
  const simNow = (): EpochMs => epochMs(simStart + Math.floor((Date.now() - Number(env.KIS_TRADER_CLOCK_ANCHOR!.split('@')[1]!.split('x')[0])) * SPEED));
  console.log(`soak: ${DAYS} simulated days from ${first} 08:30 KST at ${SPEED}×, simulator ${SEPARATE ? 'in its own process' : 'in the daemon'} (${((DAYS * 86_400) / SPEED / 60).toFixed(1)} min), sampling /metrics every ${SAMPLE_MS} ms`);
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
    if (kstSecondOfDay(sim) >= 3 * 3600 && day !== snappedDay) {
      snappedDay = day;
      child.kill('SIGUSR2');
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
  simChild?.kill('SIGINT');
  // what the daemon did meanwhile: a soak of an idle daemon would prove little
  const db = new Database(env.KIS_TRADER__STORE__PATH, { readonly: true });
  const count = (table: string): number => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  const did = { orders: count('orders'), fills: count('fills'), decisions: count('decisions'), scans: count('scan_snapshots') };
  db.close();
  rmSync(dir, { recursive: true, force: true });
  if (died) {
    console.log(`the daemon exited during the soak:\n${tail}`);
    process.exit(1);
  }

  // night n: 20:00 of day n to 07:00 of day n+1, KST; its heap snapshot was asked for at 03:00
  const files = readdirSync(snapshots).filter((f) => f.endsWith('.heapsnapshot')).sort();
  const nights: { date: string; rss: number; live: number | null }[] = [];
  for (let d = 0; d < DAYS - 1; d++) {
    const from = simStart + d * 86_400_000 + (20 - 8.5) * 3_600_000;
    const inNight = samples.filter((s) => s.sim >= from && s.sim < from + 11 * 3_600_000);
    if (inNight.length === 0) continue;
    const file = files[nights.length];
    nights.push({
      date: kstDateOf(epochMs(from)),
      rss: Math.min(...inNight.map((s) => s.rss)) / MiB,
      live: file === undefined ? null : liveHeap(join(snapshots, file)) / MiB,
    });
  }
  console.log('night of   | live heap (after a full GC) | lowest RSS');
  for (const n of nights) console.log(`${n.date}   | ${n.live === null ? '—' : `${n.live.toFixed(2).padStart(7)} MiB`}                 | ${n.rss.toFixed(1).padStart(6)} MiB`);
  const after = nights.slice(1).filter((n) => n.live !== null).map((n, i) => [i, n.live!] as [number, number]);
  const heapSlope = slope(after);
  // the session's samples: night-time lag is the snapshots' own pause
  const session = samples.filter((s) => { const t = kstSecondOfDay(s.sim); return t >= 9 * 3600 && t < 15.5 * 3600; });
  const lagP99 = Math.max(...session.map((s) => s.lagP99)) * 1000;
  const rows: [string, number, number][] = [
    ['live heap slope over the nights after the first (MiB/day)', heapSlope, TARGET.heapSlopeMiBPerDay],
    ['event-loop lag p99 in the session, worst sample (ms)', lagP99, TARGET.lagP99Ms],
    ['error and fatal log lines', errors.length, 0],
  ];
  let missed = after.length < 2 ? 1 : 0;
  if (after.length < 2) console.log('too few nights to judge a slope: run at least 4 days');
  for (const [name, value, target] of rows) {
    const ok = value <= target;
    if (!ok) missed++;
    console.log(`${ok ? 'ok  ' : 'MISS'} ${name}: ${value.toFixed(2)} (target ≤ ${target})`);
  }
  for (const e of errors.slice(0, 5)) console.log(`  ${e}`);
  console.log(`the daemon meanwhile: ${did.scans} scans, ${did.decisions} decisions, ${did.orders} orders, ${did.fills} fills`);
  console.log(`${samples.length} samples; peak RSS ${(Math.max(...samples.map((s) => s.rss)) / MiB).toFixed(1)} MiB; heap snapshots in ${snapshots}`);
  process.exit(missed === 0 ? 0 : 1);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
