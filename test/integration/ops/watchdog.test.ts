import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { Command } from 'commander';
import { registerWatchdogCommand } from '../../../src/cli/alert-commands.js';
import { loadConfig } from '../../../src/config/index.js';
import { epochMs, kstInstant, tradingDate } from '../../../src/domain/index.js';
import { checkSilence } from '../../../src/runtime/index.js';
import { HEARTBEAT_KEY } from '../../../src/store/index.js';
import type { Heartbeat, Store } from '../../../src/store/index.js';
import { createTempStore } from '../../helpers/temp-store.js';
import { repoCalendar, ROOT, waitFor } from '../../helpers/daemon.js';
import { startFakeTelegram, startWebhookSink } from '../../helpers/fake-alert-sinks.js';

/** Issue 14: the silence alarm, `kis-trader watchdog`, for pm2 cron (docs/operations.md "Silence alarm"). */
const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const MIN = 60_000;
const REGULAR = epochMs(kstInstant(tradingDate('20261126'), '103000'));
const EVENING = epochMs(kstInstant(tradingDate('20261126'), '200000'));

function beat(store: Store, at: number, extra: Partial<Heartbeat> = {}): void {
  const hb: Heartbeat = { pid: 1, host: 'elsewhere', mode: 'paper', since: at - 60 * MIN, at, lastScan: null, lastReconcile: null, queues: null, stoppedAt: null, ...extra };
  store.kv.set(HEARTBEAT_KEY, hb, epochMs(at));
}

describe('checkSilence', () => {
  const check = (store: Store, now: number) => checkSilence({ store, now: epochMs(now), calendar: repoCalendar(), silenceMs: 5 * MIN, host: 'here', alive: () => true });

  it('is silent in a session once the heartbeat is older than the window, whatever the reason', () => {
    const { store } = createTempStore();
    beat(store, REGULAR - 4 * MIN);
    expect(check(store, REGULAR).silent).toBe(false);
    beat(store, REGULAR - 6 * MIN);
    const v = check(store, REGULAR);
    expect(v).toMatchObject({ silent: true, alreadyAlarmed: false, phase: 'regular' });
    expect(v.notice?.kind).toBe('silence');
    expect(v.line).toContain('no heartbeat for over 5 min during the regular session');
    // stopped gracefully 6 minutes ago: silent too (a restart would have written a new one)
    beat(store, REGULAR - 6 * MIN, { stoppedAt: REGULAR - 6 * MIN });
    expect(check(store, REGULAR).silent).toBe(true);
  });

  it('says nothing outside a session, or on a day without trading', () => {
    const { store } = createTempStore();
    beat(store, EVENING - 120 * MIN);
    expect(check(store, EVENING)).toMatchObject({ silent: false, phase: 'closed' });
    const sunday = epochMs(kstInstant(tradingDate('20261129'), '103000'));
    expect(check(store, sunday).silent).toBe(false);
  });
});

describe('kis-trader watchdog', () => {
  it('sends the silence alarm to Telegram and the webhook once per silent heartbeat, exit 1', async () => {
    const tg = await startFakeTelegram();
    const hook = await startWebhookSink();
    cleanups.push(() => tg.close(), () => hook.close());
    const t = createTempStore();
    const env = {
      KIS_TRADER_MODE: 'sim', TELEGRAM_BOT_TOKEN: '42:watchdog', TELEGRAM_CHAT_ID: '5', ALERT_WEBHOOK_URL: hook.url,
      KIS_TRADER__ALERTS__TELEGRAM__ENABLED: 'true', KIS_TRADER__ALERTS__TELEGRAM__API_BASE_URL: tg.url, KIS_TRADER__ALERTS__WEBHOOK__ENABLED: 'true',
    };
    const run = async (args: string[]): Promise<{ code: number; out: string[] }> => {
      const out: string[] = [];
      let code = -1;
      const program = new Command().exitOverride();
      registerWatchdogCommand(program, {
        out: (s) => void out.push(s), err: (s) => void out.push(s),
        exit: (c) => { code = c; throw new Error(`exit ${c}`); },
        env, cwd: ROOT, loaded: () => loadConfig({ dir: join(ROOT, 'config'), env }),
        withStore: (fn) => fn(t.store),
      });
      await program.parseAsync(['node', 'kis-trader', 'watchdog', ...args]).catch((e: unknown) => {
        if (!(e instanceof Error) || !e.message.startsWith('exit ')) throw e;
      });
      return { code, out };
    };

    beat(t.store, Date.now() - 10 * MIN);
    const first = await run(['--any-time', '--minutes', '3']);
    expect(first.code).toBe(1);
    expect(first.out.join('\n')).toContain('telegram: sent');
    expect(first.out.join('\n')).toContain('webhook: sent');
    await waitFor(() => (tg.sent.length === 1 && hook.received.length === 1 ? true : undefined), 5000, 'the alarm at both');
    expect(tg.sent[0]!.text).toMatch(/\[kis-trader sim\] silence: no heartbeat for over 3 min/);

    // the next cron run: same heartbeat, no second message
    const second = await run(['--any-time', '--minutes', '3']);
    expect(second.code).toBe(1);
    expect(second.out).toContain('alarm already sent for this heartbeat');
    expect(tg.sent).toHaveLength(1);

    // the daemon is back
    beat(t.store, Date.now());
    expect((await run(['--any-time', '--minutes', '3'])).code).toBe(0);
    expect((await run(['--minutes', 'x'])).code).toBe(2);
  });
});
