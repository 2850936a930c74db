import { watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { AppError, describeError, isAppError } from '../domain/index.js';
import type { Clock, KeyValueRepo, Logger } from '../domain/index.js';
import { reloadConfig } from '../config/index.js';
import type { LoadedConfig, LoadOptions, ReloadResult } from '../config/index.js';
import type { StrategyInstance } from '../signals/index.js';

/**
 * The config of a running daemon (issue 10 §3): what is in force, and a reload that re-reads the
 * files the daemon started from (on a file change, SIGHUP or `kis-trader reload`). A valid change of
 * keys that apply while running replaces the config whole; jobs read it at their start
 * (runtime/jobs.ts). An invalid config, or a change of a key that needs a restart (config/reload.ts),
 * is refused whole and the config in force stays. Each outcome is logged and written to the
 * trade log, where `kis-trader reload` and `status` read it.
 */
export const CONFIG_IN_FORCE_KEY = 'config:in-force';
export const CONFIG_LAST_RELOAD_KEY = 'config:last-reload';

export type ReloadStatus = 'applied' | 'unchanged' | 'rejected' | 'restart-required';

export interface ReloadRecord {
  /** wall clock, epoch ms */
  at: number;
  /** the daemon that reloaded */
  pid: number;
  /** 'SIGHUP', or 'file' and the file names */
  trigger: string;
  status: ReloadStatus;
  /** the hash in force after this reload */
  hash: string;
  /** applied: the hash before */
  previousHash?: string;
  /** applied and restart-required: every changed key ("scan.topN") */
  changed?: string[];
  /** restart-required: the changed keys that need it */
  restartKeys?: string[];
  /** rejected: every problem, as `config check` words them */
  problems?: string[];
}

export interface ConfigInForce {
  hash: string;
  pid: number;
  /** wall clock, epoch ms */
  since: number;
}

/** A directory and the file names in it whose change triggers a reload. */
export interface WatchTarget {
  dir: string;
  names: string[];
}

/** The config in force with its strategies, resolved from it (runtime/strategies.ts). */
export interface InForce extends LoadedConfig {
  strategies: readonly StrategyInstance[];
}

export interface LiveConfig {
  current(): InForce;
  /** writes the config in force to the trade log (after the daemon has claimed it) */
  publish(): void;
  /** one reload at a time: a trigger while one runs waits for it */
  reload(trigger: string): Promise<ReloadRecord>;
  /** reloads (debounced) when a named file in a target directory is written, created, replaced or removed */
  watch(targets: readonly WatchTarget[]): void;
  close(): void;
}

const DEBOUNCE_MS = 500;
const REWATCH_MS = 5000;

export function createLiveConfig(opts: {
  loaded: InForce;
  /**
   * Finds and parses the strategies of a config (runtime/strategies.ts): a config whose strategies
   * do not resolve (a bad param, a module that fails to load) is rejected like any invalid one.
   */
  resolve: (loaded: LoadedConfig) => Promise<readonly StrategyInstance[]>;
  /** after a change was applied, with the config now in force */
  onApplied?: (inForce: InForce) => void;
  /** the options the daemon loaded its config with, re-read for each reload (the `.env` file included) */
  options: () => LoadOptions;
  kv: KeyValueRepo;
  clock: Clock;
  log: Logger;
  debounceMs?: number;
}): LiveConfig {
  const { kv, log } = opts;
  let loaded = opts.loaded;
  const watchers = new Map<string, FSWatcher>();
  const timers = new Set<ReturnType<typeof setTimeout>>();
  let debounce: ReturnType<typeof setTimeout> | null = null;
  const pending = new Set<string>();
  let closed = false;

  const write = (key: string, value: unknown): void => {
    try {
      kv.set(key, value, opts.clock.now());
    } catch (err) {
      log.warn({ err: describeError(err), key }, 'config reload not recorded in the trade log');
    }
  };
  const publish = (): void => write(CONFIG_IN_FORCE_KEY, { hash: loaded.hash, pid: process.pid, since: Date.now() } satisfies ConfigInForce);

  const asRejection = (err: unknown): ReloadResult =>
    // Not a problem the loader words (an unreadable .env): still no reason to stop trading.
    ({ status: 'rejected', error: isAppError(err) ? err : new AppError('CONFIG_UNREADABLE', describeError(err), { cause: err }) });

  const reloadOnce = async (trigger: string): Promise<ReloadRecord> => {
    const base = { at: Date.now(), pid: process.pid, trigger };
    const previous = loaded;
    let record: ReloadRecord;
    let result: ReloadResult;
    let strategies: readonly StrategyInstance[] = previous.strategies;
    try {
      result = reloadConfig(previous, opts.options());
      if (result.status === 'applied') strategies = await opts.resolve(result.loaded);
    } catch (err) {
      result = asRejection(err);
    }
    switch (result.status) {
      case 'unchanged':
        record = { ...base, status: 'unchanged', hash: previous.hash };
        log.info({ hash: previous.hash, trigger }, 'config unchanged');
        break;
      case 'applied':
        loaded = { ...result.loaded, strategies };
        record = { ...base, status: 'applied', hash: loaded.hash, previousHash: previous.hash, changed: result.changed };
        log.info({ hash: loaded.hash, previousHash: previous.hash, changed: result.changed, trigger }, 'config reloaded');
        publish();
        opts.onApplied?.(loaded);
        break;
      case 'restart-required':
        record = { ...base, status: 'restart-required', hash: previous.hash, changed: result.changed, restartKeys: result.restartKeys };
        log.error({ hash: previous.hash, refusedHash: result.loaded.hash, changed: result.changed, restartKeys: result.restartKeys, trigger },
          `config change refused: ${result.restartKeys.join(', ')} cannot change while running; restart kis-trader to apply (the config in force stays)`);
        break;
      case 'rejected': {
        const listed = result.error.details['problems'];
        const problems = Array.isArray(listed) ? listed.map(String) : [result.error.message];
        record = { ...base, status: 'rejected', hash: previous.hash, problems };
        log.error({ hash: previous.hash, problems, trigger }, 'config reload rejected: the config in force stays');
        break;
      }
    }
    write(CONFIG_LAST_RELOAD_KEY, record);
    return record;
  };
  let queue: Promise<unknown> = Promise.resolve();
  const reload = (trigger: string): Promise<ReloadRecord> => {
    const run = queue.then(() => reloadOnce(trigger));
    queue = run.catch(() => undefined);
    return run;
  };

  const fire = (): void => {
    debounce = null;
    const names = [...pending].sort();
    pending.clear();
    if (!closed) void reload(`file ${names.join(', ')}`).catch((err: unknown) => log.error({ err: describeError(err) }, 'config reload failed'));
  };

  const watchDir = (target: WatchTarget): void => {
    if (closed || watchers.has(target.dir)) return;
    try {
      // The directory, not the files: an editor that saves by writing a new file and renaming it
      // over the old one leaves a watch on the old file's inode silent.
      const w = watch(target.dir, { persistent: false }, (_event, name) => {
        const file = name === null ? null : String(name);
        if (file !== null && !target.names.includes(file)) return;
        pending.add(file ?? target.dir);
        if (debounce) clearTimeout(debounce);
        debounce = setTimeout(fire, opts.debounceMs ?? DEBOUNCE_MS);
        debounce.unref();
      });
      w.on('error', (err) => {
        w.close();
        watchers.delete(target.dir);
        log.warn({ dir: target.dir, err: describeError(err) }, 'config watch lost: retrying; SIGHUP or `kis-trader reload` still reload');
        retry(target);
      });
      watchers.set(target.dir, w);
    } catch (err) {
      log.warn({ dir: target.dir, err: describeError(err) }, 'cannot watch the config: retrying; SIGHUP or `kis-trader reload` still reload');
      retry(target);
    }
  };
  const retry = (target: WatchTarget): void => {
    const t = setTimeout(() => { timers.delete(t); watchDir(target); }, REWATCH_MS);
    t.unref();
    timers.add(t);
  };

  return {
    current: () => loaded,
    publish,
    reload,
    watch(targets) {
      for (const t of targets) watchDir(t);
      log.info({ watching: targets.map((t) => t.names.map((n) => `${t.dir}/${n}`)).flat() }, 'config files watched: a change applies between jobs');
    },
    close() {
      closed = true;
      if (debounce) clearTimeout(debounce);
      for (const t of timers) clearTimeout(t);
      for (const w of watchers.values()) w.close();
      watchers.clear();
    },
  };
}
