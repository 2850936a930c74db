import { kstDateOf } from '../domain/index.js';
import type { Clock, EpochMs, Logger, MarketData, PositionRepo, ReadWindow, ScanRepo, ScanSettings, StockCode, StrategyUniverse } from '../domain/index.js';
import { flattenAt } from '../market/index.js';
import type { TradingCalendar } from '../market/index.js';
import { admits, runScan } from '../scan/index.js';

/** What a signal job carries (queues/ validates it on the way through Redis). */
export interface SignalRequest {
  kind: 'entry' | 'exit';
  strategy: string | null;
  symbol: string;
  name: string;
  tradingDate: string;
  scanSnapshotIds: number[];
  candidate: Record<string, unknown> | null;
  enqueuedAt: number;
}

/** Enqueues one signal job; a repeated id within its slot is a no-op (BullMQ job id). */
export type EnqueueSignal = (id: string, request: SignalRequest) => Promise<unknown>;

export interface ScanJobDeps {
  /** quotes and daily data: the trading client */
  market: MarketData;
  /** where rankings come from: the trading client, or live read-only keys in paper mode */
  rankings: MarketData;
  /** the trading client is KIS paper (which has no rankings, docs/kis-wire.md §6.5–6.6) */
  paper: boolean;
  scans: ScanRepo;
  positions: PositionRepo;
  calendar: () => TradingCalendar;
  clock: Clock;
  log: Logger;
  /** the in-flight window of this process's KIS reads (domain/read-window.ts) */
  reads: ReadWindow;
  settings: ScanSettings;
  /** the enabled strategies: each candidate is evaluated by every one whose universe admits it */
  strategies: readonly { id: string; universe: StrategyUniverse }[];
  enqueueSignal: EnqueueSignal;
}

/** One exit evaluation per position, keyed by the minute slot so a repeat within it is a no-op. */
export async function runEnqueueExits(deps: Pick<ScanJobDeps, 'positions' | 'enqueueSignal'>, input: { at: EpochMs; signal?: AbortSignal }): Promise<number> {
  const date = kstDateOf(input.at);
  const slot = Math.floor(input.at / 60_000);
  const held = deps.positions.list();
  for (const p of held) {
    input.signal?.throwIfAborted();
    await deps.enqueueSignal(`s.exit.${date}.${p.symbol}.${slot}`, {
      kind: 'exit', strategy: null, symbol: p.symbol, name: '', tradingDate: date, scanSnapshotIds: [], candidate: null, enqueuedAt: input.at,
    });
  }
  return held.length;
}

/**
 * The scheduled scan: rankings (or the watch list) → candidates → one entry evaluation each per
 * strategy that takes it, and each strategy's own list (universe.symbols) → one evaluation each; then
 * the exit evaluations of what is held. From the flatten time on, and in a 'workers' process,
 * nothing: entries then would be sold again within the minute. Once `signal` aborts (the daemon
 * stops) it rejects with its reason before the next KIS call or enqueue; every job id is per slot,
 * so a scan cut short loses nothing a later one does not do again.
 */
export async function runScanJob(deps: ScanJobDeps, input: { at: EpochMs; signal?: AbortSignal }): Promise<{ candidates: StockCode[] } | null> {
  const { settings, at, signal } = { settings: deps.settings, ...input };
  const flatten = flattenAt(kstDateOf(at), deps.calendar(), settings.flattenBeforeCloseMinutes);
  if (!settings.scans || (flatten !== null && at >= flatten)) return null;
  const held = deps.positions.list().map((p) => p.symbol);
  const paperWatchlist = deps.paper && (settings.paperRankingSource === 'watchlist' || deps.rankings === deps.market);
  // Rankings through the ranking client; watch-list quotes through the trading one.
  const market: MarketData = { ...deps.market, ranking: (q, o) => deps.rankings.ranking(q, o) };
  const result = await runScan({ market, scans: deps.scans, clock: deps.clock, log: deps.log.child({ job: 'scan' }), reads: deps.reads }, {
    source: paperWatchlist ? 'watchlist' : 'rankings', kinds: settings.kinds, marketCode: settings.marketCode,
    watchlist: settings.watchlist, held, ...(signal ? { signal } : {}),
    filter: { ...settings.filter, exclude: [...settings.filter.exclude], excludeNamePatterns: [...settings.filter.excludeNamePatterns], excludeKinds: { ...settings.filter.excludeKinds } },
  });
  const date = kstDateOf(at);
  const slot = Math.floor(at / 60_000);
  for (const c of result.candidates) {
    for (const s of deps.strategies.filter((st) => admits(st.universe, c))) {
      signal?.throwIfAborted();
      await deps.enqueueSignal(`s.entry.${date}.${s.id}.${c.symbol}.${slot}`, {
        kind: 'entry', strategy: s.id, symbol: c.symbol, name: c.name, tradingDate: date, scanSnapshotIds: result.snapshotIds,
        candidate: { ...c }, enqueuedAt: at,
      });
    }
  }
  // A strategy's own list (universe.symbols) is evaluated every scan, ranked or not: the rankings
  // list today's gainers and most traded, not the large caps a mean-reversion strategy watches.
  // Without a ranking row there is no candidate (scan fields are null for the strategy).
  const ranked = new Set(result.candidates.map((c) => c.symbol));
  for (const s of deps.strategies) {
    for (const symbol of s.universe.symbols) {
      if (ranked.has(symbol) || held.includes(symbol) || s.universe.exclude.includes(symbol) || settings.filter.exclude.includes(symbol)) continue;
      signal?.throwIfAborted();
      await deps.enqueueSignal(`s.entry.${date}.${s.id}.${symbol}.${slot}`, {
        kind: 'entry', strategy: s.id, symbol, name: '', tradingDate: date, scanSnapshotIds: result.snapshotIds, candidate: null, enqueuedAt: at,
      });
    }
  }
  await runEnqueueExits(deps, { at, ...(signal ? { signal } : {}) });
  return { candidates: result.candidates.map((c) => c.symbol) };
}
