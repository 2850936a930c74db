import { expect } from 'vitest';
import { OPEN_STATUSES, seededRandom } from '../../src/domain/index.js';
import type { TradingDate } from '../../src/domain/index.js';
import { SIM_DEFAULT_CREDENTIALS } from '../../src/sim/index.js';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { DECISIONS_QUEUE, ORDERS_QUEUE } from '../../src/queues/index.js';
import { readRows, spawnDaemon, waitFor, waitForAsync } from './daemon.js';
import type { DaemonEnv, DaemonProcess, SimHarness } from './daemon.js';

/**
 * The chaos suite's shared parts (issue 14): an eager daemon configuration that trades in and out
 * many times a session, a seeded kill -9 loop, and the end check that compares the daemon's trade
 * log with the simulator's own books — orders, fills, positions and cash.
 */
export const ACCOUNT = '50000000-01';

/** Enters often (any move, any volume) and exits fast, so kills meet orders in every state. */
export const EAGER: Record<string, string> = {
  KIS_TRADER__SCAN__TOP_N: '10',
  KIS_TRADER__STRATEGIES__MOMENTUM_VOLUME__PARAMS__MIN_CHANGE_PCT: '-30',
  KIS_TRADER__STRATEGIES__MOMENTUM_VOLUME__PARAMS__MAX_CHANGE_PCT: '30',
  KIS_TRADER__STRATEGIES__MOMENTUM_VOLUME__PARAMS__MIN_VOLUME_RATIO: '0.01',
  KIS_TRADER__STRATEGIES__MOMENTUM_VOLUME__PARAMS__REQUIRE_ABOVE_MA: 'false',
  KIS_TRADER__STRATEGIES__MOMENTUM_VOLUME__EXITS__STOP_LOSS_PCT: '0.5',
  KIS_TRADER__STRATEGIES__MOMENTUM_VOLUME__EXITS__TAKE_PROFIT_PCT: '0.5',
  KIS_TRADER__STRATEGIES__MOMENTUM_VOLUME__MAX_POSITIONS: '8',
  KIS_TRADER__RISK__MAX_POSITIONS: '8',
  KIS_TRADER__RISK__MAX_ORDERS_PER_DAY: '200',
  KIS_TRADER__RISK__REENTRY_COOLDOWN_MINUTES: '5',
  KIS_TRADER__RISK__MAX_DAILY_LOSS_PCT: '10',
  // at 60× a queue of a few real seconds is minutes of sim time
  KIS_TRADER__ORDERS__MAX_INTENT_AGE_SECONDS: '1800',
  KIS_TRADER__ORDERS__UNKNOWN_GRACE_SECONDS: '10',
};

/**
 * The last run only settles: no new entries (no stock moves 29–30 % in these sessions) and exits
 * far away, so it reconciles and closes what the killed runs left open, then stops with the books
 * quiet enough to compare.
 */
export const SETTLE_ONLY: Record<string, string> = {
  KIS_TRADER__STRATEGIES__MOMENTUM_VOLUME__PARAMS__MIN_CHANGE_PCT: '29',
  KIS_TRADER__STRATEGIES__MOMENTUM_VOLUME__PARAMS__MAX_CHANGE_PCT: '30',
  KIS_TRADER__STRATEGIES__MOMENTUM_VOLUME__EXITS__STOP_LOSS_PCT: '30',
  KIS_TRADER__STRATEGIES__MOMENTUM_VOLUME__EXITS__TAKE_PROFIT_PCT: '100',
};

export interface Killer {
  kills: number;
  /** kills that found an order between intent and answer ('submitting' in the trade log) */
  inFlight: number;
  current: DaemonProcess | null;
}

/**
 * Starts the daemon `kills` times and SIGKILLs each run at a seeded random moment: most a while
 * after it said ready (trading), some during start-up (reconciling). Returns the last, live run.
 */
export async function killLoop(d: DaemonEnv, opts: { kills: number; seed: number; extraEnv?: Record<string, string>; onCycle?: (i: number) => Promise<void> }, track: (p: DaemonProcess) => void): Promise<Killer> {
  const rand = seededRandom(opts.seed);
  const k: Killer = { kills: 0, inFlight: 0, current: null };
  for (let i = 0; i < opts.kills; i++) {
    const p = spawnDaemon({ ...d.env, ...opts.extraEnv });
    track(p);
    k.current = p;
    if (rand() < 0.2) {
      await sleep(300 + rand() * 2500);
    } else {
      await p.waitForLog((l) => l.msg === 'kis-trader ready', 60_000);
      await sleep(200 + rand() * 4500);
    }
    if (p.child.exitCode !== null || p.child.signalCode !== null) {
      throw new Error(`the daemon exited by itself before kill ${i + 1}: ${JSON.stringify(await p.exited)}\n${p.lines.slice(-8).map((l) => JSON.stringify(l)).join('\n')}\n${p.stderr.join('')}`);
    }
    p.child.kill('SIGKILL');
    await p.exited;
    k.kills += 1;
    if (readRows<{ n: number }>(d.dbPath, "SELECT COUNT(*) AS n FROM orders WHERE status = 'submitting'")[0]!.n > 0) k.inFlight += 1;
    await opts.onCycle?.(i);
  }
  const last = spawnDaemon({ ...d.env, ...opts.extraEnv, ...SETTLE_ONLY });
  track(last);
  k.current = last;
  await last.waitForLog((l) => l.msg === 'kis-trader ready', 60_000);
  return k;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

const OPEN_SQL = `(${OPEN_STATUSES.map((x) => `'${x}'`).join(', ')})`;

/**
 * Waits until no decision or order job waits and neither the trade log nor the exchange has an
 * order still open. An order row is written (and committed as 'submitting') before its POST, so
 * a job still waiting is an order still to come. A job a killed run held stays 'active' until its
 * lock runs out (a minute); it is not waited for: with no row it was never sent, and with a row
 * the row's status says whether it is done.
 */
export async function settle(h: SimHarness, d: DaemonEnv, date: TradingDate, timeoutMs = 180_000): Promise<void> {
  const connection = new Redis(d.env.REDIS_URL!, { maxRetriesPerRequest: null });
  const queues = [ORDERS_QUEUE, DECISIONS_QUEUE].map((name) => new Queue(name, { connection, prefix: d.prefix }));
  try {
    await waitForAsync(async () => {
      let waiting = 0;
      for (const q of queues) {
        const c = await q.getJobCounts('waiting', 'delayed', 'prioritized', 'waiting-children');
        waiting += Object.values(c).reduce((s, n) => s + n, 0);
      }
      return waiting === 0 && quiet(h, d, date) ? true : undefined;
    }, timeoutMs, 'no waiting job and every order closed in the trade log and at the exchange');
  } finally {
    for (const q of queues) await q.close();
    await connection.quit();
  }
}

/** No order open in the trade log, none working at the exchange. */
export function quiet(h: SimHarness, d: DaemonEnv, date: TradingDate): boolean {
  const open = readRows<{ n: number }>(d.dbPath, `SELECT COUNT(*) AS n FROM orders WHERE status IN ${OPEN_SQL}`)[0]!.n;
  return open === 0 && h.sim.exchange.orders(ACCOUNT, date).every((o) => o.status !== 'working');
}

/**
 * Settles with a settle-only run and stops it; when a job a killed run held came free meanwhile
 * and opened an order, runs once more, so the books are compared at rest.
 */
export async function settleAndStop(h: SimHarness, d: DaemonEnv, date: TradingDate, run: DaemonProcess, track: (p: DaemonProcess) => void): Promise<number> {
  let p = run;
  for (let runs = 1; ; runs++) {
    await settle(h, d, date);
    p.child.kill('SIGINT');
    expect((await p.exited).code).toBe(0);
    if (quiet(h, d, date)) return runs;
    if (runs === 3) throw new Error('orders still open after three settle-only runs');
    p = spawnDaemon({ ...d.env, ...SETTLE_ONLY });
    track(p);
    await p.waitForLog((l) => l.msg === 'kis-trader ready', 60_000);
  }
}

export interface Books {
  orders: number;
  fills: number;
  duplicates: number;
  unlinked: number;
  filledQty: number;
  /** entry or exit decisions whose order never reached the trade log (a job lost or still held): missed, never sent */
  unplaced: number;
  /** distinct exit intent keys among them */
  unplacedExitKeys: number;
  /** the trade log's commission and tax less the exchange's (rounding of merged executions) */
  costDiffWon: number;
}

interface OrderRow { id: number; intent_key: string; venue_order_id: string | null; status: string; filled_qty: number; symbol: string; side: string; decision_id: number | null; origin: string }
interface FillRow { order_id: number; symbol: string; side: string; qty: number; value: number; commission: number; tax: number }

/**
 * The end check, from the simulator's own records: every order the exchange booked is one order
 * of the trade log (none sent twice, none the daemon lost track of), every fill is in SQLite
 * once (per venue order the fills sum to the exchange's filled quantity and value), and the
 * positions and cash the fills imply are the exchange's.
 */
export function checkBooks(h: SimHarness, d: DaemonEnv, date: TradingDate): Books {
  const rows = readRows<OrderRow>(d.dbPath, 'SELECT id, intent_key, venue_order_id, status, filled_qty, symbol, side, decision_id, origin FROM orders ORDER BY id');
  const fills = readRows<FillRow>(d.dbPath, 'SELECT order_id, symbol, side, qty, value, commission, tax FROM fills ORDER BY id');
  const simOrders = h.sim.exchange.orders(ACCOUNT, date).filter((o) => o.kind === 'new');
  const byVenue = new Map<string, OrderRow[]>();
  for (const r of rows) if (r.venue_order_id !== null) byVenue.set(r.venue_order_id, [...(byVenue.get(r.venue_order_id) ?? []), r]);

  // An exchange order no trade-log row claims was sent and forgotten: the daemon may have sent it again.
  const unlinked = simOrders.filter((o) => (byVenue.get(o.odno) ?? []).length === 0);
  const doubleBooked = simOrders.filter((o) => (byVenue.get(o.odno) ?? []).length > 1);
  // No decision reached the exchange twice, and every linked row is an order the exchange has.
  const perDecision = new Map<number, number>();
  for (const r of rows) if (r.venue_order_id !== null && r.decision_id !== null) perDecision.set(r.decision_id, (perDecision.get(r.decision_id) ?? 0) + 1);
  const decisionsTwice = [...perDecision.entries()].filter(([, n]) => n > 1);
  const duplicates = unlinked.length + doubleBooked.length + decisionsTwice.length;
  expect({ unlinked: unlinked.map((o) => o.odno), doubleBooked: doubleBooked.map((o) => o.odno), decisionsTwice }).toEqual({ unlinked: [], doubleBooked: [], decisionsTwice: [] });
  expect(rows.filter((r) => r.venue_order_id !== null && r.origin === 'daemon').length).toBe(simOrders.length);
  expect(h.sim.exchange.ordersReceived).toBe(simOrders.length);

  // Every fill once: per venue order, the trade log's fills sum to the exchange's.
  for (const o of simOrders) {
    const row = byVenue.get(o.odno)![0]!;
    const mine = fills.filter((f) => f.order_id === row.id);
    if (mine.reduce((s, f) => s + f.qty, 0) !== o.filledQty) {
      console.log('[chaos] fill mismatch', JSON.stringify({ sim: o, rows, events: readRows(d.dbPath, `SELECT order_id, at, from_status, to_status, event, details FROM order_events ORDER BY id`) }));
    }
    expect({ odno: o.odno, qty: mine.reduce((s, f) => s + f.qty, 0), value: mine.reduce((s, f) => s + f.value, 0), filledQty: row.filled_qty })
      .toEqual({ odno: o.odno, qty: o.filledQty, value: o.filledValue, filledQty: o.filledQty });
  }

  // Positions: what the fills leave per symbol is what the exchange holds.
  const held = new Map<string, number>();
  for (const f of fills) held.set(f.symbol, (held.get(f.symbol) ?? 0) + (f.side === 'buy' ? f.qty : -f.qty));
  const mine = [...held.entries()].filter(([, q]) => q !== 0).sort();
  const theirs = h.sim.exchange.holdings(ACCOUNT).filter((x) => x.qty > 0).map((x) => [x.symbol as string, x.qty as number]).sort();
  expect(mine).toEqual(theirs);

  // Cash: the opening cash moved by every fill's amount, less the exchange's costs, is the exchange's
  // D+2 cash, to the won. The costs the trade log estimates may differ by a won per execution the
  // exchange made that the log saw merged into one fill: daily-ccld shows an order's running
  // total, not its executions, and the exchange floors commission and tax per execution
  // (docs/kis-wire.md §11.6) while the daemon floors them per fill it records.
  const trades = h.sim.exchange.trades(ACCOUNT).filter((t) => t.date === date);
  const theirCosts = trades.reduce((s, t) => s + t.commission + t.tax, 0);
  const myCosts = fills.reduce((s, f) => s + f.commission + f.tax, 0);
  const amounts = fills.reduce((s, f) => s + (f.side === 'buy' ? -f.value : f.value), 0);
  expect(SIM_DEFAULT_CREDENTIALS.initialCash + amounts - theirCosts).toBe(h.sim.exchange.cash(ACCOUNT).d2);
  const merged = trades.length - fills.length;
  expect(Math.abs(myCosts - theirCosts)).toBeLessThanOrEqual(2 * Math.max(0, merged));

  const unplacedRows = readRows<{ kind: string; intent_key: string }>(d.dbPath, "SELECT kind, intent_key FROM decisions WHERE outcome = 'order' AND intent_key NOT IN (SELECT intent_key FROM orders)");
  const unplaced = unplacedRows.length;
  const unplacedExitKeys = new Set(unplacedRows.filter((r) => r.kind === 'exit').map((r) => r.intent_key)).size;
  return { orders: simOrders.length, fills: fills.length, duplicates, unlinked: unlinked.length, filledQty: fills.reduce((s, f) => s + f.qty, 0), unplaced, unplacedExitKeys, costDiffWon: myCosts - theirCosts };
}

export interface CrashFigures extends Books { kills: number; inFlight: number; killedS: number; elapsedS: number }

/**
 * Issue 14's crash chaos: a session at 60× with an eager strategy, 30 % of order answers dropped
 * after the exchange booked the order, and latency on every order POST (so kills land between
 * intent and POST and between POST and answer); `kills` kill -9 at seeded moments, each run
 * started again on the same SQLite file and Redis; then one last run settles every order and
 * stops, and the books are compared with the simulator's.
 */
export async function crashChaos(opts: { h: SimHarness; d: DaemonEnv; date: TradingDate; kills: number; seed: number; track: (p: DaemonProcess) => void }): Promise<CrashFigures> {
  const started = Date.now();
  opts.h.sim.faults.inject({ kind: 'accept-then-drop', match: { path: 'order-cash' }, times: Infinity, probability: 0.3 });
  opts.h.sim.faults.inject({ kind: 'latency', match: { path: 'order-cash' }, times: Infinity, ms: 400 });
  const k = await killLoop(opts.d, { kills: opts.kills, seed: opts.seed }, opts.track);
  opts.h.sim.faults.clear();
  const killedS = Math.round((Date.now() - started) / 1000);
  await settleAndStop(opts.h, opts.d, opts.date, k.current!, opts.track);
  const books = checkBooks(opts.h, opts.d, opts.date);
  return { ...books, kills: k.kills, inFlight: k.inFlight, killedS, elapsedS: Math.round((Date.now() - started) / 1000) };
}

export function printFigures(name: string, f: Record<string, number | string>): void {
  console.log(`[chaos] ${name}: ${Object.entries(f).map(([k, v]) => `${k}=${v}`).join(' ')}`);
}

/** The id of the newest order row, to wait for orders after a moment. */
export function lastOrderId(d: DaemonEnv): number {
  return readRows<{ id: number | null }>(d.dbPath, 'SELECT MAX(id) AS id FROM orders')[0]!.id ?? 0;
}

/** Waits for an order opened after row `afterId` to reach the exchange and fill. */
export async function filledAfter(d: DaemonEnv, afterId: number, timeoutMs: number, what: string): Promise<number> {
  return waitFor(() => readRows<{ id: number }>(d.dbPath, `SELECT id FROM orders WHERE id > ${afterId} AND status = 'filled' AND venue_order_id IS NOT NULL AND origin = 'daemon' ORDER BY id LIMIT 1`)[0]?.id, timeoutMs, what);
}
