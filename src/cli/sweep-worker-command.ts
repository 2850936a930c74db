import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import type { LoadedConfig } from '../config/index.js';
import { connectRedis, serveSweepQueue, shownRedisUrl, SWEEP_QUEUE } from '../runtime/index.js';
import { usageAction, wholeOption } from './backtest-inputs.js';
import { threadPool } from './sweep-pool.js';

/**
 * `kis-trader sweep-worker --redis URL`: runs the points of `kis-trader sweep --redis URL` on this
 * machine's cores until stopped (docs/backtest.md, distributed sweep). Strategies named by module
 * path resolve against this installation, so every machine needs the same strategy files.
 */
export interface SweepWorkerIo {
  err(s: string): void;
  exit(code: number): never;
  load(): LoadedConfig;
  root: string;
  /** resolves on SIGINT or SIGTERM */
  stopped(): Promise<string>;
}

interface Options { redis: string; threads?: string; lockSeconds: string }

/** A close that cannot finish (Redis gone: docs/stack.md §1.9) must not keep the process. */
const CLOSE_DEADLINE_MS = 10_000;

async function run(io: SweepWorkerIo, opts: Options): Promise<void> {
  const threads = opts.threads === undefined ? availableParallelism() : wholeOption('--threads', opts.threads, 1);
  const lockSeconds = wholeOption('--lock-seconds', opts.lockSeconds, 1);
  const { prefix } = io.load().config.redis;
  const connection = await connectRedis(opts.redis, 'check --redis: it must be the Redis the sweep uses');
  const started = new Map<string, number>();
  const handle = serveSweepQueue({
    connection, prefix, concurrency: threads, lockMs: lockSeconds * 1000,
    poolFor: (data) => threadPool({ ...data, root: io.root }, threads),
    onPoint: ({ sweep, index, state, error }) => {
      const key = `${sweep}.${index}`;
      if (state === 'started') {
        started.set(key, Date.now());
        io.err(`sweep-worker: sweep ${sweep} point ${index + 1} started`);
        return;
      }
      const secs = ((Date.now() - (started.get(key) ?? Date.now())) / 1000).toFixed(1);
      started.delete(key);
      io.err(`sweep-worker: sweep ${sweep} point ${index + 1} ${state} in ${secs} s${error ? `: ${error}` : ''}`);
    },
  });
  io.err(`sweep-worker: taking points from ${shownRedisUrl(opts.redis)} queue ${prefix}:${SWEEP_QUEUE} on ${threads} `
    + `thread(s); a point left by a dead worker is run again after ${lockSeconds} s (Ctrl-C stops)`);
  const signal = await io.stopped();
  io.err(`sweep-worker: ${signal}: finishing the points in hand`);
  const deadline = new Promise<'late'>((r) => setTimeout(() => r('late'), CLOSE_DEADLINE_MS).unref());
  const closed = await Promise.race([handle.close().then(() => 'closed' as const), deadline]);
  connection.disconnect();
  if (closed === 'late') io.err(`sweep-worker: not closed within ${CLOSE_DEADLINE_MS / 1000} s; the points in hand run again elsewhere`);
  io.exit(0);
}

export function registerSweepWorkerCommand(program: Command, io: SweepWorkerIo): void {
  program.command('sweep-worker')
    .description('run the points of `kis-trader sweep --redis URL` on this machine until stopped (docs/backtest.md)')
    .requiredOption('--redis <url>', 'the Redis the sweep uses, e.g. redis://10.0.0.5:6379')
    .option('--threads <n>', 'points run at once, each on a worker thread (default: the available parallelism)')
    .option('--lock-seconds <n>', 'a point held by a worker silent this long is run again by another', '30')
    .action(usageAction(io, (opts: Options) => run(io, opts)));
}
