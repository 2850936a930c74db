import type { DailyPnl } from '../domain/index.js';

/**
 * Performance figures of an equity curve, pure (docs/backtest.md, metrics). Returns are daily:
 * equity at each day's close over the previous close (the first day over the starting equity).
 * Annualised with 252 trading days a year and a risk-free rate of 0, so Sharpe is the mean daily
 * return over its sample standard deviation × √252, and Sortino the mean over the downside
 * deviation (root mean square of the negative returns, over all days) × √252.
 */
export const TRADING_DAYS_PER_YEAR = 252;

export interface PerformanceMetrics {
  startEquity: number;
  endEquity: number;
  /** end ÷ start − 1, as a fraction (0.05 = +5 %) */
  totalReturn: number;
  /** compound annual growth over the days, fraction; null without days */
  cagr: number | null;
  /** null with fewer than two days or no variation */
  sharpe: number | null;
  /** null with fewer than two days or no losing day */
  sortino: number | null;
  /** fraction of the days that ended with a position held; null without days */
  exposure: number | null;
  days: number;
}

function dailyReturns(daily: readonly DailyPnl[], startEquity: number): number[] {
  const out: number[] = [];
  let prev = startEquity;
  for (const d of daily) {
    out.push(prev > 0 ? d.equity / prev - 1 : 0);
    prev = d.equity;
  }
  return out;
}

const mean = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;

/** `daysWithPosition`: how many of the days ended with shares held (the review rows do not say). */
export function performanceMetrics(
  daily: readonly DailyPnl[], startEquity: number, daysWithPosition: number,
): PerformanceMetrics {
  const days = daily.length;
  const endEquity = days > 0 ? daily[days - 1]!.equity : startEquity;
  const totalReturn = startEquity > 0 ? endEquity / startEquity - 1 : 0;
  const returns = dailyReturns(daily, startEquity);
  let sharpe: number | null = null;
  let sortino: number | null = null;
  if (days >= 2) {
    const m = mean(returns);
    const variance = returns.reduce((s, r) => s + (r - m) ** 2, 0) / (days - 1);
    const downside = Math.sqrt(returns.reduce((s, r) => s + Math.min(r, 0) ** 2, 0) / days);
    const annual = Math.sqrt(TRADING_DAYS_PER_YEAR);
    sharpe = variance > 0 ? (m / Math.sqrt(variance)) * annual : null;
    sortino = downside > 0 ? (m / downside) * annual : null;
  }
  const cagr = days > 0 && startEquity > 0 && endEquity > 0
    ? (endEquity / startEquity) ** (TRADING_DAYS_PER_YEAR / days) - 1
    : null;
  return {
    startEquity, endEquity, totalReturn, cagr, sharpe, sortino, exposure: days > 0 ? daysWithPosition / days : null,
    days,
  };
}
