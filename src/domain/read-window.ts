import { AppError } from './errors.js';
import type { MarketData } from './ports.js';
import type { Clock } from './time.js';

/**
 * A bounded in-flight window for KIS reads (issue 13, "Scans at the rate bound"). One read at a
 * time cannot pass 1/latency calls a second — at 100 ms, 10/s against a budget of 18/s — so the
 * scan and signal stages keep up to size() reads in flight and let the shared rate budget pace
 * them. size() = ceil(rate × p90 latency × 1.5): enough to keep the budget busy through the
 * slower answers, capped at `max` so a stall does not pile up waiters. The latency is what a read
 * took as its caller saw it (budget wait included), so a saturated budget only pushes the window
 * toward its cap, where extra reads just wait their turn in the budget.
 */
export interface ReadWindow {
  /** runs `read` once fewer than size() reads are in flight, and records how long it took */
  run<T>(read: () => Promise<T>): Promise<T>;
  /** the window now: from the rate and the p90 of the recent latencies */
  size(): number;
  /** records one read's latency */
  observe(ms: number): void;
  /** runs `read` at once, outside the bound, and records how long it took (reads a job concurrency bounds) */
  measure<T>(read: () => Promise<T>): Promise<T>;
}

export interface ReadWindowOptions {
  /** calls a second of the budget the reads go through */
  ratePerSec: number;
  clock: Clock;
  /** the window never grows past this; default min(32, ceil(2 × rate)): two seconds of reads */
  max?: number;
  /** assumed before any read has been seen; default 200 ms */
  initialLatencyMs?: number;
  /** how many recent latencies the p90 is taken over; default 50 */
  samples?: number;
}

export const READ_WINDOW_HEADROOM = 1.5;

export function defaultWindowMax(ratePerSec: number): number {
  return Math.max(1, Math.min(32, Math.ceil(2 * ratePerSec)));
}

export function createReadWindow(opts: ReadWindowOptions): ReadWindow {
  const { ratePerSec: rate, clock } = opts;
  const max = opts.max ?? defaultWindowMax(rate);
  const keep = opts.samples ?? 50;
  if (!(rate > 0) || !Number.isInteger(max) || max < 1 || !Number.isInteger(keep) || keep < 1) {
    throw new AppError('CONFIG_INVALID', `read window: need ratePerSec > 0 (got ${rate}), an integer max ≥ 1 (got ${max}) and samples ≥ 1 (got ${keep})`);
  }
  const latencies: number[] = [];
  let next = 0;
  const initial = opts.initialLatencyMs ?? 200;
  let active = 0;
  const queue: Array<() => void> = [];

  function observe(ms: number): void {
    if (!(ms >= 0)) return;
    if (latencies.length < keep) latencies.push(ms);
    else latencies[next] = ms;
    next = (next + 1) % keep;
  }

  function size(): number {
    let p90 = initial;
    if (latencies.length > 0) {
      const sorted = [...latencies].sort((a, b) => a - b);
      p90 = sorted[Math.min(sorted.length - 1, Math.ceil(0.9 * sorted.length) - 1)]!;
    }
    return Math.max(1, Math.min(max, Math.ceil(rate * (p90 / 1000) * READ_WINDOW_HEADROOM)));
  }

  function release(): void {
    active--;
    while (queue.length > 0 && active < size()) {
      active++;
      queue.shift()!();
    }
  }

  async function run<T>(read: () => Promise<T>): Promise<T> {
    if (active < size() && queue.length === 0) active++;
    else await new Promise<void>((resolve) => { queue.push(resolve); });
    const started = clock.now();
    try {
      return await read();
    } finally {
      observe(clock.now() - started);
      release();
    }
  }

  async function measure<T>(read: () => Promise<T>): Promise<T> {
    const started = clock.now();
    try {
      return await read();
    } finally {
      observe(clock.now() - started);
    }
  }

  return { run, size, observe, measure };
}

/**
 * `market` with every read's latency recorded in `window`: the signal stage's reads, bounded by
 * the signal worker's concurrency rather than by the window, so an "auto" concurrency follows
 * the latency the evaluations see too (and a `workers` process, which runs no scan, learns it).
 */
export function measuredMarket<M extends MarketData>(market: M, window: ReadWindow): M {
  return {
    ...market,
    quote: (symbol, opts) => window.measure(() => market.quote(symbol, opts)),
    orderBook: (symbol, opts) => window.measure(() => market.orderBook(symbol, opts)),
    dailyBars: (symbol, count, opts) => window.measure(() => market.dailyBars(symbol, count, opts)),
    ranking: (query, opts) => window.measure(() => market.ranking(query, opts)),
    holidays: (from, opts) => window.measure(() => market.holidays(from, opts)),
  };
}

/**
 * `fn` over every item through `window`, the results in the items' order whatever order they
 * were answered in; one item's failure is its own (a rejected entry), never the others'.
 */
export function mapInWindow<T, R>(window: ReadWindow, items: readonly T[], fn: (item: T, index: number) => Promise<R>): Promise<Array<PromiseSettledResult<R>>> {
  return Promise.allSettled(items.map((item, i) => window.run(() => fn(item, i))));
}
