import { resolve } from 'node:path';
import type { Command } from 'commander';
import { LIVE_CONFIRM_VALUE, LIVE_CONFIRM_VAR } from '../config/index.js';
import type { Env, LoadedConfig } from '../config/index.js';
import { describeError, epochMs, formatDate, formatKst, isAppError, kstDateOf, stockCode, systemClock } from '../domain/index.js';
import type { TradingDate } from '../domain/index.js';
import { issueCooldownRemaining, needsRefresh } from '../kis/index.js';
import type { TradingCalendar } from '../market/index.js';
import { loadCalendar, probeRedis, redisBinaryAvailable } from '../runtime/index.js';
import { cliClock, connectKis } from './compose.js';
import type { KisSession } from './compose.js';
import { checkReach } from './doctor-network.js';
import type { Report } from './doctor-network.js';

/**
 * `kis-trader doctor`: what an operator runs before `npm start` in a new mode (README "Go to
 * paper / go live"). It checks, in order, everything the daemon needs at start — config,
 * secrets, the calendar, Redis, the road to KIS (DNS, TLS, HTTP and clock skew), the token, one
 * read and the account — without starting the daemon and without placing an order. One line
 * per check: `ok  <check>  <detail>` or `FAIL <check> <what to do>`; exit 1 on any failure.
 *
 * The token goes through the same store (kis_tokens) and lock as the daemon's, so a token the
 * doctor issues is the one the daemon then reuses; when the one-per-minute issuance window
 * (docs/kis-wire.md §3.1) is closed the doctor says so instead of waiting.
 */
export interface DoctorIo {
  env: Env;
  cwd: string;
  /** loads the config the CLI would use, from this environment */
  load: (env: Env) => LoadedConfig;
  out: (s: string) => void;
  err: (s: string) => void;
  exit: (code: number) => never;
}

const PROBE_SYMBOL = '005930';

function report(io: DoctorIo): Report {
  let failures = 0;
  return {
    ok: (check, detail) => io.out(`ok  ${check}  ${detail}`),
    fail: (check, todo) => {
      failures++;
      io.out(`FAIL ${check} ${todo}`);
    },
    failed: () => failures,
  };
}

function problemsOf(err: unknown): string[] {
  if (isAppError(err) && Array.isArray(err.details.problems)) return err.details.problems as string[];
  return [describeError(err)];
}

/**
 * The config the CLI would use. The doctor places no orders, so a missing live confirmation
 * is only noted: the rest is checked as a read command would see it.
 */
function checkConfig(io: DoctorIo, r: Report): LoadedConfig | null {
  const env = io.env;
  let loaded: LoadedConfig;
  try {
    // loaded as a read command: a live config without the confirmation, or without keys, loads here
    loaded = io.load(env);
  } catch (err) {
    r.fail('config', `${problemsOf(err).join('; ')}: fix it (kis-trader config check lists every problem)`);
    return null;
  }
  const mode = loaded.config.mode;
  r.ok('config', `valid (mode ${mode}, hash ${loaded.hash}; ${loaded.sources.length} sources)`);
  if (mode === 'sim') {
    r.ok('secrets', 'not needed in sim mode (the simulator\'s built-in keys)');
  } else if (loaded.secrets === null) {
    const missing = ['KIS_APP_KEY', 'KIS_APP_SECRET', 'KIS_ACCOUNT'].filter((k) => !env[k]?.trim());
    r.fail('secrets', `${missing.join(', ')} missing for ${mode}: put them in .env or the environment (config/.env.example)`);
    return null;
  } else {
    r.ok('secrets', `KIS_APP_KEY, KIS_APP_SECRET and KIS_ACCOUNT set for ${mode}`);
  }
  // Not a failure: the doctor sends no order, and asking for the confirmation here would
  // teach operators to export it for good, which removes the protection.
  if (mode === 'live' && env[LIVE_CONFIRM_VAR] !== LIVE_CONFIRM_VALUE) {
    r.ok('live-confirm', `not set, not needed here (no orders); start the daemon with ${LIVE_CONFIRM_VAR}=${LIVE_CONFIRM_VALUE}`);
  }
  return loaded;
}

function checkCalendar(io: DoctorIo, r: Report, loaded: LoadedConfig): { calendar: TradingCalendar; today: TradingDate } | null {
  const { config } = loaded;
  const path = resolve(io.cwd, config.market.calendarFile);
  try {
    const today = kstDateOf((config.mode === 'sim' ? cliClock(loaded, io.env, io.cwd) : systemClock).now());
    const calendar = loadCalendar(path, config.market.sessions, today);
    r.ok('calendar', `${path} covers ${today.slice(0, 4)}; ${formatDate(today)} is ${calendar.isTradingDay(today) ? 'a trading day' : 'not a trading day'}`);
    return { calendar, today };
  } catch (err) {
    r.fail('calendar', `${err instanceof Error ? err.message : String(err)}: fix or update the calendar file`);
    return null;
  }
}

function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//');
}

async function checkRedis(io: DoctorIo, r: Report, loaded: LoadedConfig): Promise<void> {
  const { config } = loaded;
  const url = io.env.REDIS_URL ?? config.redis.url;
  if (url) {
    const redis = await probeRedis(url, 2_000);
    if (redis) {
      redis.disconnect();
      r.ok('redis', `${redactUrl(url)} answers PING`);
    } else {
      r.fail('redis', `${redactUrl(url)} does not answer: start Redis there, or unset REDIS_URL/redis.url to let the daemon run its own`);
    }
    return;
  }
  if (!config.redis.embedded.enabled) {
    r.fail('redis', 'no Redis: set REDIS_URL or redis.url, or enable redis.embedded');
    return;
  }
  if (redisBinaryAvailable(config.redis.embedded.binary)) r.ok('redis', `embedded: the daemon starts its own (${config.redis.embedded.binary} found)`);
  else r.fail('redis', `embedded Redis needs ${config.redis.embedded.binary}, which does not run: install redis-server or set REDIS_URL`);
}

async function checkToken(r: Report, session: KisSession, loaded: LoadedConfig): Promise<boolean> {
  const key = session.tokens.storeKey;
  const lead = loaded.config.kis.tokenRefreshLeadMinutes * 60_000;
  // the token a daemon on another machine put in the shared Redis counts as stored (runtime/token-mirror.ts)
  await session.tokenStore.pull?.(key);
  const stored = session.tokenStore.load(key);
  const reusable = stored !== null && !needsRefresh(stored, session.clock.now(), lead);
  if (!reusable) {
    // Never sit out the minute here: say when to run again instead.
    const wait = issueCooldownRemaining(session.tokenStore.lastIssueAttempt(key), session.clock.now());
    if (wait > 0) {
      r.fail('token', `none stored, and KIS allows one issuance a minute (the last attempt was ${Math.round((61_000 - wait) / 1000)} s ago): run doctor again in ${Math.ceil(wait / 1000)} s`);
      return false;
    }
  }
  try {
    await session.tokens.get('reconcile');
  } catch (err) {
    r.fail('token', `${describeError(err)}`);
    return false;
  }
  const held = session.tokens.current();
  const until = held === null ? '' : `, expires ${formatKst(epochMs(held.expiresAt))}`;
  if (reusable) r.ok('token', `reused from the store (no issuance${until})`);
  else r.ok('token', `issued and stored in the trade log for the daemon to reuse (KIS allows one issuance a minute${until})`);
  return true;
}

async function checkKis(io: DoctorIo, r: Report, loaded: LoadedConfig, cal: { calendar: TradingCalendar; today: TradingDate }): Promise<void> {
  let session: KisSession;
  try {
    session = await connectKis(loaded, io.env, io.cwd);
  } catch (err) {
    r.fail('kis', `cannot build the KIS client: ${describeError(err)}`);
    return;
  }
  try {
    const timeoutMs = loaded.config.kis.timeouts.totalMs;
    if (!(await checkReach(r, session, timeoutMs))) return;
    if (!(await checkToken(r, session, loaded))) return;
    try {
      const q = await session.market.quote(stockCode(PROBE_SYMBOL), { lane: 'reconcile' });
      r.ok('read', `inquire-price ${PROBE_SYMBOL}: ${q.price.toLocaleString('en-US')} won`);
    } catch (err) {
      r.fail('read', `inquire-price ${PROBE_SYMBOL}: ${describeError(err)}`);
    }
    try {
      const b = await session.broker.balance({ lane: 'reconcile' });
      r.ok('account', `inquire-balance: cash ${b.cash.toLocaleString('en-US')} won, ${b.holdings.length} holding${b.holdings.length === 1 ? '' : 's'}`);
    } catch (err) {
      r.fail('account', `inquire-balance: ${describeError(err)}: check KIS_ACCOUNT (number-product, e.g. 50012345-01)`);
    }
    if (session.mode === 'live') {
      try {
        const days = await session.market.holidays(cal.today, { lane: 'reconcile' });
        const broker = days.find((d) => d.date === cal.today);
        const file = cal.calendar.isTradingDay(cal.today);
        if (broker === undefined) r.fail('holidays', `chk-holiday did not list ${formatDate(cal.today)}: try again later`);
        else if (broker.open === file) r.ok('holidays', `chk-holiday agrees: ${formatDate(cal.today)} is ${file ? 'open' : 'closed'}`);
        else r.fail('holidays', `chk-holiday says ${formatDate(cal.today)} is ${broker.open ? 'open' : 'closed'}, the calendar file says ${file ? 'open' : 'closed'}: update ${loaded.config.market.calendarFile}`);
      } catch (err) {
        r.fail('holidays', `chk-holiday: ${describeError(err)}`);
      }
    }
  } finally {
    await session.close().catch(() => undefined);
  }
}

export function registerDoctorCommand(program: Command, io: DoctorIo): void {
  program
    .command('doctor')
    .description('check config, secrets, calendar, Redis, the road to KIS, the token, a read and the account; places no order')
    .action(async () => {
      const r = report(io);
      const loaded = checkConfig(io, r);
      if (loaded === null) return io.exit(1);
      const cal = checkCalendar(io, r, loaded);
      await checkRedis(io, r, loaded);
      // The KIS client is built on the calendar (connectKis): without one there is nothing to check.
      if (cal !== null) await checkKis(io, r, loaded, cal);
      if (r.failed() > 0) {
        io.err(`doctor: ${r.failed()} check${r.failed() === 1 ? '' : 's'} failed`);
        return io.exit(1);
      }
      return undefined;
    });
}
