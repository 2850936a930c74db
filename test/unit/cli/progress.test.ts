import { describe, expect, it } from 'vitest';
import { progressBar } from '../../../src/cli/progress.js';

/** The progress bar: drawn on a terminal only, throttled, with the time left and a clean end. */
describe('progressBar', () => {
  it('draws the share done, the count and the time left, at most every everyMs', () => {
    const lines: string[] = [];
    let t = 1_000;
    const p = progressBar((s) => lines.push(s), 'sweep', 4, { now: () => t, everyMs: 100 });
    t += 10_000;
    p.update(1, 'point 1');
    expect(lines).toEqual([`\r\x1b[2Ksweep ${'█'.repeat(6)}${'░'.repeat(18)} 25 % 1/4 · 30 s left · point 1`]);
    t += 50;
    p.update(2);
    expect(lines).toHaveLength(1);
    t += 50;
    p.update(2);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(' 50 % 2/4 · 10 s left');
    // the last update is always drawn, without a time left
    p.update(4);
    expect(lines[2]).toBe(`\r\x1b[2Ksweep ${'█'.repeat(24)} 100 % 4/4`);
    p.end();
    expect(lines[3]).toBe('\r\x1b[2K');
  });

  it('says minutes and hours for long runs', () => {
    const lines: string[] = [];
    let t = 0;
    const p = progressBar((s) => lines.push(s), 'backtest', 1000, { now: () => t });
    t = 9_000;
    p.update(1);
    expect(lines[0]).toContain('2 h 29 min left');
    t = 100_000;
    p.update(900);
    expect(lines[1]).toContain('11 s left');
  });

  it('after end (a line printed under it) draws the next update at once', () => {
    const lines: string[] = [];
    const t = 0;
    const p = progressBar((s) => lines.push(s), 'data fetch', 3, { now: () => t, everyMs: 100 });
    p.update(0, 'a');
    p.end();
    p.update(1, 'b');
    expect(lines).toEqual(['\r\x1b[2Kdata fetch ' + '░'.repeat(24) + ' 0 % 0/3 · a', '\r\x1b[2K', expect.stringContaining(' 1/3 · 0 s left · b')]);
    // and end clears only once: nothing drawn since, nothing to clear
    p.end();
    p.end();
    expect(lines).toHaveLength(4);
  });

  it('does nothing when stderr is no terminal, and end clears only what it drew', () => {
    const none = progressBar(null, 'x', 3);
    none.update(1);
    none.end();
    const lines: string[] = [];
    progressBar((s) => lines.push(s), 'x', 3).end();
    expect(lines).toEqual([]);
  });
});
