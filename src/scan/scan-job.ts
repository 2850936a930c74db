import { describeError, kstDateOf, krw, mapInWindow, shares } from '../domain/index.js';
import type { Clock, Logger, MarketData, RankingKind, RankingRow, RankingSnapshot, ReadWindow, ScanRepo, StockCode } from '../domain/index.js';
import { selectCandidates } from './universe.js';
import type { Selection, UniverseFilter } from './universe.js';

/**
 * The scan job: rankings through the rate budget's scan lane, each raw response kept in
 * `scan_snapshots` (the audit trail and the backtester's input), then the universe filter.
 * Enqueueing the signal jobs is the caller's (queues are not this folder's business).
 * Reads go out together through `reads`, the bounded in-flight window (domain/read-window.ts):
 * one at a time, a scan took 2.9× the rate bound at 100 ms latency (issue 13).
 */
export interface ScanDeps {
  market: MarketData;
  scans: ScanRepo;
  clock: Clock;
  log: Logger;
  reads: ReadWindow;
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
  const quotes = await mapInWindow(deps.reads, symbols, (symbol) => deps.market.quote(symbol, { lane: 'scan', ...(signal ? { signal } : {}) }));
  signal?.throwIfAborted();
  // one symbol's failed quote leaves it out of this scan, not the others; none answered is a failed scan
  const failed = quotes.flatMap((q, i) => (q.status === 'rejected' ? [{ symbol: symbols[i]!, err: q.reason as unknown }] : []));
  if (failed.length > 0 && failed.length === symbols.length) throw failed[0]!.err;
  for (const f of failed) deps.log.warn({ symbol: f.symbol, err: describeError(f.err) }, 'scan: quote failed, symbol left out of this scan');
  const rows: RankingRow[] = quotes.flatMap((r, i) => {
    if (r.status === 'rejected') return [];
    const q = r.value;
    const symbol = symbols[i]!;
    return [{ rank: 0, symbol, name: symbol, price: q.price, changeBp: q.changeBp, volume: q.volume, tradedValue: q.tradedValue, volumeIncreaseBp: null }];
  });
  // stable: equal volumes keep the watch list's order, whatever order the answers came in
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
    const rankings = await mapInWindow(deps.reads, input.kinds, (kind) => deps.market.ranking({
      kind, market: input.marketCode, minPrice: krw(input.filter.minPrice), maxPrice: krw(input.filter.maxPrice), minVolume: shares(0),
      ...(input.filter.excludeKinds ? { exclude: input.filter.excludeKinds } : {}),
    }, { lane: 'scan', ...(signal ? { signal } : {}) }));
    // the candidates are a merge of every kind: a missing ranking would change them, so it fails the scan
    for (const r of rankings) {
      if (r.status === 'rejected') throw r.reason;
      snapshots.push(r.value);
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
