import { AppError, epochMs, silentLogger } from '../domain/index.js';
import type { Clock, KisEnv, Logger, TradingDate } from '../domain/index.js';
import type { FeeRates, TradingCalendar } from '../market/index.js';
import { RateWindow, TokenAuthority } from './auth.js';
import { SIM_DEFAULT_CREDENTIALS, splitAccount } from './credentials.js';
import type { SimCredentials } from './credentials.js';
import { SimExchange, placeOrder, reviseOrder } from '../exchange/index.js';
import type { ExchangeState } from '../exchange/index.js';
import { createFaultController } from './faults.js';
import type { FaultController, FaultRule } from './faults.js';
import { createSimServer } from './http-server.js';
import { createSimRealtime } from './realtime-server.js';
import type { SimRealtime } from './realtime-server.js';
import type { JournalEntry, SimJournal } from './journal.js';
import type { SplitOption, SyntheticMarket } from '../synthetic/index.js';
import { STREAM, createSimCalendar, createSyntheticMarket, foldSeed, hash32 } from '../synthetic/index.js';
import { DEFAULT_SIM_VARIANT, simVariant } from './variants.js';
import type { SimVariantName, WireVariant } from './variants.js';

export interface SimulatorOptions {
  /** which KIS environment it imitates: TR_IDs, page sizes, paper-only codes, live-only TRs refused on paper */
  env: KisEnv;
  /** everything is deterministic from the seed and the clock */
  seed: number;
  clock: Clock;
  calendar: TradingCalendar;
  fees: FeeRates;
  /** default [SIM_DEFAULT_CREDENTIALS] */
  credentials?: SimCredentials[];
  /** default 200 */
  symbols?: number;
  /** per app key, sliding one-second window; default 20 live / 2 paper (docs/kis-wire.md §4) */
  rateLimitPerSec?: number;
  /** default 86400 (§3.1) */
  tokenTtlSec?: number;
  /** fault specs, e.g. 'accept-then-drop:order-cash:1' (see faults.ts) */
  faults?: (string | FaultRule)[];
  log?: Logger;
  /** replayed at creation and appended to afterwards, so the books survive a restart (journal.ts) */
  journal?: SimJournal;
  /** which of KIS's known answer shapes to use (variants.ts); default DEFAULT_SIM_VARIANT */
  variant?: SimVariantName;
  /**
   * stock splits (synthetic/corporate-actions.ts): 'none' (default), 'seeded' (two symbols 1–5 trading days
   * after the start day, by 2, 5 or 10) or an explicit list
   */
  splits?: SplitOption;
  /** the WebSocket (realtime-server.ts): pump and PINGPONG periods in real ms, the registration limit */
  realtime?: { pumpMs?: number; pingMs?: number; maxRegistrations?: number };
}

export interface Simulator {
  start(port?: number, host?: string): Promise<{ url: string; port: number }>;
  stop(): Promise<void>;
  readonly faults: FaultController;
  readonly market: SyntheticMarket;
  /** read access; every read first runs matching up to the clock's now */
  readonly exchange: ExchangeState;
  /** the WebSocket served on the same port (ws://host:port) */
  readonly realtime: Pick<SimRealtime, 'sessions' | 'stats' | 'disconnectAll'>;
  /** byPath: requests received per URL path (e.g. '/oauth2/tokenP'), answered or not */
  stats(): { requests: number; rateLimited: number; tokensIssued: number; byPath: Record<string, number> };
}

function invalid(message: string): never {
  throw new AppError('SIM_INVALID_OPTIONS', `simulator options: ${message}`);
}

function validate(opts: SimulatorOptions): { credentials: SimCredentials[]; symbols: number; rate: number; ttl: number; variant: WireVariant } {
  if (opts.env !== 'live' && opts.env !== 'paper') invalid(`env must be 'live' or 'paper', got ${String(opts.env)}`);
  if (!Number.isSafeInteger(opts.seed)) invalid(`seed must be a whole number, got ${opts.seed}`);
  const credentials = opts.credentials ?? [SIM_DEFAULT_CREDENTIALS];
  if (credentials.length === 0) invalid('at least one set of credentials is needed');
  const keys = new Set<string>();
  for (const c of credentials) {
    if (!splitAccount(c.account)) invalid(`account must look like 50000000-01, got "${c.account}"`);
    if (c.appKey === '' || keys.has(c.appKey)) invalid('app keys must be non-empty and distinct');
    if (!Number.isSafeInteger(c.initialCash) || c.initialCash < 0) invalid(`initialCash must be whole won ≥ 0 for ${c.account}`);
    keys.add(c.appKey);
  }
  const symbols = opts.symbols ?? 200;
  if (!Number.isInteger(symbols) || symbols < 1 || symbols > 2000) invalid(`symbols must be within 1..2000, got ${symbols}`);
  const rate = opts.rateLimitPerSec ?? (opts.env === 'live' ? 20 : 2);
  if (!Number.isInteger(rate) || rate < 1) invalid(`rateLimitPerSec must be a whole number ≥ 1, got ${rate}`);
  const ttl = opts.tokenTtlSec ?? 86_400;
  if (!Number.isInteger(ttl) || ttl < 1) invalid(`tokenTtlSec must be a whole number ≥ 1, got ${ttl}`);
  const variant = simVariant(opts.variant ?? DEFAULT_SIM_VARIANT);
  return { credentials, symbols, rate, ttl, variant };
}

/** Rebuilds the books from a journal; an entry that no longer applies means the seed or options changed. */
function replay(entries: readonly JournalEntry[], deps: { env: KisEnv; exchange: SimExchange; tokens: TokenAuthority; log: Logger }): void {
  let refused = 0;
  for (const e of entries) {
    const ok = e.kind === 'token'
      ? deps.tokens.issue(e.grantType, e.appKey, e.appSecret, epochMs(e.at)).ok
      : e.kind === 'place' ? placeOrder(deps.exchange, deps.env, e.input).ok
        : e.kind === 'reject' ? deps.exchange.rejectAccepted(e.date, e.odno, epochMs(e.at))
          : reviseOrder(deps.exchange, deps.env, e.input).ok;
    if (!ok) refused++;
  }
  if (refused > 0) deps.log.warn({ refused, entries: entries.length }, 'simulator journal: some entries no longer apply (seed, symbols or cash changed?)');
  else if (entries.length > 0) deps.log.info({ entries: entries.length }, 'simulator books rebuilt from the journal');
}

export function createSimulator(opts: SimulatorOptions): Simulator {
  const v = validate(opts);
  const log = opts.log ?? silentLogger;
  const calendar = createSimCalendar(opts.calendar);
  const market = createSyntheticMarket({
    seed: opts.seed, symbols: v.symbols, clock: opts.clock, calendar, ...(opts.splits === undefined ? {} : { splits: opts.splits }),
  });
  // branch numbers as observed (§7.2, §12): 06010 live, 00950 paper
  const branch = opts.env === 'live' ? '06010' : '00950';
  // the gaps between our order numbers are the synthetic world's other customers, so the seed draws them
  const orderSeed = foldSeed(opts.seed);
  const exchange = new SimExchange({
    orderNumberDraw: (dayNo, n) => hash32(orderSeed, STREAM.orderNumber, dayNo, n), market, calendar, fees: opts.fees, branch,
    accounts: v.credentials.map((c) => ({ account: c.account.replace(/^(\d{8})(\d{2})$/, '$1-$2'), initialCash: c.initialCash })),
  });
  const tokens = new TokenAuthority({ seed: opts.seed, ttlSec: v.ttl, credentials: v.credentials });
  const rate = new RateWindow(v.rate);
  const faults = createFaultController(opts.seed, opts.faults ?? []);
  const journal = opts.journal ?? null;
  if (journal) replay(journal.load(), { env: opts.env, exchange, tokens, log });
  const stats = { requests: 0, rateLimited: 0, byPath: new Map<string, number>() };
  const realtime = createSimRealtime({
    env: opts.env, seed: opts.seed, clock: opts.clock, market, exchange, tokens, faults, log, ...opts.realtime,
  });
  const server = createSimServer({
    seed: opts.seed,
    handler: { env: opts.env, market, exchange, calendar, fees: opts.fees, branch, journal, variant: v.variant },
    tokens, rate, faults, clock: opts.clock, log, stats, upgrade: (req, socket, head) => realtime.handleUpgrade(req, socket, head),
  });
  const now = () => opts.clock.now();
  const view: ExchangeState = {
    orders: (account: string, date?: TradingDate) => {
      exchange.advanceTo(now());
      return exchange.orders(account, date);
    },
    holdings: (account) => {
      exchange.advanceTo(now());
      return exchange.holdings(account);
    },
    cash: (account) => {
      exchange.advanceTo(now());
      return exchange.cash(account, now());
    },
    trades: (account) => {
      exchange.advanceTo(now());
      return exchange.trades(account);
    },
    get ordersReceived() {
      return exchange.ordersReceived;
    },
    get cancelsReceived() {
      return exchange.cancelsReceived;
    },
  };
  let started = false;
  return {
    async start(port = 0, host = '127.0.0.1') {
      const addr = await server.start(port, host);
      started = true;
      log.info({ url: addr.url, env: opts.env, seed: opts.seed, symbols: v.symbols, variant: v.variant.name }, 'KIS simulator listening');
      return addr;
    },
    async stop() {
      if (!started) return;
      started = false;
      await realtime.close();
      await server.stop();
      log.info({}, 'KIS simulator stopped');
    },
    faults,
    market,
    realtime: { sessions: () => realtime.sessions(), stats: () => realtime.stats(), disconnectAll: () => realtime.disconnectAll() },
    exchange: view,
    stats: () => ({
      requests: stats.requests, rateLimited: stats.rateLimited, tokensIssued: tokens.issued,
      byPath: Object.fromEntries(stats.byPath),
    }),
  };
}
