import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local Telegram Bot API (sendMessage recorded, getUpdates served from a list) and a local webhook
 * sink, both on node:http at 127.0.0.1, for the alert and command tests (docs/operations.md "Alerts").
 * Nothing here is the real Telegram: only the two methods the daemon calls, with the Bot API's
 * envelope ({ ok, result } or { ok: false, error_code, description, parameters.retry_after }).
 */
export interface SentMessage { token: string; chat_id: string | number; text: string }

export interface FakeTelegram {
  url: string;
  sent: SentMessage[];
  /** queues an update for getUpdates (update_id assigned in order) */
  pushMessage(chatId: number | string, text: string): void;
  /** answers the next `n` sendMessage calls with this status (429 carries retry_after 1) */
  failNext(n: number, status: number): void;
  /** getUpdates offsets the daemon asked with */
  offsets: number[];
  /** sendMessage requests, failed ones included */
  readonly requests: number;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text === '' ? {} : JSON.parse(text);
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const close = (server: Server) => (): Promise<void> => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); });

const json = (res: ServerResponse, status: number, body: unknown): void => {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
};

export async function startFakeTelegram(): Promise<FakeTelegram> {
  const sent: SentMessage[] = [];
  const updates: { update_id: number; message: { message_id: number; chat: { id: number | string }; text: string } }[] = [];
  const offsets: number[] = [];
  let nextId = 1;
  let failing = 0;
  let requests = 0;
  let failStatus = 500;
  const pollers = new Set<() => void>();
  const server = createServer((req, res) => {
    void (async () => {
      const m = /^\/bot([^/]+)\/(\w+)$/.exec(req.url ?? '');
      if (!m) return json(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
      const [, token, method] = m;
      const body = await readBody(req) as Record<string, unknown>;
      if (method === 'sendMessage') {
        requests++;
        if (failing > 0) {
          failing--;
          return json(res, failStatus, { ok: false, error_code: failStatus, description: 'fake failure', ...(failStatus === 429 ? { parameters: { retry_after: 1 } } : {}) });
        }
        sent.push({ token: token!, chat_id: body['chat_id'] as string, text: String(body['text']) });
        return json(res, 200, { ok: true, result: { message_id: sent.length } });
      }
      if (method === 'getUpdates') {
        const offset = Number(body['offset'] ?? 0);
        offsets.push(offset);
        const pending = () => updates.filter((u) => u.update_id >= offset);
        if (pending().length === 0) {
          // long poll: answer when something arrives, or after a short while with nothing
          await new Promise<void>((r) => {
            const done = () => { clearTimeout(t); pollers.delete(done); r(); };
            const t = setTimeout(done, Math.min(Number(body['timeout'] ?? 0), 1) * 1000);
            pollers.add(done);
          });
        }
        return json(res, 200, { ok: true, result: pending() });
      }
      return json(res, 404, { ok: false, error_code: 404, description: 'Not Found: method' });
    })();
  });
  const url = await listen(server);
  return {
    url, sent, offsets,
    get requests() { return requests; },
    pushMessage(chatId, text) {
      const id = nextId++;
      updates.push({ update_id: id, message: { message_id: id, chat: { id: chatId }, text } });
      for (const p of [...pollers]) p();
    },
    failNext(n, status) { failing = n; failStatus = status; },
    close: close(server),
  };
}

export interface WebhookSink {
  url: string;
  received: { text: string; content: string }[];
  /** answers every request with this status from now on (null: 204) */
  status: number | null;
  close(): Promise<void>;
}

export async function startWebhookSink(): Promise<WebhookSink> {
  const sink: WebhookSink = { url: '', received: [], status: null, close: () => Promise.resolve() };
  const server = createServer((req, res) => {
    void readBody(req).then((body) => {
      if (sink.status !== null) return res.writeHead(sink.status).end('nope');
      sink.received.push(body as { text: string; content: string });
      res.writeHead(204).end();
    });
  });
  sink.url = `${await listen(server)}/hooks/T000/B000/secret-part`;
  sink.close = close(server);
  return sink;
}

/** The kinds of alert the texts carry ("[kis-trader sim] fill: …" → 'fill'), in order. */
export const alertKinds = (texts: readonly string[]): string[] => texts.map((x) => /\] ([a-z-]+): /.exec(x)?.[1] ?? '?');

/** The environment that points a daemon's Telegram and webhook channels at these two. */
export function alertEnv(tg: FakeTelegram, hook: WebhookSink, chatId = 77): Record<string, string> {
  return {
    TELEGRAM_BOT_TOKEN: '123456:daemon-test-token', TELEGRAM_CHAT_ID: String(chatId), ALERT_WEBHOOK_URL: hook.url,
    KIS_TRADER__ALERTS__TELEGRAM__ENABLED: 'true', KIS_TRADER__ALERTS__TELEGRAM__API_BASE_URL: tg.url,
    KIS_TRADER__ALERTS__TELEGRAM__POLL_SECONDS: '1', KIS_TRADER__ALERTS__WEBHOOK__ENABLED: 'true',
  };
}

/**
 * Waits until an alert of `kind` has reached both the fake Telegram and the webhook sink `times`
 * times; a timeout names what each one did receive.
 */
export async function alertedAtBoth(tg: FakeTelegram, hook: WebhookSink, kind: string, timeoutMs: number, times = 1): Promise<void> {
  const seen = () => [tg.sent, hook.received].map((got) => alertKinds(got.map((m) => m.text)));
  const deadline = Date.now() + timeoutMs;
  while (!seen().every((kinds) => kinds.filter((k) => k === kind).length >= times)) {
    if (Date.now() > deadline) {
      const [t, w] = seen();
      throw new Error(`no ${kind} alert at both within ${timeoutMs} ms; telegram got [${t!.join(', ')}], the webhook [${w!.join(', ')}]`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
