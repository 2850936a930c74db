import { hostname } from 'node:os';
import { describeError } from '../domain/index.js';
import type { AppError, Clock, Logger } from '../domain/index.js';
import type { Producers } from '../queues/index.js';
import { daemonState, HEARTBEAT_INTERVAL_MS, HEARTBEAT_KEY, lastActivity, storageFailure } from '../store/index.js';
import { pidAlive } from './process.js';
import type { Heartbeat, QueueDepths, Store, WebSocketBeat } from '../store/index.js';

/** Queue counts wait this long at most: a heartbeat must not hang on a Redis outage. */
const QUEUE_COUNT_TIMEOUT_MS = 2000;

export interface HeartbeatWriter {
  /**
   * Claims the trade log for this process: in one SQLite write transaction, refuses (returns the
   * running daemon's heartbeat) when another live daemon's heartbeat is there, else writes ours.
   * A second daemon on one trade log is refused here even when it uses another Redis (whose
   * instance lock it would pass).
   */
  claim(): Heartbeat | null;
  /** writes one now and then every HEARTBEAT_INTERVAL_MS */
  start(producers: () => Producers | null): void;
  /** one more now (start-up finished: the first reconcile and the queues are in it) */
  beat(): void;
  /** the last heartbeat, marked stopped (a graceful stop); nothing when start() never ran */
  stop(): void;
}

/** The daemon's heartbeat (issue 9 item 4): see src/store/heartbeat.ts for what `status` reads. */
export function createHeartbeat(opts: {
  store: Store; mode: string; clock: Clock; log: Logger;
  /** the KIS WebSocket's state now; null when it is off */
  websocket: () => WebSocketBeat | null;
  /** a full or read-only disk: the daemon stops (runtime/jobs.ts's boundary does the same) */
  onFatal: (err: AppError) => void;
}): HeartbeatWriter {
  const since = Date.now();
  let timer: ReturnType<typeof setInterval> | null = null;
  let queues: QueueDepths | null = null;
  let started = false;
  let run: () => void = () => undefined;
  let stopped = false;

  const write = (stoppedAt: number | null): void => {
    const hb: Heartbeat = {
      pid: process.pid, host: hostname(), mode: opts.mode, since, at: Date.now(), ...lastActivity(opts.store.db), queues, stoppedAt,
      websocket: opts.websocket(),
    };
    opts.store.kv.set(HEARTBEAT_KEY, hb, opts.clock.now());
  };

  const beat = async (producers: Producers | null): Promise<void> => {
    if (producers) {
      let timeout: ReturnType<typeof setTimeout> | undefined;
      queues = await Promise.race([
        Promise.all([producers.counts(), producers.signalConsumers()]).then(([counts, signalConsumers]) => ({ ...counts, signalConsumers })),
        new Promise<null>((r) => { timeout = setTimeout(() => r(null), QUEUE_COUNT_TIMEOUT_MS); }),
      ]).catch(() => null).finally(() => clearTimeout(timeout));
    }
    if (!stopped) write(null);
  };

  return {
    claim() {
      return opts.store.transaction(() => {
        const d = daemonState(opts.store.kv, Date.now(), hostname(), pidAlive);
        if (d.running && (d.heartbeat.pid !== process.pid || d.heartbeat.host !== hostname())) return d.heartbeat;
        started = true;
        write(null);
        return null;
      });
    },
    start(producers) {
      started = true;
      write(null);
      run = (): void => {
        beat(producers()).catch((err: unknown) => {
          const disk = storageFailure(err, opts.store.path);
          if (disk) opts.onFatal(disk);
          else opts.log.warn({ err: describeError(err) }, 'heartbeat not written');
        });
      };
      run();
      timer = setInterval(run, HEARTBEAT_INTERVAL_MS);
      timer.unref();
    },
    beat: () => run(),
    stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      // A daemon refused by the instance lock never started one: the running daemon's stays.
      if (!started) return;
      try { write(Date.now()); } catch { /* the store may already be closed */ }
    },
  };
}
