import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { spawnDaemon } from '../../helpers/daemon.js';

/**
 * A KIS that accepts connections and never answers: the daemon cannot start, and its last word
 * says it timed out — not a bare KIS_TOKEN_UNAVAILABLE (issue 9 items 9 and 11).
 */
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('daemon start when every KIS answer times out', () => {
  it('exits non-zero and says it timed out', async () => {
    const sockets: Socket[] = [];
    const server = createServer((s) => { sockets.push(s); });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    cleanups.push(async () => { server.close(); await once(server, 'close'); });
    cleanups.push(() => { for (const s of sockets) s.destroy(); });
    const dir = mkdtempSync(join(tmpdir(), 'kis-timeout-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));

    const d = spawnDaemon({
      PATH: process.env.PATH ?? '', HOME: dir, KIS_TRADER_MODE: 'sim',
      KIS_TRADER_SIM_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      REDIS_URL: inject('redisUrl'), KIS_TRADER__REDIS__PREFIX: `t-${randomUUID().slice(0, 8)}`,
      KIS_TRADER__STORE__PATH: join(dir, 'trade.sqlite'), KIS_TRADER__DATA_DIR: dir,
      KIS_TRADER__KIS__TIMEOUTS__HEADERS_MS: '300', KIS_TRADER__KIS__TIMEOUTS__TOTAL_MS: '600',
    });
    const { code } = await d.exited;
    expect(code).not.toBe(0);
    const fatal = d.lines.find((l) => l.level === 'fatal' || l.level === 60);
    expect(String(fatal?.msg)).toContain('timed out');
    expect(String(fatal?.msg)).toContain('KIS_TOKEN_UNAVAILABLE');
  });
});
