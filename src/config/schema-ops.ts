import { z } from 'zod';
import { NOTICE_KINDS } from '../domain/index.js';

/**
 * Alerts and metrics (docs/operations.md "Alerts", "Metrics and health"). Both are off unless
 * configured. The Telegram bot token and chat id, and the webhook URL (a Slack or Discord webhook
 * URL is itself a secret), come from the environment only (config/secrets.ts alertSecrets).
 */
const events = z.array(z.enum(NOTICE_KINDS)).min(1).default([...NOTICE_KINDS]);

const channel = {
  enabled: z.boolean().default(false),
  /** the notice kinds this channel sends; default every kind */
  events,
  /** attempts per message (the first included), 1 s, 2 s, 4 s … apart; then it is dropped and logged */
  attempts: z.int().min(1).max(10).default(4),
  /** messages per minute at most: a burst waits in the queue (Telegram allows about 20/min into one group) */
  perMinute: z.int().min(1).max(600).default(20),
  /** messages waiting at most; beyond it the oldest is dropped and counted */
  queueSize: z.int().min(1).max(10_000).default(200),
  /** one HTTP exchange at most this long */
  timeoutMs: z.int().min(100).max(60_000).default(10_000),
};

export const alertsSchema = z.strictObject({
  telegram: z.strictObject({
    ...channel,
    /** where the Bot API answers; a test points it at a local fake */
    apiBaseUrl: z.url().default('https://api.telegram.org'),
    /** answer /status, /positions, /pnl, /halt, /resume from the configured chat (long polling) */
    commands: z.boolean().default(true),
    /** getUpdates long-poll timeout */
    pollSeconds: z.int().min(0).max(50).default(25),
  }).prefault({}),
  webhook: z.strictObject({ ...channel }).prefault({}),
  /** `kis-trader watchdog`: a heartbeat older than this during a session is a silence alarm */
  silenceMinutes: z.int().min(1).max(240).default(5),
});

export const metricsSchema = z.strictObject({
  enabled: z.boolean().default(false),
  /** 127.0.0.1 by default: the endpoints name positions and halts; expose them through a proxy if at all */
  host: z.string().min(1).default('127.0.0.1'),
  port: z.int().min(0).max(65_535).default(9464),
});
