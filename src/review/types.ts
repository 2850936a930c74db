import type { DailyPnl, EpochMs, RoundTrip, TradingDate } from '../domain/index.js';

export type { DailyPnl, RoundTrip };

/**
 * What the review works from: round trips and daily rows, never the database, so the daemon's trade
 * log (store/ reads v_round_trips and v_daily_pnl) and a backtest give the same report.
 */

/** How often a guard blocked which strategy's entries over the period (v_guard_stats). */
export interface GuardStat {
  strategy: string;
  guard: string;
  checked: number;
  blocked: number;
}

/** A config in force over the period, and when it was first and last seen on a decision. */
export interface ConfigInForce {
  hash: string;
  from: EpochMs;
  to: EpochMs;
  decisions: number;
}

/** Everything a report shows, for one period. */
export interface ReviewInput {
  /** "sim · /home/…/sim.sqlite", "backtest momentum-volume 2026-01 … 2026-06" */
  title: string;
  from: TradingDate | null;
  to: TradingDate | null;
  roundTrips: readonly RoundTrip[];
  daily: readonly DailyPnl[];
  guards: readonly GuardStat[];
  configs: readonly ConfigInForce[];
  /** symbol → name (Korean), where known */
  names: Readonly<Record<string, string>>;
  generatedAt: EpochMs;
}
