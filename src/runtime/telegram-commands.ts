import { request } from 'undici';
import { describeError } from '../domain/index.js';
import type { Logger } from '../domain/index.js';
import { telegramUrl } from './alerts.js';

/**
 * Telegram commands (docs/operations.md "Telegram commands"): /status, /positions, /pnl, /halt
 * [reason], /resume, read by long polling getUpdates and answered only in the configured chat; a
 * message from any other chat is ignored (and logged). No command places or cancels an order: halt
 * and resume write the same `entries-halted` flag as `kis-trader halt` / `resume`. Runs in the
 * process that owns the account lock (app.ts), so two daemons never answer one chat.
 */
export interface CommandHandlers {
  status(): string;
  positions(): string;
  pnl(): string;
  halt(reason: string): string;
  resume(): string;
}

export const COMMAND_HELP = '/status · /positions · /pnl · /halt [reason] · /resume';

/** The answer to one message text, or null when it is no command of ours. */
export function answerCommand(text: string, h: CommandHandlers): string | null {
  const m = /^\/([a-z]+)(?:@\w+)?(?:\s+([\s\S]*))?$/i.exec(text.trim());
  if (!m) return null;
  const arg = (m[2] ?? '').trim();
  switch (m[1]!.toLowerCase()) {
    case 'status': return h.status();
    case 'positions': return h.positions();
    case 'pnl': return h.pnl();
    case 'halt': return h.halt(arg || 'halted from Telegram');
    case 'resume': return h.resume();
    case 'start': case 'help': return COMMAND_HELP;
    default: return `unknown command: ${COMMAND_HELP}`;
  }
}

interface Update {
  update_id: number;
  message?: { chat?: { id?: number | string }; text?: string };
}

export interface TelegramPoller {
  stop(): Promise<void>;
}

/**
 * Long-polls getUpdates; each answer goes out through `reply` (the alert channel's queue, so it
 * keeps to the channel's rate limit). A failed poll waits and tries again: never fatal.
 */
export function startTelegramPoller(opts: {
  apiBaseUrl: string; token: string; chatId: string; pollSeconds: number; handlers: CommandHandlers;
  reply: (text: string) => void; log: Logger;
}): TelegramPoller {
  const stop = new AbortController();
  const url = telegramUrl(opts.apiBaseUrl, opts.token, 'getUpdates');
  let offset = 0;
  let failures = 0;

  const poll = async (): Promise<Update[]> => {
    const signal = AbortSignal.any([stop.signal, AbortSignal.timeout((opts.pollSeconds + 10) * 1000)]);
    const res = await request(url, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ offset, timeout: opts.pollSeconds, allowed_updates: ['message'] }), signal,
    });
    const body = await res.body.json() as { ok?: boolean; result?: Update[]; description?: string };
    if (res.statusCode !== 200 || body.ok !== true || !Array.isArray(body.result)) {
      throw new Error(`getUpdates: HTTP ${res.statusCode} ${body.description ?? ''}`.trim());
    }
    return body.result;
  };

  const handle = (u: Update): void => {
    const text = u.message?.text;
    if (text === undefined) return;
    const chat = String(u.message?.chat?.id ?? '');
    if (chat !== opts.chatId) {
      opts.log.warn({ chat }, 'telegram message from a chat other than TELEGRAM_CHAT_ID: ignored');
      return;
    }
    let answer: string | null;
    try {
      answer = answerCommand(text, opts.handlers);
    } catch (err) {
      answer = `command failed: ${describeError(err)}`;
    }
    if (answer === null) return;
    opts.log.info({ command: text.split(/\s/)[0] }, 'telegram command answered');
    opts.reply(answer);
  };

  const loop = (async () => {
    while (!stop.signal.aborted) {
      try {
        const updates = await poll();
        failures = 0;
        for (const u of updates) {
          offset = Math.max(offset, u.update_id + 1);
          handle(u);
        }
      } catch (err) {
        if (stop.signal.aborted) return;
        failures++;
        // one line per outage, not one per retry
        if (failures === 1) opts.log.warn({ err: err instanceof Error ? err.message : 'error' }, 'telegram getUpdates failed: retrying (commands wait)');
        await new Promise((r) => {
          const t = setTimeout(r, Math.min(60_000, 1000 * 2 ** Math.min(failures, 6)));
          stop.signal.addEventListener('abort', () => { clearTimeout(t); r(undefined); }, { once: true });
        });
      }
    }
  })();

  return {
    async stop() {
      stop.abort();
      await loop;
    },
  };
}
