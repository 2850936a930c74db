import { hostname } from 'node:os';
import type { Command } from 'commander';
import { isAppError } from '../domain/index.js';
import { daemonState } from '../store/index.js';
import type { Store } from '../store/index.js';
import { CONFIG_IN_FORCE_KEY, CONFIG_LAST_RELOAD_KEY, pidAlive } from '../runtime/index.js';
import type { ConfigInForce, ReloadRecord } from '../runtime/index.js';

/**
 * `kis-trader reload`: the running daemon re-reads its config (SIGHUP to the pid of its heartbeat),
 * and this prints what it made of it, from the record the daemon writes into the trade log
 * (runtime/live-config.ts). Exit 0 when the files on disk are in force (applied, or nothing
 * changed); 1 when they are not (rejected, needs a restart, no daemon, no answer).
 */
export interface ReloadIo {
  out(s: string): void;
  err(s: string): void;
  exit(code: number): never;
  /** opens the store the config points at; the caller closes nothing */
  withStore<T>(fn: (store: Store) => T): T;
  readonly source: string;
}

const WAIT_MS = 10_000;
const POLL_MS = 100;

/** The lines `reload` and `status` print for one reload. */
export function describeReload(r: ReloadRecord): string[] {
  switch (r.status) {
    case 'applied':
      return [`config reloaded: hash ${r.hash} (was ${r.previousHash ?? '?'})`, `changed: ${(r.changed ?? []).join(', ')}`];
    case 'unchanged':
      return [`config unchanged: hash ${r.hash} is in force`];
    case 'restart-required':
      return [
        `config change refused: ${(r.restartKeys ?? []).join(', ')} cannot change while the daemon runs; restart kis-trader to apply`,
        `changed: ${(r.changed ?? []).join(', ')}`, `config in force: hash ${r.hash} (unchanged)`,
      ];
    case 'rejected':
      return [`config reload rejected (${(r.problems ?? []).length} problem(s)); the daemon keeps hash ${r.hash}:`,
        ...(r.problems ?? []).map((p) => `  ${p}`)];
  }
}

/** Of the running daemon `pid`: records left by an earlier run do not count. */
export function reloadState(store: Store, pid: number): { inForce: ConfigInForce | null; last: ReloadRecord | null } {
  const inForce = store.kv.get<ConfigInForce>(CONFIG_IN_FORCE_KEY);
  const last = store.kv.get<ReloadRecord>(CONFIG_LAST_RELOAD_KEY);
  return { inForce: inForce?.pid === pid ? inForce : null, last: last?.pid === pid ? last : null };
}

export function registerReloadCommand(program: Command, io: ReloadIo): void {
  program.command('reload')
    .description('the running daemon re-reads its config files now (SIGHUP); prints whether the change applied')
    .action(async () => {
      let before: { d: ReturnType<typeof daemonState>; last: ReloadRecord | null };
      try {
        before = io.withStore((s) => ({ d: daemonState(s.kv, Date.now(), hostname(), pidAlive), last: s.kv.get<ReloadRecord>(CONFIG_LAST_RELOAD_KEY) }));
      } catch (e) {
        // The config names the trade log, so with a broken config the daemon cannot be found; it keeps the config it has.
        if (!isAppError(e) || !e.code.startsWith('CONFIG_')) throw e;
        const problems = Array.isArray(e.details['problems']) ? (e.details['problems'] as unknown[]).map(String) : [e.message];
        io.err(`reload: the config files have problems; a running daemon would reject them and keep the config it has:\n${problems.map((p) => `  ${p}`).join('\n')}`);
        return io.exit(1);
      }
      const { d } = before;
      if (!d.running) {
        io.err(`reload: no daemon runs on ${io.source} (${d.why}): nothing to reload; a daemon started now reads the config as it is`);
        return io.exit(1);
      }
      const hb = d.heartbeat;
      if (hb.host !== hostname()) {
        io.err(`reload: the daemon runs on ${hb.host} (pid ${hb.pid}), not on this host: run \`kis-trader reload\` there, or send it SIGHUP`);
        return io.exit(1);
      }
      process.kill(hb.pid, 'SIGHUP');
      io.out(`sent SIGHUP to the daemon (pid ${hb.pid})`);
      const seen = JSON.stringify(before.last);
      const deadline = Date.now() + WAIT_MS;
      for (;;) {
        const last = io.withStore((s) => s.kv.get<ReloadRecord>(CONFIG_LAST_RELOAD_KEY));
        // The answer to this SIGHUP, not a reload the daemon's file watch made meanwhile.
        if (last !== null && last.pid === hb.pid && last.trigger === 'SIGHUP' && JSON.stringify(last) !== seen) {
          for (const line of describeReload(last)) io.out(line);
          return io.exit(last.status === 'applied' || last.status === 'unchanged' ? 0 : 1);
        }
        if (Date.now() > deadline) {
          io.err(`reload: the daemon recorded no reload within ${WAIT_MS / 1000} s; see its log`);
          return io.exit(1);
        }
        await new Promise((r) => setTimeout(r, POLL_MS));
      }
    });
}
