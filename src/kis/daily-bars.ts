import { addDays } from '../domain/index.js';
import type { DailyBar, TradingDate } from '../domain/index.js';

/**
 * The newest `count` daily bars ending at `end`, oldest first, stitched from calls of at most
 * 100 rows (docs/kis-wire.md §6.3: no continuation; output2 newest first). The seed kept the OLDEST
 * rows of its window; this keeps the newest.
 *
 * Each window spans at most `need × 7/5` calendar days, so it holds at most `need` ≤ 100 weekdays
 * and never relies on the ⚠-inferred "a range over 100 rows returns the newest 100". Holidays
 * make windows come back short; the next window then starts the day before the previous one.
 * Two empty windows in a row mean no older history (a recent listing): stop with what we have.
 */
export const MAX_ROWS_PER_CALL = 100;
const MIN_SPAN_DAYS = 14;
const EMPTY_WINDOWS_TO_STOP = 2;

export interface BarsWindow {
  start: TradingDate;
  end: TradingDate;
}

export function windowFor(end: TradingDate, need: number): BarsWindow {
  const rows = Math.min(MAX_ROWS_PER_CALL, Math.max(1, need));
  const span = Math.max(MIN_SPAN_DAYS, Math.floor((rows * 7) / 5));
  return { start: addDays(end, -(span - 1)), end };
}

/** Merges one page into `byDate` (keeping only rows inside the window) and says where to go next. */
export function absorbPage(byDate: Map<TradingDate, DailyBar>, window: BarsWindow, page: readonly DailyBar[]): { added: number; nextEnd: TradingDate } {
  let added = 0;
  let oldest: TradingDate | null = null;
  for (const bar of page) {
    if (bar.date < window.start || bar.date > window.end) continue;
    if (oldest === null || bar.date < oldest) oldest = bar.date;
    if (!byDate.has(bar.date)) {
      byDate.set(bar.date, bar);
      added++;
    }
  }
  // A full page may have been cut at 100 rows: continue below the oldest row actually received.
  const below = page.length >= MAX_ROWS_PER_CALL && oldest !== null ? oldest : window.start;
  return { added, nextEnd: addDays(below, -1) };
}

/** The newest `count` bars, oldest first. */
export function newestOldestFirst(byDate: ReadonlyMap<TradingDate, DailyBar>, count: number): DailyBar[] {
  const all = [...byDate.values()].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  return count <= 0 ? [] : all.slice(Math.max(0, all.length - count));
}

export async function stitchDailyBars(count: number, end: TradingDate, fetchWindow: (w: BarsWindow) => Promise<DailyBar[]>): Promise<DailyBar[]> {
  const byDate = new Map<TradingDate, DailyBar>();
  const maxCalls = Math.ceil(count / MAX_ROWS_PER_CALL) * 2 + EMPTY_WINDOWS_TO_STOP + 2;
  let cursor = end;
  let empties = 0;
  for (let calls = 0; byDate.size < count && calls < maxCalls && empties < EMPTY_WINDOWS_TO_STOP; calls++) {
    const window = windowFor(cursor, count - byDate.size);
    const { added, nextEnd } = absorbPage(byDate, window, await fetchWindow(window));
    empties = added === 0 ? empties + 1 : 0;
    cursor = nextEnd;
  }
  return newestOldestFirst(byDate, count);
}
