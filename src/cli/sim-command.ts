import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { Env } from '../config/index.js';
import { createShiftedClock, systemClock } from '../domain/index.js';
import { DEFAULT_SIM_VARIANT, runSimServer, SIM_DEFAULT_CREDENTIALS, SIM_VARIANT_NAMES } from '../sim/index.js';
import type { SimVariantName } from '../sim/index.js';
import { simStartInstant } from '../app-clock.js';
import { feeRatesOf, loadCalendar } from '../app-market.js';
import { loadCliConfig } from './compose.js';

/**
 * `kis-trader sim`: the KIS-compatible simulator as a standalone server, for the CLI, other
 * clients (the Python seed client speaks to it as to KIS) and demos. Part of the CLI's
 * composition root, like compose.ts.
 */
export function registerSimCommand(program: Command, io: { out(s: string): void; err(s: string): void; exit(code: number): never; cwd: string; env: Env }): void {
  program.command('sim')
    .description('run the KIS-compatible exchange simulator on a port')
    .option('--port <port>', 'TCP port (0 = any free port)', '9443')
    .option('--host <host>', 'bind address', '127.0.0.1')
    .option('--env <env>', 'which KIS environment to imitate: live | paper', 'live')
    .option('--seed <seed>', 'seed of the synthetic market', '42')
    .option('--start-at <HH:MM>', 'start the simulated clock at this KST time of the current trading day (default: real time)')
    .option('--speed <n>', 'simulated seconds per real second', '1')
    .option('--fault <spec...>', "fault rules, e.g. 'accept-then-drop:order-cash:1' or 'latency::*:100'")
    .option('--variant <name>', `answer shape where KIS is known to use several: ${SIM_VARIANT_NAMES.join(' | ')}`, DEFAULT_SIM_VARIANT)
    .action(async (opts: { port: string; host: string; env: string; seed: string; startAt?: string; speed: string; fault?: string[]; variant: string }) => {
      if (opts.env !== 'live' && opts.env !== 'paper') return io.exit(2);
      if (!(SIM_VARIANT_NAMES as string[]).includes(opts.variant)) {
        io.err(`--variant must be one of ${SIM_VARIANT_NAMES.join(', ')}, got "${opts.variant}"`);
        return io.exit(2);
      }
      const market = loadCliConfig(io.env, io.cwd, undefined, 'sim').config.market;
      const calendar = loadCalendar(resolve(io.cwd, market.calendarFile), market.sessions);
      const clock = opts.startAt
        ? createShiftedClock(systemClock, simStartInstant(systemClock.now(), opts.startAt, calendar), Number(opts.speed))
        : systemClock;
      const sim = await runSimServer({
        env: opts.env, seed: Number(opts.seed), clock, calendar, port: Number(opts.port), host: opts.host,
        fees: feeRatesOf(market),
        faults: opts.fault ?? [], variant: opts.variant as SimVariantName,
      });
      io.out(`KIS simulator (${opts.env}) listening; credentials: appkey=${SIM_DEFAULT_CREDENTIALS.appKey} account=${SIM_DEFAULT_CREDENTIALS.account}`);
      const stop = () => { void sim.stop().then(() => io.exit(0)); };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
}
