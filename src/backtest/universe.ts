import { notional } from '../domain/index.js';
import type {
  DailyBar, EpochMs, RankingKind, RankingRow, RankingSnapshot, ScanSettings, StockCode, TradingDate,
} from '../domain/index.js';
import { admits, kindByCode, RANK_POINTS_BASE, selectCandidates } from '../scan/index.js';
import type { Candidate } from '../scan/index.js';
import { scanFieldsOf } from '../signals/index.js';
import type { ScanFields, StrategyInstance } from '../signals/index.js';
import type { Series } from './series.js';

/**
 * The backtest's point-in-time universe (docs/backtest.md §3). KIS rankings have no history: the
 * recorded scans (`scan_snapshots`) are the only record of what the daemon's scanner saw, and where
 * there are none the two rankings are rebuilt from the day's bars. Either way the day's rankings go
 * through the daemon's own scan code (`selectCandidates`, then each strategy's `admits`, then the
 * strategies' watch lists), in the order the scan job enqueues them (jobs/scan.ts runScanJob).
 *
 * - `rebuilt`: the rankings rebuilt from every symbol's bar of the day.
 * - `snapshots`: the latest recorded scan of each kind up to the day's close; a day without one is rebuilt.
 * - `all`: every symbol every day, unranked (watch-list style: `universe.maxRank` admits nothing).
 */
export type UniverseMode = 'rebuilt' | 'snapshots' | 'all';

export const UNIVERSE_MODES: readonly UniverseMode[] = ['rebuilt', 'snapshots', 'all'];

export interface BacktestUniverse {
  mode: UniverseMode;
  /** `snapshots`: the recorded scans by trading date (scan_snapshots, raw responses not needed) */
  recorded?: ReadonlyMap<TradingDate, readonly RankingSnapshot[]>;
}

/** What the universe of a run was made of: the report's title says it. */
export interface UniverseReport {
  mode: UniverseMode;
  /** decision days whose rankings were the recorded scans */
  snapshotDays: number;
  /** decision days whose rankings were rebuilt from bars */
  rebuiltDays: number;
  /** recorded candidates without a bar that day in the data (not evaluated), summed over days */
  candidatesWithoutBar: number;
}

/** The scan settings the universe needs: which rankings, and the scan's filter (config scan.*). */
export type UniverseScan = Pick<ScanSettings, 'kinds' | 'filter'>;

/** Both rankings return at most 30 rows, with no next page (docs/kis-wire.md §6.5, §6.6; scan/universe.ts). */
export const RANKING_ROWS = RANK_POINTS_BASE;

/** A symbol's bar of the day and the one before it (the base price of the change). */
export interface RankingInput {
  bar: DailyBar;
  previous: DailyBar | null;
  name: string;
}

/** One evaluation the scan job would enqueue: the strategy, the symbol and the scan row it carries. */
export interface UniverseEntry {
  strategy: StrategyInstance;
  symbol: StockCode;
  /** null for a watch-list symbol no ranking listed (the daemon sends no candidate then) */
  scan: ScanFields | null;
}

const byCode = (a: StockCode, b: StockCode): number => (a < b ? -1 : a > b ? 1 : 0);

/** Change vs the previous close in bp, truncated as the backtest's quote has it (quote.ts closeQuote). */
const changeBpOf = (close: number, base: number): number => Math.trunc(((close - base) * 10_000) / base);

/**
 * The volume ranking as the daemon asks for it (kis/market-data.ts: `FID_BLNG_CLS_CODE` 0, the
 * price band of scan.minPrice/maxPrice, scan.excludeKinds as the exclusion flags): the day's
 * volume, descending, ties by code as the simulator breaks them (sim/handlers-rankings.ts). Of the
 * excluded kinds a bar shows only those a code gives away (preferred, ETN; scan/universe.ts kindByCode).
 */
function volumeRows(inputs: readonly RankingInput[], scan: UniverseScan): RankingRow[] {
  const { filter } = scan;
  return inputs
    .filter((r) => r.bar.close >= filter.minPrice && r.bar.close <= filter.maxPrice
      && kindByCode(r.bar.symbol, filter.excludeKinds) === null)
    .sort((a, b) => b.bar.volume - a.bar.volume || byCode(a.bar.symbol, b.bar.symbol))
    .slice(0, RANKING_ROWS)
    .map((r, i) => {
      const prev = r.previous;
      return {
        rank: i + 1, symbol: r.bar.symbol, name: r.name, price: r.bar.close,
        changeBp: prev ? changeBpOf(r.bar.close, prev.close) : 0, volume: r.bar.volume, tradedValue: r.bar.value,
        volumeIncreaseBp: prev && prev.volume > 0 ? Math.trunc((r.bar.volume * 10_000) / prev.volume) : null,
      };
    });
}

/**
 * The fluctuation ranking as the daemon asks for it (sort 0 with fid_prc_cls_code 1: the change vs
 * the previous close, descending; the same price band; no kind excluded, docs/kis-wire.md §6.6),
 * ties by code. A symbol's first bar has no previous close and no change: it is not ranked. The
 * ranking reports no traded value: price × volume stands in, as the parser does (kis/schemas/rankings.ts).
 */
function fluctuationRows(inputs: readonly RankingInput[], scan: UniverseScan): RankingRow[] {
  const { filter } = scan;
  const ranked = inputs.filter((r): r is RankingInput & { previous: DailyBar } =>
    r.previous !== null && r.previous.close > 0 && r.bar.close >= filter.minPrice && r.bar.close <= filter.maxPrice);
  // (c − p) / p compared exactly: a/b > c/d ⇔ a·d > c·b for positive b, d (integers far below 2^53)
  const cmp = (a: typeof ranked[number], b: typeof ranked[number]): number =>
    (b.bar.close - b.previous.close) * a.previous.close - (a.bar.close - a.previous.close) * b.previous.close;
  return ranked
    .sort((a, b) => cmp(a, b) || byCode(a.bar.symbol, b.bar.symbol))
    .slice(0, RANKING_ROWS)
    .map((r, i) => ({
      rank: i + 1, symbol: r.bar.symbol, name: r.name, price: r.bar.close,
      changeBp: changeBpOf(r.bar.close, r.previous.close), volume: r.bar.volume,
      tradedValue: notional(r.bar.close, r.bar.volume), volumeIncreaseBp: null,
    }));
}

/**
 * The rankings of the configured kinds rebuilt from one day's bars, as fetched at `at` (the close).
 * Only the bars given are read: the day's and the one before it, nothing later.
 */
export function rebuildRankings(inputs: readonly RankingInput[], scan: UniverseScan, at: EpochMs): RankingSnapshot[] {
  return scan.kinds.map((kind) => ({
    kind, params: { source: 'rebuilt-from-bars' },
    rows: kind === 'volume' ? volumeRows(inputs, scan) : fluctuationRows(inputs, scan), raw: null, fetchedAt: at,
  }));
}

/** Every symbol with a bar today (the series cursors), with the bar before it. */
export function rankingInputsOf(series: readonly Series[], names: Readonly<Record<string, string>>): RankingInput[] {
  const out: RankingInput[] = [];
  for (const s of series) {
    if (s.at < 0) continue;
    out.push({ bar: s.bars[s.at]!, previous: s.at > 0 ? s.bars[s.at - 1]! : null, name: names[s.symbol] ?? '' });
  }
  return out;
}

/**
 * The recorded scans a decision at `closeAt` could have seen: of each configured kind, the latest
 * fetched at or before the close (later ones, and kinds the config does not scan, are left out),
 * oldest first so the freshest row of a symbol wins in selectCandidates.
 */
export function latestRecorded(
  recorded: readonly RankingSnapshot[], kinds: readonly RankingKind[], closeAt: EpochMs,
): RankingSnapshot[] {
  const latest = new Map<RankingKind, RankingSnapshot>();
  for (const s of recorded) {
    if (!kinds.includes(s.kind) || s.fetchedAt > closeAt) continue;
    const seen = latest.get(s.kind);
    if (seen === undefined || s.fetchedAt >= seen.fetchedAt) latest.set(s.kind, s);
  }
  return [...latest.values()].sort((a, b) => a.fetchedAt - b.fetchedAt);
}

/**
 * The evaluations the scan job enqueues for the candidates (jobs/scan.ts runScanJob): each candidate
 * in scan order, for every strategy whose universe admits it, with the candidate as its scan row;
 * then each strategy's own list (universe.symbols) without a scan row, except the symbols already a
 * candidate, held, or excluded by the strategy or the scan.
 */
export function entriesOf(
  candidates: readonly Candidate[], strategies: readonly StrategyInstance[], scanExclude: readonly StockCode[],
  held: ReadonlySet<StockCode>,
): UniverseEntry[] {
  const out: UniverseEntry[] = [];
  for (const c of candidates) {
    const scan = scanFieldsOf({ ...c });
    for (const strategy of strategies) if (admits(strategy.universe, c)) out.push({ strategy, symbol: c.symbol, scan });
  }
  const ranked = new Set(candidates.map((c) => c.symbol));
  for (const strategy of strategies) {
    for (const symbol of strategy.universe.symbols) {
      if (ranked.has(symbol) || held.has(symbol) || strategy.universe.exclude.includes(symbol)
        || scanExclude.includes(symbol)) continue;
      out.push({ strategy, symbol, scan: null });
    }
  }
  return out;
}

export interface DayUniverse {
  /** the day's evaluations in scan order, or null in `all` mode (every symbol, decisions.ts) */
  entries(today: TradingDate, closeAt: EpochMs, held: ReadonlySet<StockCode>): UniverseEntry[] | null;
  readonly report: UniverseReport;
}

/**
 * The universe of a run, decided day by day at the close from what was known then: the series
 * cursors (bars up to today) or the scans recorded up to the close.
 */
export function dayUniverse(
  universe: BacktestUniverse | undefined, scan: UniverseScan, strategies: readonly StrategyInstance[],
  series: readonly Series[], bySymbol: ReadonlyMap<StockCode, Series>, names: Readonly<Record<string, string>>,
): DayUniverse {
  const mode = universe?.mode ?? 'all';
  const report: UniverseReport = { mode, snapshotDays: 0, rebuiltDays: 0, candidatesWithoutBar: 0 };
  const entries = (today: TradingDate, closeAt: EpochMs, held: ReadonlySet<StockCode>): UniverseEntry[] | null => {
    if (mode === 'all') return null;
    const recorded = mode === 'snapshots'
      ? latestRecorded(universe?.recorded?.get(today) ?? [], scan.kinds, closeAt) : [];
    const rankings = recorded.length > 0 ? recorded : rebuildRankings(rankingInputsOf(series, names), scan, closeAt);
    if (recorded.length > 0) report.snapshotDays += 1;
    else report.rebuiltDays += 1;
    const { candidates } = selectCandidates(rankings, scan.filter, [...held]);
    if (recorded.length > 0) {
      report.candidatesWithoutBar += candidates.filter((c) => (bySymbol.get(c.symbol)?.at ?? -1) < 0).length;
    }
    return entriesOf(candidates, strategies, scan.filter.exclude, held);
  };
  return { entries, report };
}
