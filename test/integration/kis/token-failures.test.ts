import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isAppError, stockCode } from '../../../src/domain/index.js';
import type { AppError, LogFn, Logger, TokenStore } from '../../../src/domain/index.js';
import { createKisClient } from '../../../src/kis/index.js';
import { createCountingBudget, createLocalLock, createMemoryTokenStore } from '../../helpers/kis-fakes.js';
import { createTempStore } from '../../helpers/temp-store.js';
import { createJumpClock, startSim } from './sim-harness.js';
import type { JumpClock } from './sim-harness.js';

/**
 * A token that cannot be had says why (issue 9 item 9): wrong key, nothing listening, no such
 * host, a certificate that does not verify, no answer at all — each against a real socket on
 * 127.0.0.1 or the simulator, never the internet. An attempt that never reached KIS does not
 * start the one-per-minute issuance cooldown (docs/kis-wire.md §3.1), so the next try goes out at once.
 */
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Logged { level: string; obj: Record<string, unknown>; msg: string }

function capture(): { log: Logger; lines: Logged[] } {
  const lines: Logged[] = [];
  const at = (level: string): LogFn => (obj: Record<string, unknown> | string, msg?: string) => {
    lines.push(typeof obj === 'string' ? { level, obj: {}, msg: obj } : { level, obj, msg: msg ?? '' });
  };
  const log: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), fatal: at('fatal'), child: () => log };
  return { log, lines };
}

interface Setup { store: TokenStore; key: string; clock: JumpClock; lines: Logged[]; get(): Promise<unknown> }

function client(baseUrl: string, extra: { appKey?: string; ca?: string; store?: TokenStore } = {}): Setup {
  const store = extra.store ?? createMemoryTokenStore();
  const clock = createJumpClock();
  const { log, lines } = capture();
  const c = createKisClient({
    env: 'live', baseUrl, appKey: extra.appKey ?? 'wrong-key', appSecret: 'wrong-secret', account: '50000000-01',
    timeouts: { connectMs: 1_000, headersMs: 800, bodyMs: 800, totalMs: 1_500 },
    ...(extra.ca === undefined ? {} : { tls: { mode: 'verify' as const, ca: extra.ca } }),
    rateBudget: createCountingBudget(), tokenStore: store, lock: createLocalLock(), clock, log,
    retry: { attempts: 1 },
    sleep: (ms) => { clock.jump(ms); return Promise.resolve(); },
  });
  cleanups.push(() => c.close());
  return {
    store, key: c.tokens.storeKey, clock, lines,
    get: async () => {
      try {
        return await c.tokens.get('reconcile');
      } catch (e) {
        return e;
      }
    },
  };
}

function unavailable(e: unknown): AppError {
  expect(isAppError(e, 'KIS_TOKEN_UNAVAILABLE')).toBe(true);
  return e as AppError;
}

async function listen(server: Server | ReturnType<typeof createHttpsServer>): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(async () => {
    server.close();
    await once(server, 'close');
  });
  return (server.address() as AddressInfo).port;
}

/** A port nothing listens on: bound, read, released. */
async function closedPort(): Promise<number> {
  const s = createServer();
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  const port = (s.address() as AddressInfo).port;
  s.close();
  await once(s, 'close');
  return port;
}

describe('token failures name their cause', () => {
  it('a wrong app key: EGW00103 with its description, logged; KIS answered, so the cooldown starts', async () => {
    const simClock = createJumpClock();
    const { sim, url } = await startSim('live', simClock);
    cleanups.push(() => sim.stop());
    const t = client(url);
    const err = unavailable(await t.get());
    expect(err.message).toContain('EGW00103');
    expect(err.message).toContain('유효하지 않은 AppKey');
    expect(err.message).toMatch(/app key|KIS_APP_KEY/i);
    expect(err.details).toMatchObject({ causeMsgCode: 'EGW00103', causeKind: 'api' });
    expect(String(err.details.cause)).toContain('유효하지 않은 AppKey');
    expect(t.lines.some((l) => l.level === 'error' && JSON.stringify(l).includes('EGW00103'))).toBe(true);
    expect(t.store.lastIssueAttempt(t.key)).not.toBeNull();
  });

  it('a refused connection says so and does not start the cooldown: the retry goes out at once', async () => {
    const port = await closedPort();
    const t = client(`http://127.0.0.1:${port}`);
    const err = unavailable(await t.get());
    expect(err.message).toContain('ECONNREFUSED');
    expect(err.message).toContain(`127.0.0.1:${port}`);
    expect(err.details).toMatchObject({ causeKind: 'network', causeErrorCode: 'ECONNREFUSED', reachedKis: false });
    expect(t.lines.some((l) => l.level === 'error' && JSON.stringify(l).includes('ECONNREFUSED'))).toBe(true);
    expect(t.store.lastIssueAttempt(t.key)).toBeNull();
    // nothing reached KIS: the second try does not sit out a minute
    unavailable(await t.get());
    expect(t.clock.jumped()).toBe(0);
  });

  it('the SQLite token store forgets a not-sent attempt but keeps an earlier one', async () => {
    const db = createTempStore();
    const port = await closedPort();
    const t = client(`http://127.0.0.1:${port}`, { store: db.store.tokens });
    unavailable(await t.get());
    expect(db.store.tokens.lastIssueAttempt(t.key)).toBeNull();
    // an earlier attempt that did reach KIS still holds its minute after a not-sent one
    const earlier = t.clock.now();
    db.store.tokens.recordIssueAttempt(t.key, earlier);
    t.clock.jump(61_000);
    unavailable(await t.get());
    expect(db.store.tokens.lastIssueAttempt(t.key)).toBe(earlier);
  });

  it('an unknown host is a DNS failure naming the host', async () => {
    const t = client('http://kis-trader-test.invalid:9443');
    const err = unavailable(await t.get());
    expect(err.message).toMatch(/ENOTFOUND|EAI_AGAIN/);
    expect(err.message).toContain('DNS');
    expect(err.message).toContain('kis-trader-test.invalid');
    expect(err.details).toMatchObject({ causeKind: 'network', reachedKis: false });
    unavailable(await t.get());
    expect(t.clock.jumped()).toBe(0);
  });

  it('a certificate that does not verify is a TLS failure with the reason', async () => {
    const dir = join(import.meta.dirname, 'tls');
    const server = createHttpsServer({ cert: readFileSync(join(dir, 'cert.pem')), key: readFileSync(join(dir, 'key.pem')) }, (_req, res) => res.end('{}'));
    const port = await listen(server);
    const t = client(`https://127.0.0.1:${port}`);
    const err = unavailable(await t.get());
    expect(err.message).toContain('TLS');
    expect(err.message).toMatch(/SELF_SIGNED|self-signed|certificate/i);
    expect(err.details).toMatchObject({ causeKind: 'network', reachedKis: false });
    unavailable(await t.get());
    expect(t.clock.jumped()).toBe(0);
  });

  it('no answer at all says it timed out; the request may have reached KIS, so the cooldown holds', async () => {
    const sockets: Socket[] = [];
    const server = createServer((s) => { sockets.push(s); });
    const port = await listen(server);
    cleanups.push(() => { for (const s of sockets) s.destroy(); });
    const t = client(`http://127.0.0.1:${port}`);
    const err = unavailable(await t.get());
    expect(err.message).toContain('timed out');
    expect(err.details).toMatchObject({ causeKind: 'network', reachedKis: true });
    expect(t.store.lastIssueAttempt(t.key)).not.toBeNull();
  });

  it('a read on top of a failed token carries the cause up to the caller', async () => {
    const port = await closedPort();
    const store = createMemoryTokenStore();
    const c = createKisClient({
      env: 'paper', baseUrl: `http://127.0.0.1:${port}`, appKey: 'k', appSecret: 's', account: '50000000-01',
      timeouts: { connectMs: 1_000, headersMs: 800, bodyMs: 800, totalMs: 1_500 },
      rateBudget: createCountingBudget(), tokenStore: store, lock: createLocalLock(), clock: createJumpClock(), retry: { attempts: 1 },
    });
    cleanups.push(() => c.close());
    const err = await c.market.quote(stockCode('005930')).then(() => null, (e: unknown) => e);
    expect(unavailable(err).message).toContain('ECONNREFUSED');
  });
});
