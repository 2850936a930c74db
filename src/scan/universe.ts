import type { EpochMs, Krw, RankingExclusions, RankingKind, RankingRow, RankingSnapshot, Shares, StockCode } from '../domain/index.js';
import { krw, notional, shares } from '../domain/index.js';
import { compileNamePatterns, matchNamePattern } from './name-patterns.js';

export interface UniverseFilter {
  /** inclusive price band */
  minPrice: Krw;
  maxPrice: Krw;
  /** today's traded value so far, in won */
  minTradedValue: Krw;
  topN: number;
  exclude: StockCode[];
  /** regular expressions, case-insensitive (name-patterns.ts) */
  excludeNamePatterns: string[];
  /**
   * Kinds to leave out: sent to the rankings that can exclude them (scan-job.ts), and applied
   * here to the kinds a code gives away, for the rankings that cannot (docs/kis-wire.md §6.6).
   */
  excludeKinds?: RankingExclusions;
}

export interface Candidate {
  symbol: StockCode;
  name: string;
  /** price, change and volume from the most recently fetched row of the symbol */
  price: Krw;
  changeBp: number;
  volume: Shares;
  tradedValue: Krw;
  /** true when no ranking reported a traded value and it is price × volume */
  tradedValueEstimated: boolean;
  volumeIncreaseBp: number | null;
  sources: RankingKind[];
  /** the best rank per ranking, null where the symbol was not listed */
  ranks: Record<RankingKind, number | null>;
  score: number;
}

export interface Rejection {
  symbol: StockCode;
  reason: string;
}

export interface Selection {
  candidates: Candidate[];
  rejected: Rejection[];
}

/**
 * Both rankings return at most 30 rows (docs/kis-wire.md §6.5, §6.6). A row ranked r earns
 * max(1, 31 − r) points, so first place earns 30 and 30th place earns 1.
 */
export const RANK_POINTS_BASE = 30;

export function rankPoints(rank: number): number {
  return Math.max(1, RANK_POINTS_BASE + 1 - rank);
}

const KINDS: readonly RankingKind[] = ['volume', 'fluctuation'];

interface Merged {
  symbol: StockCode;
  ranks: Record<RankingKind, number | null>;
  /** the row of the most recent snapshot; later snapshots in the input win ties */
  latest: RankingRow;
  latestAt: EpochMs;
  rows: RankingRow[];
}

/** One entry per symbol, in order of first appearance. */
function merge(snapshots: readonly RankingSnapshot[]): Merged[] {
  const bySymbol = new Map<StockCode, Merged>();
  for (const snap of snapshots) {
    for (const row of snap.rows) {
      const m = bySymbol.get(row.symbol);
      if (m === undefined) {
        const ranks: Record<RankingKind, number | null> = { volume: null, fluctuation: null };
        ranks[snap.kind] = row.rank;
        bySymbol.set(row.symbol, { symbol: row.symbol, ranks, latest: row, latestAt: snap.fetchedAt, rows: [row] });
        continue;
      }
      const best = m.ranks[snap.kind];
      m.ranks[snap.kind] = best === null ? row.rank : Math.min(best, row.rank);
      m.rows.push(row);
      if (snap.fetchedAt >= m.latestAt) {
        m.latest = row;
        m.latestAt = snap.fetchedAt;
      }
    }
  }
  return [...bySymbol.values()];
}

/**
 * The fluctuation ranking carries no traded value (docs/kis-wire.md §6.6: no acml_tr_pbmn), so a
 * symbol only it lists would fail every traded-value floor. Cumulative values only grow during
 * the day, so the largest reported one is the freshest; without any, price × volume estimates it.
 */
function toCandidate(m: Merged): Candidate {
  const reported = Math.max(0, ...m.rows.map((r) => r.tradedValue));
  const volume = shares(Math.max(...m.rows.map((r) => r.volume)));
  const estimated = reported <= 0;
  const tradedValue = estimated ? (m.latest.price > 0 ? notional(m.latest.price, volume) : krw(0)) : krw(reported);
  const increase = [m.latest, ...m.rows].find((r) => r.volumeIncreaseBp !== null)?.volumeIncreaseBp ?? null;
  const name = [m.latest, ...m.rows].find((r) => r.name.trim() !== '')?.name.trim() ?? '';
  const sources = KINDS.filter((k) => m.ranks[k] !== null);
  const score = sources.reduce((sum, k) => sum + rankPoints(m.ranks[k] ?? Infinity), 0);
  return {
    symbol: m.symbol, name, price: m.latest.price, changeBp: m.latest.changeBp, volume, tradedValue,
    tradedValueEstimated: estimated, volumeIncreaseBp: increase, sources, ranks: m.ranks, score,
  };
}

/**
 * The kinds a KRX short code gives away (docs/kis-wire.md §6): ETNs are 'Q' + six digits; the sixth
 * character of a share's code is 0 for the common share and 5/7/9 or a letter for its preferred
 * classes (005935 삼성전자우, 00088K 한화3우B).
 */
export function kindByCode(symbol: StockCode, exclude: RankingExclusions | undefined): string | null {
  if (exclude === undefined) return null;
  if (exclude.etn && symbol.startsWith('Q')) return 'kind:etn';
  if (exclude.preferred && symbol.length === 6 && !symbol.endsWith('0')) return 'kind:preferred';
  return null;
}

/**
 * Turns ranking snapshots into the entry universe.
 *
 * Merge: one candidate per symbol with its best rank in each ranking. Filter, recording the first
 * reason that drops a symbol: held (held positions are evaluated for exit elsewhere), excluded
 * code, excluded kind by code, name pattern, no price, price band, traded value. Rank by score,
 * the sum of the rank points of every ranking listing the symbol (rankPoints), so a name high on
 * both volume and fluctuation beats one high on either alone; ties go to the larger traded value,
 * then the smaller code, so the order never depends on input order. Keep the top N.
 */
export function selectCandidates(snapshots: readonly RankingSnapshot[], filter: UniverseFilter, held: readonly StockCode[]): Selection {
  const patterns = compileNamePatterns(filter.excludeNamePatterns);
  const heldSet = new Set(held);
  const excluded = new Set(filter.exclude);
  const rejected: Rejection[] = [];
  const passed: Candidate[] = [];

  for (const c of merge(snapshots).map(toCandidate)) {
    const pattern = matchNamePattern(c.name, patterns);
    const kind = kindByCode(c.symbol, filter.excludeKinds);
    const reason = heldSet.has(c.symbol) ? 'held'
      : excluded.has(c.symbol) ? 'excluded'
        : kind !== null ? kind
          : pattern !== null ? `name-pattern:${pattern}`
            : c.price <= 0 ? 'no-price'
              : c.price < filter.minPrice ? 'price-below-min'
                : c.price > filter.maxPrice ? 'price-above-max'
                  : c.tradedValue < filter.minTradedValue ? 'traded-value-below-min'
                    : null;
    if (reason === null) passed.push(c);
    else rejected.push({ symbol: c.symbol, reason });
  }

  passed.sort((a, b) => b.score - a.score || b.tradedValue - a.tradedValue || (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
  const keep = Math.max(0, Math.floor(filter.topN));
  for (const c of passed.slice(keep)) rejected.push({ symbol: c.symbol, reason: 'below-top-n' });
  return { candidates: passed.slice(0, keep), rejected };
}
