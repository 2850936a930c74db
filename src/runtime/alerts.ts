import { request } from 'undici';
import { describeError } from '../domain/index.js';
import type { Logger, Notice, NoticeKind, Notifier } from '../domain/index.js';
import type { AlertSecrets, AlertsConfig } from '../config/index.js';

/**
 * Alert channels (docs/operations.md "Alerts"): Telegram and a Slack/Discord-compatible webhook.
 * notify() only queues: trading never waits on a channel. Each channel sends one message at a
 * time, at most `perMinute` a minute, retries a failed one with backoff, and when its queue is full
 * drops the oldest message and counts it. A channel that fails is logged, never fatal. Fills,
 * rejections and the daily summary are routine: a burst of them at the rate limit must not hold
 * back a halt or a lost Redis, so every other message goes ahead of the routine ones waiting, and
 * a full queue drops routine messages first.
 */
export type ChannelName = 'telegram' | 'webhook';

export interface ChannelStats {
  sent: number;
  failed: number;
  dropped: number;
  queued: number;
}

export interface AlertChannel {
  readonly name: ChannelName;
  /** queues a line of text, ahead of the routine ones unless it is routine; never throws, never waits */
  enqueue(text: string, routine?: boolean): void;
  stats(): ChannelStats;
  /** sends what is queued for up to `graceMs`, then gives the rest up */
  close(graceMs: number): Promise<void>;
}

export interface ChannelOptions {
  attempts: number;
  perMinute: number;
  queueSize: number;
  timeoutMs: number;
}

/** One HTTP exchange: resolves when delivered; rejects with retryAfterMs set when the far end said so (429). */
export type Deliver = (text: string, signal: AbortSignal) => Promise<void>;

export class DeliveryError extends Error {
  constructor(message: string, readonly retryAfterMs: number | null = null, readonly permanent = false) {
    super(message);
  }
}

const MAX_BACKOFF_MS = 30_000;
/** Discord refuses content above 2000 characters, Telegram above 4096 */
const MAX_TEXT = 1900;

/** The queue, rate limit and retries around one channel's Deliver. */
export function createAlertChannel(name: ChannelName, deliver: Deliver, opts: ChannelOptions, log: Logger): AlertChannel {
  // urgent messages wait in `first`, routine ones in `later`; each keeps its own order. A message
  // is taken only once a rate slot is free, and one to be tried again goes back to the head of its
  // list: an urgent one that arrives meanwhile is sent first.
  interface Item { text: string; routine: boolean; attempt: number }
  const first: Item[] = [];
  const later: Item[] = [];
  const waiting = (): number => first.length + later.length;
  const next = (): Item | undefined => first.shift() ?? later.shift();
  const stats = { sent: 0, failed: 0, dropped: 0 };
  /** send times of the last minute, for the per-minute limit */
  const recent: number[] = [];
  const stop = new AbortController();
  let pumping: Promise<void> | null = null;

  const wait = (ms: number): Promise<void> => new Promise((resolve) => {
    if (stop.signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      stop.signal.removeEventListener('abort', done);
      resolve();
    }
    stop.signal.addEventListener('abort', done, { once: true });
  });

  const rateSlot = async (): Promise<void> => {
    for (;;) {
      const now = Date.now();
      while (recent.length > 0 && now - recent[0]! >= 60_000) recent.shift();
      if (recent.length < opts.perMinute) {
        recent.push(now);
        return;
      }
      await wait(60_000 - (now - recent[0]!));
      if (stop.signal.aborted) return;
    }
  };

  /** one attempt; the wait before the next one when it is worth another, else null (sent or given up) */
  const attempt = async (item: Item): Promise<number | null> => {
    item.attempt += 1;
    const signal = AbortSignal.any([stop.signal, AbortSignal.timeout(opts.timeoutMs)]);
    try {
      await deliver(item.text, signal);
      stats.sent++;
      return null;
    } catch (err) {
      if (stop.signal.aborted) {
        stats.dropped++;
        log.warn({ channel: name }, `alert not sent through ${name}: the daemon stopped before it went out`);
        return null;
      }
      const retryAfter = err instanceof DeliveryError ? err.retryAfterMs : null;
      const permanent = err instanceof DeliveryError && err.permanent;
      if (permanent || item.attempt >= opts.attempts) {
        stats.failed++;
        log.warn({ channel: name, attempts: item.attempt, err: describeError(err) },
          `alert not delivered through ${name} (trading goes on)`);
        return null;
      }
      return Math.max(retryAfter ?? 0, Math.min(MAX_BACKOFF_MS, 1000 * 2 ** (item.attempt - 1)));
    }
  };

  const pump = (): void => {
    if (pumping) return;
    pumping = (async () => {
      while (waiting() > 0 && !stop.signal.aborted) {
        await rateSlot();
        const item = next();
        if (item === undefined || stop.signal.aborted) {
          if (item) (item.routine ? later : first).unshift(item);
          break;
        }
        const backoff = await attempt(item);
        if (backoff === null) continue;
        (item.routine ? later : first).unshift(item);
        await wait(backoff);
      }
    })().catch((err: unknown) => log.warn({ channel: name, err: describeError(err) }, 'alert channel failed'))
      .finally(() => {
        pumping = null;
        if (waiting() > 0 && !stop.signal.aborted) pump();
      });
  };

  return {
    name,
    enqueue(text, routine = false) {
      if (stop.signal.aborted) return;
      const cut = text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT - 1)}…` : text;
      (routine ? later : first).push({ text: cut, routine, attempt: 0 });
      while (waiting() > opts.queueSize) {
        if (later.length > 0) later.shift();
        else first.shift();
        stats.dropped++;
        // one line per 100 drops: a flood must not flood the log too
        if (stats.dropped % 100 === 1) log.warn({ channel: name, dropped: stats.dropped }, `alert queue of ${name} full: oldest message dropped`);
      }
      pump();
    },
    stats: () => ({ ...stats, queued: waiting() }),
    async close(graceMs) {
      if (pumping) {
        let t: ReturnType<typeof setTimeout> | undefined;
        await Promise.race([pumping, new Promise((r) => { t = setTimeout(r, graceMs); })]);
        clearTimeout(t);
      }
      stop.abort();
      stats.dropped += waiting();
      first.length = 0;
      later.length = 0;
      await pumping?.catch(() => undefined);
    },
  };
}

/** POST a JSON body; 2xx is delivered, 429 and 5xx are worth another attempt, other 4xx are not. */
async function postJson(url: string, body: unknown, signal: AbortSignal, what: string): Promise<unknown> {
  let res;
  try {
    res = await request(url, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal,
    });
  } catch (err) {
    // undici's errors name no URL, but the message is ours to keep clean: the Telegram URL holds the token
    throw new DeliveryError(`${what}: ${err instanceof Error ? err.name : 'error'} ${err instanceof Error ? (err as { code?: string }).code ?? '' : ''}`.trim());
  }
  const text = await res.body.text().catch(() => '');
  let json: unknown = null;
  try { json = JSON.parse(text); } catch { /* a webhook may answer plain text */ }
  if (res.statusCode >= 200 && res.statusCode < 300) return json;
  const retryAfterSec = (json as { parameters?: { retry_after?: number } } | null)?.parameters?.retry_after
    ?? Number(res.headers['retry-after'] ?? NaN);
  const retryAfterMs = Number.isFinite(retryAfterSec) ? retryAfterSec * 1000 : null;
  const description = (json as { description?: string } | null)?.description ?? '';
  throw new DeliveryError(`${what}: HTTP ${res.statusCode} ${description}`.trim(), retryAfterMs,
    res.statusCode !== 429 && res.statusCode < 500);
}

/** The Bot API URL of `method`; it holds the token, so it is never logged. */
export function telegramUrl(apiBaseUrl: string, token: string, method: string): string {
  return `${apiBaseUrl.replace(/\/+$/, '')}/bot${token}/${method}`;
}

export function telegramDeliver(apiBaseUrl: string, secrets: NonNullable<AlertSecrets['telegram']>): Deliver {
  const url = telegramUrl(apiBaseUrl, secrets.token, 'sendMessage');
  return async (text, signal) => {
    await postJson(url, { chat_id: secrets.chatId, text, disable_web_page_preview: true }, signal, 'telegram sendMessage');
  };
}

/** Slack reads `text`, Discord reads `content`: both are sent, so one URL of either works. */
export function webhookDeliver(url: string): Deliver {
  return async (text, signal) => {
    await postJson(url, { text, content: text }, signal, 'webhook');
  };
}

const ICON: Partial<Record<NoticeKind, string>> = {
  halt: '⛔', 'daily-loss': '⛔', 'unknown-outcome': '❗', 'reconcile-anomaly': '❗', 'lost-lock': '❗', 'token-failure': '❗',
  silence: '🔕', 'redis-lost': '⚠️', 'ws-lost': '⚠️', reject: '⚠️', fill: '✅', resume: '▶️', ready: '▶️', 'daily-summary': '📊',
};

/** The trading chatter: sent after everything else waiting (createAlertChannel). */
const ROUTINE: ReadonlySet<NoticeKind> = new Set(['fill', 'reject', 'daily-summary']);

/** The line a person reads: `⛔ [kis-trader paper] halt: new entries halted … (reason: …)`. */
export function formatNotice(n: Notice, label: string): string {
  const reason = typeof n.details['reason'] === 'string' && !n.message.includes(n.details['reason']) ? ` (reason: ${n.details['reason']})` : '';
  return `${ICON[n.kind] ?? 'ℹ️'} [${label}] ${n.kind}: ${n.message}${reason}`;
}

export interface Alerts extends Notifier {
  readonly channels: readonly AlertChannel[];
  close(graceMs?: number): Promise<void>;
}

/**
 * The log notifier plus the channels the config enables, each sent only the kinds it chose. The
 * log line comes first and always: a channel is a copy, the log is the record.
 */
export function createAlerts(opts: {
  config: AlertsConfig; secrets: AlertSecrets; log: Logger; label: string; base: Notifier;
}): Alerts {
  const channels: { channel: AlertChannel; kinds: ReadonlySet<NoticeKind> }[] = [];
  const { telegram, webhook } = opts.config;
  const log = opts.log.child({ mod: 'alerts' });
  if (telegram.enabled && opts.secrets.telegram) {
    channels.push({ channel: createAlertChannel('telegram', telegramDeliver(telegram.apiBaseUrl, opts.secrets.telegram), telegram, log), kinds: new Set(telegram.events) });
  }
  if (webhook.enabled && opts.secrets.webhookUrl) {
    channels.push({ channel: createAlertChannel('webhook', webhookDeliver(opts.secrets.webhookUrl), webhook, log), kinds: new Set(webhook.events) });
  }
  return {
    channels: channels.map((c) => c.channel),
    notify(n) {
      opts.base.notify(n);
      for (const c of channels) {
        if (!c.kinds.has(n.kind)) continue;
        try {
          c.channel.enqueue(formatNotice(n, opts.label), ROUTINE.has(n.kind));
        } catch (err) {
          log.warn({ channel: c.channel.name, err: describeError(err) }, 'alert not queued');
        }
      }
    },
    async close(graceMs = 3000) {
      await Promise.all(channels.map((c) => c.channel.close(graceMs)));
    },
  };
}
