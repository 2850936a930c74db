import type { Logger } from '../domain/index.js';
import type { WorkerHandle } from './workers.js';

/**
 * A worker that fetches nothing while its jobs wait is restarted: with BullMQ 6.7.0 a worker whose
 * Redis died as it started never fetches again after Redis returns (reproduced: killed 10 ms after
 * run(), no job in the next minutes; a fresh worker on the same connection goes on at once). The
 * daemon would stay "online" deciding nothing. The rule is narrow on purpose: jobs waiting, none
 * of this worker's running in this process, and none started for `stallMs` since it began running.
 */
export interface WatchedWorker {
  name: string;
  handle: WorkerHandle;
  /** jobs of its queue ready to run now */
  waiting(): Promise<number>;
}

export function stalledWorker(busy: ReturnType<WorkerHandle['busy']>, waiting: number, now: number, stallMs: number): boolean {
  if (waiting === 0 || busy.active > 0 || busy.runningSince === null) return false;
  const since = Math.max(busy.lastStartedAt ?? 0, busy.runningSince);
  return now - since >= stallMs;
}

export function startWorkerWatchdog(opts: {
  workers: readonly WatchedWorker[];
  /** false while Redis is away: nothing fetches then, and that is the outage's business */
  redisReady: () => boolean;
  log: Logger;
  stallMs?: number;
  everyMs?: number;
}): { stop(): void } {
  const stallMs = opts.stallMs ?? 60_000;
  let checking = false;
  const timer = setInterval(() => {
    if (checking || !opts.redisReady()) return;
    checking = true;
    void (async () => {
      for (const w of opts.workers) {
        const waiting = await w.waiting();
        if (!stalledWorker(w.handle.busy(), waiting, Date.now(), stallMs)) continue;
        opts.log.error({ queue: w.name, waiting, stallMs }, 'worker fetches nothing while jobs wait: restarting it');
        await w.handle.restart();
      }
    })().catch((err: unknown) => opts.log.warn({ err: String(err) }, 'worker watchdog check failed')).finally(() => { checking = false; });
  }, opts.everyMs ?? 15_000);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
