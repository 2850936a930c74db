import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { Env } from '../config/index.js';
import { createShiftedClock, systemClock } from '../domain/index.js';
import { createSimulator, DEFAULT_SIM_VARIANT, SIM_DEFAULT_CREDENTIALS, SIM_VARIANT_NAMES } from '../sim/index.js';
import type { SimVariantName } from '../sim/index.js';
import { anchoredClock, feeRatesOf, loadCalendar, parseClockAnchor, simStartInstant } from '../runtime/index.js';
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
    .option('--start-at <HH:MM>', 'start the simulated clock at this KST time of the current trading day (default: real time; KIS_TRADER_CLOCK_ANCHOR overrides it and --speed)')
    .option('--speed <n>', 'simulated seconds per real second', '1')
    .option('--fault <spec...>', "fault rules, e.g. 'accept-then-drop:order-cash:1' or 'latency::*:100'")
    .option('--variant <name>', `answer shape where KIS is known to use several: ${SIM_VARIANT_NAMES.join(' | ')}`, DEFAULT_SIM_VARIANT)
    .action(async (opts: { port: string; host: string; env: string; seed: string; startAt?: string; speed: string; fault?: string[]; variant: string }) => {
      const bad = (what: string): never => { io.err(what); return io.exit(2); };
      if (opts.env !== 'live' && opts.env !== 'paper') return bad(`--env must be live or paper, got "${opts.env}"`);
      for (const [name, value, ok] of [
        ['--port', opts.port, /^\d+$/.test(opts.port) && Number(opts.port) <= 65_535],
        ['--seed', opts.seed, /^\d+$/.test(opts.seed)],
        ['--speed', opts.speed, /^\d+(\.\d+)?$/.test(opts.speed) && Number(opts.speed) >= 1 && Number(opts.speed) <= 600],
      ] as const) {
        if (!ok) return bad(`${name}: "${value}" is not valid (${name === '--speed' ? 'a number from 1 to 600' : 'a whole number'})`);
      }
      if (!(SIM_VARIANT_NAMES as string[]).includes(opts.variant)) {
        io.err(`--variant must be one of ${SIM_VARIANT_NAMES.join(', ')}, got "${opts.variant}"`);
        return io.exit(2);
      }
      const market = loadCliConfig(io.env, io.cwd, undefined, 'sim').config.market;
      const calendar = loadCalendar(resolve(io.cwd, market.calendarFile), market.sessions);
      // KIS_TRADER_CLOCK_ANCHOR pins the clock a daemon uses too (runtime/clock.ts), so both run on one
      // simulated time: bench/soak.ts runs the simulator in its own process this way.
      const pinned = io.env.KIS_TRADER_CLOCK_ANCHOR;
      const clock = pinned ? anchoredClock(parseClockAnchor(pinned))
        : opts.startAt ? createShiftedClock(systemClock, simStartInstant(systemClock.now(), opts.startAt, calendar), Number(opts.speed))
          : systemClock;
      const sim = createSimulator({
        env: opts.env, seed: Number(opts.seed), clock, calendar, fees: feeRatesOf(market),
        faults: opts.fault ?? [], variant: opts.variant as SimVariantName,
      });
      const { url } = await sim.start(Number(opts.port), opts.host);
      const c = SIM_DEFAULT_CREDENTIALS;
      io.out(`KIS simulator (${opts.env}, ${opts.variant} answers) listening at ${url}`);
      io.out(`credentials: appkey=${c.appKey} appsecret=${c.appSecret} account=${c.account}`);
      io.out(`point the CLI at it with KIS_TRADER_SIM_URL=${url}`);
      const stop = () => { void sim.stop().then(() => io.exit(0)); };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
}
