/**
 * The progress bar of long commands (backtest, sweep, walkforward, data fetch): one stderr line
 * rewritten in place, only when stderr is a terminal (`write` is null otherwise, and this does
 * nothing), redrawn at most every `everyMs` so a million updates cost nothing.
 */
export interface Progress {
  /** `done` of the total finished; `detail` says what is under way */
  update(done: number, detail?: string): void;
  /** clears the line, so the output that follows starts clean */
  end(): void;
}

const WIDTH = 24;

function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min ${s % 60} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function progressBar(
  write: ((s: string) => void) | null, label: string, total: number,
  opts: { now?: () => number; everyMs?: number } = {},
): Progress {
  if (write === null) return { update: () => undefined, end: () => undefined };
  const now = opts.now ?? Date.now;
  const everyMs = opts.everyMs ?? 100;
  const started = now();
  let drawn = -Infinity;
  let shown = false;
  return {
    update(done, detail) {
      const t = now();
      if (t - drawn < everyMs && done < total) return;
      drawn = t;
      shown = true;
      const share = total > 0 ? Math.min(1, done / total) : 1;
      const full = Math.round(share * WIDTH);
      // the time left, once a first part is done to judge by
      const left = done > 0 && done < total ? ` · ${duration(((t - started) / done) * (total - done))} left` : '';
      const bar = `${'█'.repeat(full)}${'░'.repeat(WIDTH - full)}`;
      write(`\r\x1b[2K${label} ${bar} ${Math.floor(share * 100)} % ${done}/${total}${left}${detail ? ` · ${detail}` : ''}`);
    },
    end() {
      if (!shown) return;
      write('\r\x1b[2K');
      // a line printed under a cleared bar: the next update redraws at once, not after everyMs
      shown = false;
      drawn = -Infinity;
    },
  };
}
