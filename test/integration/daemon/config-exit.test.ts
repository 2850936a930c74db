import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { spawnDaemon } from '../../helpers/daemon.js';

/**
 * A defective calendar file is a config error: the daemon exits 78 (pm2's stop_exit_codes keep
 * it stopped instead of restarting it ten times into the same wall) and its last line names
 * the file (issue 9 item 11). Nothing is connected before the check, so no simulator is needed.
 */
const dirs: string[] = [];
afterEach(() => {
  while (dirs.length > 0) rmSync(dirs.pop()!, { recursive: true, force: true });
});

async function startWith(calendarFile: (dir: string) => string): Promise<{ code: number | null; text: string; stderr: string; path: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'kis-cal-'));
  dirs.push(dir);
  const path = calendarFile(dir);
  const d = spawnDaemon({
    PATH: process.env.PATH ?? '', HOME: dir, KIS_TRADER_MODE: 'sim', KIS_TRADER_SIM_URL: 'http://127.0.0.1:9',
    REDIS_URL: inject('redisUrl'), KIS_TRADER__STORE__PATH: join(dir, 'trade.sqlite'), KIS_TRADER__DATA_DIR: dir,
    KIS_TRADER__MARKET__CALENDAR_FILE: path,
  });
  const { code } = await d.exited;
  return { code, text: d.lines.map((l) => JSON.stringify(l)).join('\n'), stderr: d.stderr.join(''), path };
}

describe('daemon start with a defective calendar file', () => {
  it('a missing file: exit 78 naming it', async () => {
    const r = await startWith((dir) => join(dir, 'nope.json'));
    expect(r.code).toBe(78);
    expect(r.text).toContain(`market.calendarFile: ${r.path}: missing`);
    expect(r.stderr).toContain(`config rejected (CONFIG_INVALID):\n  market.calendarFile: ${r.path}: missing`);
  });

  it('a file without this year: exit 78 naming it', async () => {
    const r = await startWith((dir) => {
      const p = join(dir, 'old.json');
      writeFileSync(p, JSON.stringify({ coveredYears: [2019], holidays: [], specialSessions: [] }));
      return p;
    });
    expect(r.code).toBe(78);
    expect(r.text).toContain(`market.calendarFile: ${r.path}: no KRX holiday data`);
  });
});
