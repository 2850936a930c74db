import { describe, expect, it } from 'vitest';
import { epochMs, kstInstant, tradingDate } from '../../../src/domain/index.js';
import { anchoredClock, loadCalendar, parseClockAnchor, simResumeInstant, simStartInstant } from '../../../src/runtime/index.js';

const calendar = loadCalendar('config/krx-calendar.json');
const d = (s: string) => tradingDate(s);

describe('sim clock planning', () => {
  it('starts on the current trading day, or the next one on a weekend or holiday', () => {
    expect(simStartInstant(kstInstant(d('20261126'), '230000'), '13:00', calendar)).toBe(kstInstant(d('20261126'), '130000'));
    expect(simStartInstant(kstInstant(d('20261128'), '100000'), '13:00', calendar)).toBe(kstInstant(d('20261130'), '130000'));
    expect(simStartInstant(kstInstant(d('20261224'), '200000'), '10:30', calendar)).toBe(kstInstant(d('20261224'), '103000'));
    expect(simStartInstant(kstInstant(d('20261225'), '080000'), '10:30', calendar)).toBe(kstInstant(d('20261228'), '103000'));
  });
  it('resumes where the last run stopped during a trading day, and rolls to the next day after it', () => {
    const mid = kstInstant(d('20261126'), '140512');
    expect(simResumeInstant(mid, '13:00', '15:45', calendar)).toBe(mid + 1000);
    expect(simResumeInstant(kstInstant(d('20261126'), '154600'), '13:00', '15:45', calendar)).toBe(kstInstant(d('20261127'), '130000'));
    expect(simResumeInstant(kstInstant(d('20261127'), '160000'), '13:00', '15:45', calendar)).toBe(kstInstant(d('20261130'), '130000'));
  });
  it('shares one clock across processes through the anchor string', () => {
    const a = parseClockAnchor('1795656600000@1795705457322x60');
    expect(a).toEqual({ sim: 1795656600000, real: 1795705457322, speed: 60 });
    const clock = anchoredClock(a, { now: () => epochMs(1795705457322 + 1000) });
    expect(clock.now()).toBe(1795656600000 + 60_000);
    expect(() => parseClockAnchor('tomorrow')).toThrow(/KIS_TRADER_CLOCK_ANCHOR/);
  });
});
