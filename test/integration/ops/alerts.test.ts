import { afterEach, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../../src/config/index.js';
import type { Config } from '../../../src/config/index.js';
import { alertsSchema, metricsSchema } from '../../../src/config/schema-ops.js';
import { AppError, NOTICE_KINDS, RISK_KEYS, silentLogger, stockCode, tradingDate } from '../../../src/domain/index.js';
import type { Halt, Logger, NoticeKind } from '../../../src/domain/index.js';
import { answerCommand, COMMAND_HELP, createAlertChannel, createOps } from '../../../src/runtime/index.js';
import type { Ops } from '../../../src/runtime/index.js';
import { createTempStore } from '../../helpers/temp-store.js';
import { repoCalendar, waitFor } from '../../helpers/daemon.js';
import { alertKinds, startFakeTelegram, startWebhookSink } from '../../helpers/fake-alert-sinks.js';
import type { FakeTelegram, WebhookSink } from '../../helpers/fake-alert-sinks.js';

/**
 * Issue 14 "Alerts and control": every notice kind reaches a local fake Telegram Bot API and a
 * local webhook sink; a failing channel neither throws nor holds the other up; commands are
 * answered only in the configured chat.
 */
const TOKEN = '123456:TEST-token_abcdefghij';
const CHAT = '4242';

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** a logger that keeps every line, to see what was logged and that no secret was */
function recordingLogger(): Logger & { lines: { level: string; obj: Record<string, unknown>; msg: string }[] } {
  const lines: { level: string; obj: Record<string, unknown>; msg: string }[] = [];
  const at = (level: string) => (a: Record<string, unknown> | string, b?: string): void => {
    lines.push(typeof a === 'string' ? { level, obj: {}, msg: a } : { level, obj: a, msg: b ?? '' });
  };
  const log = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), fatal: at('fatal'), child: () => log, lines };
  return log;
}

function configWith(alerts: unknown, metrics: unknown = {}): Config {
  return { ...defaultConfig(), alerts: alertsSchema.parse(alerts), metrics: metricsSchema.parse(metrics) };
}

async function sinks(): Promise<{ tg: FakeTelegram; hook: WebhookSink; env: Record<string, string> }> {
  const tg = await startFakeTelegram();
  const hook = await startWebhookSink();
  cleanups.push(() => tg.close(), () => hook.close());
  return { tg, hook, env: { TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_CHAT_ID: CHAT, ALERT_WEBHOOK_URL: hook.url } };
}

function opsFor(config: Config, env: Record<string, string>, log: Logger = silentLogger): Ops {
  const ops = createOps({ config, env, log, label: 'kis-trader test' });
  cleanups.push(() => ops.stop());
  return ops;
}

/** A channel whose deliveries all wait until `release()`: the first message is taken, the rest queue. */
function gatedChannel(queueSize: number) {
  const delivered: string[] = [];
  let release: () => void = () => undefined;
  const gate = new Promise<void>((r) => { release = r; });
  const ch = createAlertChannel('webhook', async (text) => { await gate; delivered.push(text); },
    { attempts: 1, perMinute: 600, queueSize, timeoutMs: 5000 }, silentLogger);
  cleanups.push(() => ch.close(0));
  return { ch, delivered, release: () => release() };
}

describe('alert channels', () => {
  it('an alert of every kind reaches the fake Telegram and the webhook sink', async () => {
    const { tg, hook, env } = await sinks();
    const ops = opsFor(configWith({
      telegram: { enabled: true, apiBaseUrl: tg.url, commands: false, perMinute: 600 },
      webhook: { enabled: true, perMinute: 600 },
    }), env);
    for (const kind of NOTICE_KINDS) ops.notifier.notify({ kind, message: `test ${kind}`, details: {} });

    await waitFor(() => (tg.sent.length === NOTICE_KINDS.length && hook.received.length === NOTICE_KINDS.length ? true : undefined), 15_000, 'every notice at both');
    const kindOf = (text: string): string => /\] ([a-z-]+): test /.exec(text)?.[1] ?? '?';
    expect(tg.sent.map((m) => kindOf(m.text)).sort()).toEqual([...NOTICE_KINDS].sort());
    expect(hook.received.map((m) => kindOf(m.text)).sort()).toEqual([...NOTICE_KINDS].sort());
    expect(tg.sent.every((m) => m.token === TOKEN && String(m.chat_id) === CHAT)).toBe(true);
    // Slack reads `text`, Discord `content`
    expect(hook.received.every((m) => m.text === m.content && m.text.includes('[kis-trader test]'))).toBe(true);
  });

  it('each channel sends only the kinds it chose', async () => {
    const { tg, hook, env } = await sinks();
    const ops = opsFor(configWith({
      telegram: { enabled: true, apiBaseUrl: tg.url, commands: false, events: ['halt'] },
      webhook: { enabled: true, events: ['fill', 'halt'] },
    }), env);
    for (const kind of ['fill', 'halt', 'reject'] as NoticeKind[]) ops.notifier.notify({ kind, message: kind, details: {} });
    await waitFor(() => (tg.sent.length === 1 && hook.received.length === 2 ? true : undefined), 10_000, 'the chosen kinds');
    expect(tg.sent[0]!.text).toContain('halt');
    expect(hook.received.map((m) => m.text.includes('fill') || m.text.includes('halt'))).toEqual([true, true]);
  });

  it('a failing channel neither throws nor holds the other up, and its failure is logged without the token', async () => {
    const { tg, hook, env } = await sinks();
    hook.status = 500;
    const log = recordingLogger();
    const ops = opsFor(configWith({
      telegram: { enabled: true, apiBaseUrl: tg.url, commands: false, attempts: 2 },
      webhook: { enabled: true, attempts: 2 },
    }), env, log);
    expect(() => ops.notifier.notify({ kind: 'halt', message: 'halted for the test', details: {} })).not.toThrow();
    await waitFor(() => (tg.sent.length === 1 ? true : undefined), 10_000, 'telegram delivered');
    await waitFor(() => log.lines.find((l) => l.msg.startsWith('alert not delivered through webhook')), 15_000, 'the webhook failure logged');
    expect(createOpsChannel(ops, 'webhook').stats()).toMatchObject({ sent: 0, failed: 1 });
    const all = JSON.stringify(log.lines);
    expect(all).not.toContain(TOKEN);
    expect(all).not.toContain('secret-part');
  });

  it('a channel whose host refuses connections fails quietly, its command poller too, and no line names the token', async () => {
    const { env } = await sinks();
    const log = recordingLogger();
    const ops = opsFor(configWith({
      telegram: { enabled: true, apiBaseUrl: 'http://127.0.0.1:9', attempts: 1, pollSeconds: 1 },
    }), env, log);
    const t = createTempStore();
    await ops.start({ store: t.store, clock: t.clock, startedAt: t.clock.now(), calendar: repoCalendar, redisReady: () => true, token: () => null, queues: () => Promise.resolve(null), haltEntries: () => undefined, websocket: () => null });
    ops.notifier.notify({ kind: 'stop', message: 'nobody listens', details: {} });
    const tg = createOpsChannel(ops, 'telegram');
    await waitFor(() => (tg.stats().failed === 1 ? true : undefined), 10_000, 'the failure counted');
    await waitFor(() => log.lines.find((l) => l.msg.startsWith('telegram getUpdates failed')), 10_000, 'the poll failure logged');
    expect(JSON.stringify(log.lines)).not.toContain(TOKEN.split(':')[1]);
  });

  it('a 429 with retry_after is waited out and delivered', async () => {
    const { tg, env } = await sinks();
    tg.failNext(1, 429);
    const ops = opsFor(configWith({ telegram: { enabled: true, apiBaseUrl: tg.url, commands: false } }), env);
    ops.notifier.notify({ kind: 'reject', message: 'order rejected', details: {} });
    // the sink records the message before the channel has read the answer: wait for the channel
    const channel = createOpsChannel(ops, 'telegram');
    await waitFor(() => (channel.stats().sent === 1 ? true : undefined), 15_000, 'delivered after the 429');
    expect(channel.stats()).toMatchObject({ sent: 1, failed: 0 });
    expect(tg.sent).toHaveLength(1);
  });

  it('a full queue drops the oldest message and counts it', async () => {
    const { ch, delivered, release } = gatedChannel(2);
    ch.enqueue('1');
    await waitFor(() => (ch.stats().queued === 0 ? true : undefined), 5000, "'1' on its way");
    for (const t of ['2', '3', '4', '5']) ch.enqueue(t);
    // '1' is on its way; of '2'…'5' the newest two wait
    expect(ch.stats()).toMatchObject({ dropped: 2, queued: 2 });
    release();
    await waitFor(() => (delivered.length === 3 ? true : undefined), 5000, 'the rest delivered');
    expect(delivered).toEqual(['1', '4', '5']);
  });

  it('sends a halt ahead of the fills waiting, and drops routine messages first when full', async () => {
    const { ch, delivered, release } = gatedChannel(4);
    ch.enqueue('fill 1', true);
    await waitFor(() => (ch.stats().queued === 0 ? true : undefined), 5000, "'fill 1' on its way");
    for (const t of ['fill 2', 'fill 3', 'fill 4']) ch.enqueue(t, true);
    ch.enqueue('halt');
    ch.enqueue('redis-lost');
    // 'fill 2' made room for the second urgent one
    expect(ch.stats()).toMatchObject({ dropped: 1, queued: 4 });
    release();
    await waitFor(() => (delivered.length === 5 ? true : undefined), 5000, 'the rest delivered');
    expect(delivered).toEqual(['fill 1', 'halt', 'redis-lost', 'fill 3', 'fill 4']);
  });

  it('queues fills, rejections and the daily summary as routine; a fill to be tried again waits behind the urgent ones', async () => {
    const { tg, env } = await sinks();
    tg.failNext(1, 429);
    const ops = opsFor(configWith({ telegram: { enabled: true, apiBaseUrl: tg.url, commands: false, perMinute: 600 } }), env);
    const notify = (kinds: NoticeKind[]): void => { for (const kind of kinds) ops.notifier.notify({ kind, message: kind, details: {} }); };
    notify(['fill']);
    // the fill met a 429 (retry after 1 s): the rest queue up meanwhile
    await waitFor(() => (tg.requests === 1 ? true : undefined), 5000, 'the first attempt');
    notify(['reject', 'daily-summary', 'fill', 'halt', 'token-failure']);
    await waitFor(() => (tg.sent.length === 6 ? true : undefined), 15_000, 'all six');
    expect(alertKinds(tg.sent.map((m) => m.text))).toEqual(['halt', 'token-failure', 'fill', 'reject', 'daily-summary', 'fill']);
  });

  it('takes the most urgent message when it sends, not when the one before it left', async () => {
    const { tg, env } = await sinks();
    const ops = opsFor(configWith({ telegram: { enabled: true, apiBaseUrl: tg.url, commands: false, perMinute: 600 } }), env);
    // queued in one go: the halt goes first although the fills came before it
    for (const kind of ['fill', 'fill', 'halt'] as NoticeKind[]) ops.notifier.notify({ kind, message: kind, details: {} });
    await waitFor(() => (tg.sent.length === 3 ? true : undefined), 15_000, 'all three');
    expect(alertKinds(tg.sent.map((m) => m.text))).toEqual(['halt', 'fill', 'fill']);
  });

  it('a channel enabled without its secret is a config error naming the variable', () => {
    expect(() => createOps({ config: configWith({ telegram: { enabled: true } }), env: {}, log: silentLogger, label: 'x' }))
      .toThrow(/TELEGRAM_BOT_TOKEN: missing.*TELEGRAM_CHAT_ID: missing/);
    try {
      createOps({ config: configWith({ webhook: { enabled: true } }), env: { ALERT_WEBHOOK_URL: 'ftp://x' }, log: silentLogger, label: 'x' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).code).toBe('CONFIG_INVALID');
      expect((err as AppError).message).toContain('ALERT_WEBHOOK_URL: expected an http(s) URL');
    }
  });
});

function createOpsChannel(ops: Ops, name: 'telegram' | 'webhook') {
  const found = ops.channels.find((c) => c.name === name);
  if (!found) throw new Error(`no ${name} channel`);
  return found;
}

describe('Telegram commands', () => {
  it('answers /status, /positions, /pnl, /halt, /resume in the configured chat only', async () => {
    const { tg, env } = await sinks();
    const t = createTempStore();
    const ops = opsFor(configWith({ telegram: { enabled: true, apiBaseUrl: tg.url, pollSeconds: 1, perMinute: 600 } }), env);
    const store = t.store;
    await ops.start({
      store, clock: t.clock, startedAt: t.clock.now(), calendar: repoCalendar, redisReady: () => true, token: () => null, queues: () => Promise.resolve(null),
      haltEntries: (reason, details) => {
        store.risk.set(RISK_KEYS.halt, { reason, details, at: t.clock.now() } satisfies Halt, t.clock.now());
        ops.notifier.notify({ kind: 'halt', message: 'new entries halted until `kis-trader resume`', details: { reason } });
      },
      // 2026-03-12 10:00:05 KST
      websocket: () => ({ connected: false, active: 0, overLimit: 0, trades: 7, notices: 1, reconnectAt: Date.UTC(2026, 2, 12, 1, 0, 5), lastProblem: 'closed: 1006' }),
    });
    const replies = () => tg.sent.map((m) => m.text);

    tg.pushMessage(999, '/halt from a stranger');
    tg.pushMessage(CHAT, '/status');
    await waitFor(() => (replies().length >= 1 ? true : undefined), 10_000, 'the /status answer');
    expect(store.risk.get(RISK_KEYS.halt)).toBeNull();
    expect(replies()[0]).toContain('entries allowed');
    expect(replies()[0]).toContain('kis-trader test: regular');
    expect(replies()[0]).toContain('websocket: DOWN (next reconnect 10:00:05 KST by the system clock; last problem closed: 1006)');
    expect(tg.sent.every((m) => String(m.chat_id) === CHAT)).toBe(true);

    tg.pushMessage(CHAT, '/halt lunch break');
    await waitFor(() => (replies().some((r) => r.startsWith('entries halted: lunch break')) ? true : undefined), 10_000, 'the /halt answer');
    expect(store.risk.get<Halt>(RISK_KEYS.halt)?.reason).toBe('lunch break');
    // the halt is an alert too
    await waitFor(() => (replies().some((r) => r.includes('] halt: ')) ? true : undefined), 10_000, 'the halt alert');

    tg.pushMessage(CHAT, '/positions');
    tg.pushMessage(CHAT, '/pnl');
    tg.pushMessage(CHAT, '/resume');
    await waitFor(() => (replies().includes('entries resumed') ? true : undefined), 10_000, 'the /resume answer');
    expect(replies()).toContain('no positions');
    expect(replies().some((r) => /^20260312: realised 0 ₩ after fees; fees and tax 0 ₩; 0 fill\(s\)/.test(r))).toBe(true);
    expect(store.risk.get(RISK_KEYS.halt)).toBeNull();
    await waitFor(() => (replies().some((r) => r.includes('] resume: ')) ? true : undefined), 10_000, 'the resume alert');
    // the stranger's /halt was read (the offset moved past it) and never answered
    expect(replies().filter((r) => r.includes('stranger'))).toEqual([]);
  });
});

describe('a halt written by another process', () => {
  it('is announced within seconds, not at the next minute tick, and so is its resume', async () => {
    const { tg, env } = await sinks();
    const t = createTempStore();
    const ops = opsFor(configWith({ telegram: { enabled: true, apiBaseUrl: tg.url, commands: false, perMinute: 600 } }), env);
    const store = t.store;
    await ops.start({ store, clock: t.clock, startedAt: t.clock.now(), calendar: repoCalendar, redisReady: () => true, token: () => null, queues: () => Promise.resolve(null), haltEntries: () => undefined, websocket: () => null });
    const kinds = () => alertKinds(tg.sent.map((m) => m.text));
    store.risk.set(RISK_KEYS.halt, { reason: 'from the CLI', details: {}, at: t.clock.now() } satisfies Halt, t.clock.now());
    await waitFor(() => (kinds().includes('halt') ? true : undefined), 15_000, 'the halt announced');
    store.risk.delete(RISK_KEYS.halt);
    await waitFor(() => (kinds().includes('resume') ? true : undefined), 15_000, 'the resume announced');
    expect(kinds()).toEqual(['halt', 'resume']);
  });
});

describe('the minute tick', () => {
  it('announces halts set and lifted outside the daemon, and the daily loss breaker once a day, and logs the state line', async () => {
    const { tg, env } = await sinks();
    const t = createTempStore();
    const log = recordingLogger();
    const ops = opsFor(configWith({ telegram: { enabled: true, apiBaseUrl: tg.url, commands: false, perMinute: 600 } }), env, log);
    const store = t.store;
    await ops.start({ store, clock: t.clock, startedAt: t.clock.now(), calendar: repoCalendar, redisReady: () => true, token: () => null, queues: () => Promise.resolve(null), haltEntries: () => undefined, websocket: () => null });
    const texts = () => tg.sent.map((m) => m.text);

    ops.tick();
    // `kis-trader halt` writes the flag from another process
    store.risk.set(RISK_KEYS.halt, { reason: 'operator says so', details: {}, at: t.clock.now() } satisfies Halt, t.clock.now());
    ops.tick();
    await waitFor(() => (texts().some((x) => x.includes('] halt: new entries halted: operator says so')) ? true : undefined), 10_000, 'the outside halt');
    store.risk.delete(RISK_KEYS.halt);
    ops.tick();
    await waitFor(() => (texts().some((x) => x.includes('] resume: ')) ? true : undefined), 10_000, 'the outside resume');

    const decision = {
      at: t.clock.now(), tradingDate: tradingDate('20260312'), symbol: stockCode('005930'), kind: 'entry' as const, strategy: 's', inputs: {},
      rule: 'r', guards: [{ guard: 'entries-halted', ok: true }, { guard: 'daily-loss', ok: false, reason: 'loss' }], outcome: 'blocked' as const,
      intentKey: null, configHash: 'h',
    };
    store.decisions.insert(decision);
    store.decisions.insert(decision);
    ops.tick();
    ops.tick();
    await waitFor(() => (texts().some((x) => x.includes('] daily-loss: ')) ? true : undefined), 10_000, 'the breaker alert');
    expect(texts().filter((x) => x.includes('] daily-loss: '))).toHaveLength(1);
    expect(texts().filter((x) => x.includes('] halt: '))).toHaveLength(1);

    const line = log.lines.findLast((l) => l.msg === 'heartbeat');
    expect(line?.level).toBe('info');
    expect(line?.obj).toMatchObject({ mode: 'sim', phase: 'regular', halted: null, positions: 0, openOrders: 0, healthy: false });
  });
});

describe('token failures and command parsing', () => {
  it('a token failure from the KIS client is one alert per 15 minutes, not one per failed call', async () => {
    const { tg, env } = await sinks();
    const ops = opsFor(configWith({ telegram: { enabled: true, apiBaseUrl: tg.url, commands: false } }), env);
    ops.telemetry.tokenFailed('KIS refused the app key (EGW00103)');
    ops.telemetry.tokenFailed('KIS refused the app key (EGW00103)');
    ops.notifier.notify({ kind: 'stop', message: 'after', details: {} });
    await waitFor(() => (tg.sent.length === 2 ? true : undefined), 10_000, 'two messages');
    expect(tg.sent.map((m) => m.text)).toEqual([
      '❗ [kis-trader test] token-failure: KIS access token unavailable: KIS refused the app key (EGW00103)',
      'ℹ️ [kis-trader test] stop: after',
    ]);
  });

  it('reads commands with a bot suffix and arguments; anything else is help or nothing', () => {
    const calls: string[] = [];
    const h = {
      status: () => 'S', positions: () => 'P', pnl: () => 'L',
      halt: (r: string) => { calls.push(r); return 'H'; }, resume: () => 'R',
    };
    expect(answerCommand('/halt@kis_bot  going to lunch ', h)).toBe('H');
    expect(answerCommand('/halt', h)).toBe('H');
    expect(calls).toEqual(['going to lunch', 'halted from Telegram']);
    expect(answerCommand('/STATUS', h)).toBe('S');
    expect(answerCommand('/buy 005930', h)).toBe(`unknown command: ${COMMAND_HELP}`);
    expect(answerCommand('hello', h)).toBeNull();
  });
});
