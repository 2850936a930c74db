import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A throwaway config directory. Values are written as JSON; strings are written verbatim so
 * tests can plant broken JSON; `undefined` leaves a file out. `default.json` is `{}` unless given
 * (the schema supplies the defaults).
 */
export function configDir(files: Record<string, unknown>): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'kis-config-'));
  const all: Record<string, unknown> = { 'default.json': {}, ...files };
  for (const [name, content] of Object.entries(all)) {
    if (content === undefined) continue;
    writeFileSync(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  }
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export const PAPER_ENV = {
  KIS_APP_KEY: 'PSappkeyVALUE0001',
  KIS_APP_SECRET: 'appsecretVALUE0002',
  KIS_ACCOUNT: '50012345-01',
} as const;
