/**
 * The simulator in its own process for bench/rate-budget.ts: KIS is remote, so its admission
 * clock must not share an event loop with the client under test. Speaks over the IPC channel:
 * sends {url} once listening; answers {cmd:'stats'} with the stats (EGW00201 injected as spurious
 * counted apart), applies {cmd:'fault', spec}; {cmd:'spurious', probability} answers that share of
 * quotes with EGW00201 (seeded), probability 0 stops it; exits on {cmd:'stop'};
 * {cmd:'symbols'} answers the listing codes.
 * Arguments: venue rate (default 20), listings (default 20), and 'door' to put a front door before
 * the simulator that notes when each POST arrived in this process ({cmd:'arrivals'}): where an
 * order "left the client" is measured by bench/order-latency.ts, on the wall clock both share.
 */
import { createServer, request } from 'node:http';
import { Agent } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createShiftedClock, kstInstant, systemClock, tradingDate } from '../src/domain/index.js';
import { DEFAULT_FEE_RATES, createCalendar, parseCalendarData } from '../src/market/index.js';
import { createSimulator } from '../src/sim/index.js';
import type { ActiveFault } from '../src/sim/index.js';

type Command =
  | { cmd: 'arrivals' } | { cmd: 'symbols' } | { cmd: 'stats' } | { cmd: 'fault'; spec: string } | { cmd: 'spurious'; probability: number } | { cmd: 'stop' };

const MANY = 1_000_000_000;

async function main(): Promise<void> {
  const rate = Number(process.argv[2] ?? '20');
  const symbols = Number(process.argv[3] ?? '20');
  const door = process.argv[4] === 'door';
  const calendar = createCalendar(parseCalendarData(JSON.parse(readFileSync(join(import.meta.dirname, '../config/krx-calendar.json'), 'utf8')) as unknown));
  // a trading morning in real time: the one-second window is a real second
  const clock = createShiftedClock(systemClock, kstInstant(tradingDate('20260312'), '100000'));
  const sim = createSimulator({ env: 'live', seed: 11, clock, calendar, fees: DEFAULT_FEE_RATES, symbols, rateLimitPerSec: rate });
  const started = await sim.start(0);
  const arrivals: Array<{ path: string; at: number }> = [];
  const url = door ? await frontDoor(started.url, arrivals) : started.url;
  const send = (m: unknown) => { process.send?.(m); };
  const specs: string[] = [];
  // the live rule: the controller counts its hits down in place
  let spurious: ActiveFault | null = null;
  let injected = 0;
  process.on('message', (m: Command) => {
    const hits = () => injected + (spurious ? MANY - spurious.remaining : 0);
    if (m.cmd === 'arrivals') send({ arrivals: arrivals.splice(0) });
    else if (m.cmd === 'symbols') send({ symbols: sim.market.symbols().map((s) => s.code) });
    else if (m.cmd === 'stats') send({ stats: { ...sim.stats(), spurious: hits() } });
    else if (m.cmd === 'fault') { specs.push(m.spec); sim.faults.inject(m.spec); send({ ok: true }); }
    else if (m.cmd === 'spurious') {
      if (spurious) injected += MANY - spurious.remaining;
      sim.faults.clear();
      for (const spec of specs) sim.faults.inject(spec);
      spurious = m.probability > 0
        ? sim.faults.inject({
          kind: 'rate-limit', match: { path: 'inquire-price' }, times: MANY, probability: m.probability,
        })
        : null;
      send({ ok: true });
    }
    else void sim.stop().then(() => process.exit(0));
  });
  // the bench process went away without saying stop: do not linger
  process.on('disconnect', () => { void sim.stop().then(() => process.exit(0)); });
  send({ url });
}

/** Forwards every request to the simulator, noting when each POST arrived. */
async function frontDoor(target: string, arrivals: Array<{ path: string; at: number }>): Promise<string> {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const server = createServer((req, res) => {
    if (req.method === 'POST') arrivals.push({ path: (req.url ?? '/').split('?')[0]!, at: performance.timeOrigin + performance.now() });
    const out = request(target + (req.url ?? '/'), { method: req.method, headers: req.headers, agent }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    out.on('error', () => { res.destroy(); });
    req.pipe(out);
  });
  await new Promise<void>((resolve) => { server.listen(0, '127.0.0.1', resolve); });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

main().catch((err: unknown) => {
  process.stderr.write(`sim-server failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
