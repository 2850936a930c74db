import { afterEach, describe, expect, it } from 'vitest';
import { ROOT } from '../../helpers/daemon.js';
import { spawnCli, tempDir } from '../../helpers/cli.js';
import { alertEnv, startFakeTelegram, startWebhookSink } from '../../helpers/fake-alert-sinks.js';

/**
 * `kis-trader alerts test` as an operator runs it after putting a bot token in .env: one message
 * through each enabled channel, a line each saying whether it arrived, and the exit code to match.
 */
const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('kis-trader alerts test', () => {
  it('delivers one message to each channel, says so, exit 0', async () => {
    const tg = await startFakeTelegram();
    const hook = await startWebhookSink();
    cleanups.push(() => tg.close(), () => hook.close());
    const run = await spawnCli(['alerts', 'test'], ROOT, { KIS_TRADER_MODE: 'sim', ...alertEnv(tg, hook) });
    expect(run.out.split('\n').filter(Boolean)).toEqual(['telegram: delivered', 'webhook: delivered']);
    expect(run.code).toBe(0);
    expect(tg.sent.map((m) => [String(m.chat_id), m.text.startsWith('✅ [kis-trader sim] test: alerts reach this channel')])).toEqual([['77', true]]);
    expect(hook.received).toHaveLength(1);
  }, 60_000);

  it('names the reason a channel failed, exit 1, and never prints the token', async () => {
    const tg = await startFakeTelegram();
    const hook = await startWebhookSink();
    cleanups.push(() => tg.close(), () => hook.close());
    hook.status = 404;
    const run = await spawnCli(['alerts', 'test'], ROOT, {
      KIS_TRADER_MODE: 'sim', ...alertEnv(tg, hook), KIS_TRADER__ALERTS__TELEGRAM__API_BASE_URL: `${tg.url}/wrong`,
    });
    expect(run.out).toContain('telegram: NOT delivered: telegram sendMessage: HTTP 404');
    expect(run.out).toContain('webhook: NOT delivered: webhook: HTTP 404');
    expect(run.code).toBe(1);
    expect(run.out + run.err).not.toContain('daemon-test-token');
  }, 60_000);

  it('says no channel is enabled (exit 1), and a channel without its secret is exit 78 naming the variable', async () => {
    const dir = tempDir('alerts-test-');
    const none = await spawnCli(['alerts', 'test'], dir, { KIS_TRADER_MODE: 'sim', KIS_TRADER_HOME: ROOT });
    expect(none.err).toContain('no channel enabled');
    expect(none.code).toBe(1);
    const missing = await spawnCli(['alerts', 'test'], ROOT, { KIS_TRADER_MODE: 'sim', KIS_TRADER__ALERTS__WEBHOOK__ENABLED: 'true' });
    expect(missing.err).toContain('ALERT_WEBHOOK_URL');
    expect(missing.code).toBe(78);
  }, 60_000);
});
