import { kstDateOf, krw, shares } from '../domain/index.js';
import type { Clock, Logger, MarketData, RankingKind, RankingRow, RankingSnapshot, ScanRepo, StockCode } from '../domain/index.js';
import { selectCandidates } from './universe.js';
import type { Selection, UniverseFilter } from './universe.js';

/**
 * The scan job: rankings through the rate budget's scan lane, each raw response kept in
 * `scan_snapshots` (the audit trail and the backtester's input), then the universe filter.
 * Enqueueing the signal jobs is the caller's (queues are not this folder's business).
 */
export interface ScanDeps {
  market: MarketData;
  scans: ScanRepo;
  clock: Clock;
  log: Logger;
}

export interface ScanInput {
  /** 'rankings': KIS volume and fluctuation rankings; 'watchlist': quotes of a fixed list (KIS paper has no rankings, docs/kis-wire.md §6.5–6.6) */
  source: 'rankings' | 'watchlist';
  kinds: readonly RankingKind[];
  marketCode: string;
  watchlist: readonly StockCode[];
  filter: UniverseFilter;
  held: readonly StockCode[];
  /** aborted when the daemon stops: the scan lane can wait behind every signal job */
  signal?: AbortSignal;
}

export interface ScanResult extends Selection {
  snapshotIds: number[];
}

/** A watch list turned into a volume "ranking", so the rest of the pipeline is the same. */
async function watchlistSnapshot(deps: ScanDeps, symbols: readonly StockCode[], signal: AbortSignal | undefined): Promise<RankingSnapshot> {
  const rows: RankingRow[] = [];
  for (const symbol of symbols) {
    const q = await deps.market.quote(symbol, { lane: 'scan', ...(signal ? { signal } : {}) });
    rows.push({ rank: 0, symbol, name: symbol, price: q.price, changeBp: q.changeBp, volume: q.volume, tradedValue: q.tradedValue, volumeIncreaseBp: null });
  }
  rows.sort((a, b) => b.volume - a.volume);
  rows.forEach((r, i) => { r.rank = i + 1; });
  return { kind: 'volume', params: { source: 'watchlist', symbols: symbols.join(',') }, rows, raw: { watchlist: rows }, fetchedAt: deps.clock.now() };
}

export async function runScan(deps: ScanDeps, input: ScanInput): Promise<ScanResult> {
  const today = kstDateOf(deps.clock.now());
  const snapshots: RankingSnapshot[] = [];
  const { signal } = input;
  if (input.source === 'watchlist') {
    if (input.watchlist.length > 0) snapshots.push(await watchlistSnapshot(deps, input.watchlist, signal));
  } else {
    for (const kind of input.kinds) {
      snapshots.push(await deps.market.ranking({
        kind, market: input.marketCode, minPrice: krw(input.filter.minPrice), maxPrice: krw(input.filter.maxPrice), minVolume: shares(0),
        ...(input.filter.excludeKinds ? { exclude: input.filter.excludeKinds } : {}),
      }, { lane: 'scan', ...(signal ? { signal } : {}) }));
    }
  }
  signal?.throwIfAborted();
  const snapshotIds = snapshots.map((s) => deps.scans.insert(s, today));
  const selection = selectCandidates(snapshots, input.filter, [...input.held]);
  deps.log.info({
    source: input.source, rows: snapshots.map((s) => `${s.kind}:${s.rows.length}`).join(' '),
    candidates: selection.candidates.map((c) => c.symbol), rejected: selection.rejected.length,
  }, `scan: ${selection.candidates.length} candidates`);
  return { ...selection, snapshotIds };
}
