import { silentLogger } from '../domain/index.js';
import type { Clock, DistributedLock, KisEnv, KisTelemetry, Logger, RateBudget, TokenStore } from '../domain/index.js';
import type { Dispatcher } from 'undici';
import { createKisBroker, parseAccount } from './broker.js';
import type { KisBroker } from './broker.js';
import type { CallContext } from './call.js';
import { createKisMarketData } from './market-data.js';
import type { KisMarketData } from './market-data.js';
import { DEFAULT_MAX_PAGES } from './paging.js';
import { DEFAULT_RETRY } from './retry.js';
import type { RetryPolicy } from './retry.js';
import { requestApprovalKey } from './realtime.js';
import { createTokenManager } from './token.js';
import type { TokenManager } from './token.js';
import { DEFAULT_REFRESH_LEAD_MS } from './token-policy.js';
import { createTransport } from './transport.js';
import type { Transport } from './transport.js';
import { kisFailureOf } from './errors.js';
import type { KisTimeouts, KisTlsOptions } from './transport.js';

export interface KisClientOptions {
  env: KisEnv;
  baseUrl: string;
  appKey: string;
  appSecret: string;
  /** '12345678-01' */
  account: string;
  timeouts: KisTimeouts;
  tls?: KisTlsOptions;
  rateBudget: RateBudget;
  tokenStore: TokenStore;
  lock: DistributedLock;
  clock: Clock;
  log?: Logger;
  /** FID_COND_MRKT_DIV_CODE, default 'J' (KRX) */
  marketDivCode?: string;
  /** refresh this long before the stated expiry; default 30 min */
  tokenRefreshLeadMs?: number;
  /** tests: an undici MockAgent or similar; the client then owns no pool */
  dispatcher?: Dispatcher;
  /** undici Pool connections (default 6) */
  connections?: number;
  /** send the hashkey header with order bodies (default true, docs/kis-wire.md §3.4) */
  useHashkey?: boolean;
  /** continuation page cap for balance / daily orders (default 20) */
  maxPages?: number;
  /** read retries (default 4 attempts, 200 ms … 3 s with jitter) */
  retry?: Partial<RetryPolicy>;
  /** waits out the tokenP cooldown; tests with a manual clock advance it here */
  sleep?: (ms: number) => Promise<void>;
  /** told of each HTTP exchange (endpoint, lane, result) and each token issued or unavailable (runtime/metrics.ts) */
  telemetry?: KisTelemetry;
}

export interface KisClient {
  market: KisMarketData;
  broker: KisBroker;
  tokens: TokenManager;
  env: KisEnv;
  /** a WebSocket approval key (docs/kis-wire.md §3.3), for createRealtimeSession */
  approvalKey(): Promise<string>;
  close(): Promise<void>;
}

/** The production KIS REST client: the only code that knows the KIS wire format. */
export function createKisClient(opts: KisClientOptions): KisClient {
  const log = (opts.log ?? silentLogger).child({ mod: 'kis', env: opts.env });
  const account = parseAccount(opts.account);
  const wire = createTransport({
    baseUrl: opts.baseUrl, timeouts: opts.timeouts,
    ...(opts.tls === undefined ? {} : { tls: opts.tls }),
    ...(opts.dispatcher === undefined ? {} : { dispatcher: opts.dispatcher }),
    ...(opts.connections === undefined ? {} : { connections: opts.connections }),
  });
  const telemetry = opts.telemetry;
  const transport: Transport = telemetry === undefined ? wire : {
    send: (req) => wire.send(req).then((res) => {
      telemetry.call(req.endpoint, req.lane ?? 'scan', 'ok');
      return res;
    }, (err: unknown) => {
      const f = kisFailureOf(err);
      telemetry.call(req.endpoint, req.lane ?? 'scan', f?.kind === 'api' ? f.msgCode : f?.kind === 'http' ? `HTTP ${f.status}` : f?.kind ?? 'error');
      throw err;
    }),
    close: () => wire.close(),
  };
  const tokens = createTokenManager({
    env: opts.env, appKey: opts.appKey, appSecret: opts.appSecret, transport, rateBudget: opts.rateBudget,
    store: opts.tokenStore, lock: opts.lock, clock: opts.clock, log, leadMs: opts.tokenRefreshLeadMs ?? DEFAULT_REFRESH_LEAD_MS,
    ...(opts.sleep === undefined ? {} : { sleep: opts.sleep }),
    ...(telemetry === undefined ? {} : { telemetry }),
  });
  const call: CallContext = {
    env: opts.env, appKey: opts.appKey, appSecret: opts.appSecret, transport, tokens, rateBudget: opts.rateBudget, log,
    retry: { ...DEFAULT_RETRY, ...opts.retry }, useHashkey: opts.useHashkey ?? true,
  };
  return {
    env: opts.env,
    tokens,
    market: createKisMarketData({ call, clock: opts.clock, marketDivCode: opts.marketDivCode ?? 'J' }),
    broker: createKisBroker({ call, clock: opts.clock, account, maxPages: opts.maxPages ?? DEFAULT_MAX_PAGES }),
    approvalKey: async () => {
      await opts.rateBudget.acquire('reconcile');
      return requestApprovalKey(transport, opts.appKey, opts.appSecret);
    },
    close: () => transport.close(),
  };
}
