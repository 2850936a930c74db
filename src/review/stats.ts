import { krw, kstDateOf } from '../domain/index.js';
import type { DailyPnl, RoundTrip, TradingDate } from '../domain/index.js';

/** What `kis-trader pnl` and the report print for a set of round trips (and the days they span). */
export interface PnlSummary {
  /** closed round trips */
  trades: number;
  wins: number;
  losses: number;
  /** wins ÷ trades in bp; null without a closed trade */
  winRateBp: number | null;
  /** Σ net of the closed trips */
  net: number;
  gross: number;
  commission: number;
  tax: number;
  /** Σ net of the winners, and of the losers (≤ 0) */
  grossProfit: number;
  grossLoss: number;
  /** won, rounded half away from zero; null without a winner (or a loser) */
  avgWin: number | null;
  avgLoss: number | null;
  /** grossProfit ÷ |grossLoss| to 2 decimals; null without a loss */
  profitFactor: number | null;
  /** the largest fall of equity from its running peak over the days, won and bp; null without days */
  maxDrawdown: number | null;
  maxDrawdownBp: number | null;
  /** round trips still open, and their unrealised P&L at the last mark (unpriced ones left out) */
  open: number;
  unrealised: number;
}

export type GroupBy = 'day' | 'week' | 'month' | 'symbol' | 'strategy';

const roundDiv = (a: number, b: number): number => Math.sign(a) * Math.round(Math.abs(a) / b);

/** The summary of `trips` (open ones count only in `open` and `unrealised`) over `daily`. */
export function summarize(trips: readonly RoundTrip[], daily: readonly DailyPnl[] = []): PnlSummary {
  const closed = trips.filter((t) => t.status === 'closed');
  const open = trips.filter((t) => t.status === 'open');
  const sum = (xs: readonly RoundTrip[], f: (t: RoundTrip) => number): number => xs.reduce((s, t) => s + f(t), 0);
  const winners = closed.filter((t) => t.net > 0);
  const losers = closed.filter((t) => t.net < 0);
  const grossProfit = sum(winners, (t) => t.net);
  const grossLoss = sum(losers, (t) => t.net);
  let maxDd: { won: number; bp: number } | null = null;
  for (const d of drawdowns(daily)) if (!maxDd || d.won > maxDd.won) maxDd = d;
  return {
    trades: closed.length,
    wins: winners.length,
    losses: losers.length,
    winRateBp: closed.length ? Math.trunc((winners.length * 10_000) / closed.length) : null,
    net: sum(closed, (t) => t.net),
    gross: sum(closed, (t) => t.gross),
    commission: sum(closed, (t) => t.commission),
    tax: sum(closed, (t) => t.tax),
    grossProfit,
    grossLoss,
    avgWin: winners.length ? roundDiv(grossProfit, winners.length) : null,
    avgLoss: losers.length ? roundDiv(grossLoss, losers.length) : null,
    profitFactor: grossLoss < 0 ? Math.round((grossProfit * 100) / -grossLoss) / 100 : null,
    maxDrawdown: maxDd?.won ?? null,
    maxDrawdownBp: maxDd?.bp ?? null,
    open: open.length,
    unrealised: sum(open, (t) => t.unrealised ?? 0),
  };
}

/**
 * Each day's fall of equity from its running peak within these days, won and bp (truncated). The
 * peak starts with the period: v_daily_pnl's starts with the log, so a period that begins below an
 * earlier peak would show a drawdown it did not make.
 */
export function drawdowns(daily: readonly DailyPnl[]): { won: number; bp: number }[] {
  let peak = -Infinity;
  return daily.map((d) => {
    peak = Math.max(peak, d.equity);
    const won = peak - d.equity;
    return { won, bp: peak > 0 ? Math.trunc((won * 10_000) / peak) : 0 };
  });
}

/** ISO 8601 week of a KST trading date: "2026-W49". */
export function isoWeek(date: TradingDate): string {
  const d = new Date(Date.UTC(Number(date.slice(0, 4)), Number(date.slice(4, 6)) - 1, Number(date.slice(6, 8))));
  const day = d.getUTCDay() || 7;
  d.setUTCDate(d.getUTCDate() + 4 - day);
  const year = d.getUTCFullYear();
  const week = Math.ceil(((d.getTime() - Date.UTC(year, 0, 1)) / 86_400_000 + 1) / 7);
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/** The bucket a trip falls in: by the KST date it closed (open trips: the date it opened). */
export function bucketOf(t: RoundTrip, by: GroupBy): string {
  if (by === 'symbol') return t.symbol;
  if (by === 'strategy') return t.strategy ?? '(external)';
  const date = kstDateOf(t.closedAt ?? t.openedAt);
  if (by === 'day') return date;
  if (by === 'week') return isoWeek(date);
  return `${date.slice(0, 4)}-${date.slice(4, 6)}`;
}

/** Trips grouped by `by`, each with its summary; days and weeks in time order, the rest by name. */
export function groupTrips(trips: readonly RoundTrip[], by: GroupBy): { key: string; summary: PnlSummary }[] {
  const groups = new Map<string, RoundTrip[]>();
  for (const t of trips) {
    const k = bucketOf(t, by);
    groups.set(k, [...(groups.get(k) ?? []), t]);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, ts]) => ({ key, summary: summarize(ts) }));
}

/**
 * Open trips priced at `marks` (symbol → won): unrealised = mark × open shares − their entry cost.
 * A symbol without a mark (or a mark of 0: not priced) keeps unrealised null.
 */
export function markTrips(trips: readonly RoundTrip[], marks: ReadonlyMap<string, number>): RoundTrip[] {
  return trips.map((t) => {
    const mark = marks.get(t.symbol);
    if (t.openQty === 0 || mark === undefined || mark <= 0) return t;
    return { ...t, mark: krw(mark), unrealised: krw(mark * t.openQty - t.openCost) };
  });
}
