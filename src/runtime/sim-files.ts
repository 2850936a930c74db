import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Config } from '../config/index.js';
import type { KeyValueRepo } from '../domain/index.js';
import { pidAlive } from './process.js';
import { createFileJournal, createSimulator, SIM_DEFAULT_CREDENTIALS } from '../sim/index.js';
import type { JournalEntry, SimJournal, SimulatorOptions } from '../sim/index.js';

/**
 * Sim-mode plumbing shared by the daemon and the CLI: where the simulator's journal lives, how
 * far simulated time got, and how the CLI finds the simulator of a running daemon (so
 * `kis-trader kis buy` in sim mode trades the same books the daemon trades).
 */
export const SIM_CLOCK_KEY = 'sim-clock';

export interface SimEndpoint {
  url: string;
  pid: number;
  /** the daemon's clock anchor, so the CLI reads the same simulated "now" */
  anchor: string | null;
}

const simDir = (cwd: string, config: Config): string => resolve(cwd, join(config.dataDir, 'sim'));

export function openSimJournal(cwd: string, config: Config): SimJournal {
  return createFileJournal(join(simDir(cwd, config), `journal-${config.sim.env}-${config.sim.seed}.jsonl`));
}

const entryTime = (e: JournalEntry): number => (e.kind === 'token' || e.kind === 'reject' ? e.at : e.input.now);

/** The latest simulated instant a previous run reached (0 when there was none). */
export function lastSimTime(kv: KeyValueRepo, journal: SimJournal): number {
  return Math.max(kv.get<number>(SIM_CLOCK_KEY) ?? 0, ...journal.load().map(entryTime));
}

const endpointFile = (cwd: string, config: Config): string => join(simDir(cwd, config), 'endpoint.json');

export function writeSimEndpoint(cwd: string, config: Config, ep: SimEndpoint): void {
  const file = endpointFile(cwd, config);
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, JSON.stringify(ep), { mode: 0o600 });
}

export function removeSimEndpoint(cwd: string, config: Config): void {
  rmSync(endpointFile(cwd, config), { force: true });
}

/** The endpoint of a daemon that is still running; null when there is none (or it died). */
export function readLiveSimEndpoint(cwd: string, config: Config): SimEndpoint | null {
  const file = endpointFile(cwd, config);
  if (!existsSync(file)) return null;
  const ep = JSON.parse(readFileSync(file, 'utf8')) as SimEndpoint;
  return pidAlive(ep.pid) ? ep : null;
}

/**
 * The in-process simulator of sim mode: started, its endpoint written for the CLI, and its clock
 * saved every 5 s so a restart resumes where sim time got (runtime/clock.ts). `stop` saves the
 * clock once more, stops the simulator and removes the endpoint.
 */
export async function startInProcessSim(opts: {
  cwd: string; config: Config; options: Omit<SimulatorOptions, 'credentials'>; kv: KeyValueRepo; anchor: string | null;
}): Promise<{ url: string; stop(): Promise<void> }> {
  const { config, kv, options } = opts;
  const sim = createSimulator({
    ...options,
    credentials: [{ ...SIM_DEFAULT_CREDENTIALS, initialCash: config.sim.initialCash as typeof SIM_DEFAULT_CREDENTIALS.initialCash }],
  });
  const url = (await sim.start(config.sim.port)).url;
  writeSimEndpoint(opts.cwd, config, { url, pid: process.pid, anchor: opts.anchor });
  const save = (): void => kv.set(SIM_CLOCK_KEY, options.clock.now(), options.clock.now());
  const timer = setInterval(save, 5000);
  timer.unref();
  return {
    url,
    async stop() {
      clearInterval(timer);
      save();
      await sim.stop().catch(() => undefined);
      removeSimEndpoint(opts.cwd, config);
    },
  };
}
