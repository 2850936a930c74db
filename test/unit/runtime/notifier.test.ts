import { describe, expect, it } from 'vitest';
import type { Logger } from '../../../src/domain/index.js';
import { createLogNotifier } from '../../../src/runtime/index.js';

function recordingLog(lines: [string, Record<string, unknown>, string | undefined][]): Logger {
  const at = (level: string) => (obj: Record<string, unknown> | string, msg?: string) => {
    lines.push(typeof obj === 'string' ? [level, {}, obj] : [level, obj, msg]);
  };
  const log: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), fatal: at('fatal'), child: () => log };
  return log;
}

describe('the log notifier', () => {
  it('writes one line per notice, at error for what needs a person now', () => {
    const lines: [string, Record<string, unknown>, string | undefined][] = [];
    const n = createLogNotifier(recordingLog(lines));
    n.notify({ kind: 'halt', message: 'new entries halted', details: { reason: 'x' } });
    n.notify({ kind: 'reject', message: 'order rejected', details: {} });
    n.notify({ kind: 'start', message: 'kis-trader ready', details: { mode: 'sim' } });
    expect(lines).toEqual([
      ['error', { notice: 'halt', reason: 'x' }, 'new entries halted'],
      ['warn', { notice: 'reject' }, 'order rejected'],
      ['info', { notice: 'start', mode: 'sim' }, 'kis-trader ready'],
    ]);
  });
});
