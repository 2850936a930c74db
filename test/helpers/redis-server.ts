import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { pingRedis } from '../../src/runtime/index.js';
import { waitForAsync } from './daemon.js';

/**
 * A redis-server of a test's own on 127.0.0.1:`port` (never the shared one, which other tests
 * use): no RDB snapshots; with `aof` an append-only file in `dir`, so a restart brings the data back.
 * Resolves once it answers PING.
 */
export async function startRedisServer(port: number, dir: string, opts: { aof?: boolean } = {}): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', opts.aof === true ? 'yes' : 'no', '--dir', dir], { stdio: 'ignore' });
  await waitForAsync(async () => ((await pingRedis(`redis://127.0.0.1:${port}`)) ? true : undefined), 10_000, 'redis-server to answer');
  return child;
}
