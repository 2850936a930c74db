import { describe, expect, it } from 'vitest';
import type { EpochMs, Logger } from '../../../src/domain/index.js';
import { epochMs, kstInstant, silentLogger, tradingDate } from '../../../src/domain/index.js';
import { loadCalendar } from '../../../src/runtime/index.js';
import { createScheduler, dueJobs, scheduleTable } from '../../../src/schedule.js';
import type { JobName } from '../../../src/schedule.js';

const calendar = loadCalendar('config/krx-calendar.json');
const table = scheduleTable({ scanEveryMinutes: 5, exitCheckEveryMinutes: 1, reconcileEveryMinutes: 5, fillPollSeconds: 10, preOpenAt: '08:40', afterCloseAt: '15:45' });
const DAY = tradingDate('20261126'); // a Thursday
const t = (hhmmss: string, date = DAY) => kstInstant(date, hhmmss);

describe('dueJobs', () => {
  it('runs a scan once per 5-minute slot in the regular session only', () => {
    expect(dueJobs(t('090459'), t('090500'), table, calendar)).toContain('scan');
    expect(dueJobs(t('090500'), t('090501'), table, calendar)).not.toContain('scan');
    expect(dueJobs(t('085959'), t('090000'), table, calendar)).toContain('scan');
    expect(dueJobs(t('152459'), t('152500'), table, calendar)).not.toContain('scan'); // closing auction
  });
  it('checks exits every minute through the closing auction', () => {
    expect(dueJobs(t('152459'), t('152500'), table, calendar)).toContain('exits');
    expect(dueJobs(t('153059'), t('153100'), table, calendar)).not.toContain('exits');
  });
  it('runs the daily jobs when their time of day is crossed, and never replays after a long gap', () => {
    expect(dueJobs(t('083959'), t('084000'), table, calendar)).toEqual(['pre-open', 'fills', 'reconcile']); // 08:40 is inside the opening auction
    expect(dueJobs(t('154459'), t('154500'), table, calendar)).toContain('after-close');
    expect(dueJobs(epochMs(t('154459') - 2 * 86_400_000), t('154500'), table, calendar)).not.toContain('after-close');
  });
  it('runs only the current slot after downtime, not every missed one', () => {
    const due = dueJobs(t('091000'), t('110000'), table, calendar);
    expect(due.filter((j) => j === 'scan')).toHaveLength(1);
  });
  it('does nothing on a holiday or a weekend', () => {
    expect(dueJobs(t('095959', tradingDate('20261225')), t('100000', tradingDate('20261225')), table, calendar)).toEqual([]);
    expect(dueJobs(t('095959', tradingDate('20261128')), t('100000', tradingDate('20261128')), table, calendar)).toEqual([]);
  });
  it('does nothing when time did not move forward', () => {
    expect(dueJobs(t('100000'), t('100000'), table, calendar)).toEqual([]);
  });
});

describe('dueJobs: the flatten before the close', () => {
  const flat = scheduleTable({
    scanEveryMinutes: 5, exitCheckEveryMinutes: 5, reconcileEveryMinutes: 5, fillPollSeconds: 10, preOpenAt: '08:40', afterCloseAt: '15:45',
    flattenBeforeCloseMinutes: 15,
  });
  it('is due once, N minutes before the closing auction starts (15:20)', () => {
    expect(dueJobs(t('150459'), t('150500'), flat, calendar)).toContain('flatten');
    expect(dueJobs(t('150500'), t('150501'), flat, calendar)).not.toContain('flatten');
    expect(dueJobs(t('150300'), t('150400'), flat, calendar)).not.toContain('flatten');
    // a tick that jumps over the time still runs it
    expect(dueJobs(t('150230'), t('150730'), flat, calendar)).toContain('flatten');
  });
  it('follows a special session: on CSAT day the closing auction starts at 16:20', () => {
    const csat = tradingDate('20261119');
    expect(dueJobs(t('150459', csat), t('150500', csat), flat, calendar)).not.toContain('flatten');
    expect(dueJobs(t('160459', csat), t('160500', csat), flat, calendar)).toContain('flatten');
  });
  it('is not in the table with 0 (the default): positions are kept overnight', () => {
    expect(table.map((e) => e.job)).not.toContain('flatten');
    expect(dueJobs(t('150459'), t('150500'), table, calendar)).not.toContain('flatten');
  });
  it('is not due on a holiday', () => {
    const holiday = tradingDate('20261225');
    expect(dueJobs(t('150459', holiday), t('150500', holiday), flat, calendar)).toEqual([]);
  });
});

describe('createScheduler stop', () => {
  type Line = { level: string; msg: string } & Record<string, unknown>;
  function recordingLog(): { log: Logger; lines: Line[] } {
    const lines: Line[] = [];
    const at = (level: string) => (fields: object, msg: string) => { lines.push({ level, msg, ...fields }); };
    const log: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: () => log } as unknown as Logger;
    return { log, lines };
  }

  it('abandons a run in progress through its signal and waits for it to return, without calling that a failure', async () => {
    const { log, lines } = recordingLog();
    const seen: AbortSignal[] = [];
    let finish = (): void => undefined;
    const scheduler = createScheduler({
      config: { scanEveryMinutes: 5, exitCheckEveryMinutes: 1, reconcileEveryMinutes: 5, fillPollSeconds: 10, preOpenAt: '08:40', afterCloseAt: '15:45', flattenBeforeCloseMinutes: 0 },
      calendar: () => calendar, clock: { now: () => t('090001') }, log,
      run: (_job: JobName, _at: EpochMs, signal: AbortSignal) => {
        seen.push(signal);
        return new Promise<void>((resolve, reject) => {
          finish = resolve;
          signal.addEventListener('abort', () => reject(signal.reason as Error));
        });
      },
    });
    const run = scheduler.runNow('scan');
    expect(seen).toHaveLength(1);
    expect(seen[0]!.aborted).toBe(false);
    const stopped = scheduler.stop();
    expect(seen[0]!.aborted).toBe(true);
    await stopped;
    await run;
    finish();
    expect(lines.filter((l) => l.level === 'error')).toEqual([]);
  });

  it('leaves a run that will not end behind after its wait, naming it, so the shutdown deadline holds', async () => {
    const { log, lines } = recordingLog();
    const scheduler = createScheduler({
      config: { scanEveryMinutes: 5, exitCheckEveryMinutes: 1, reconcileEveryMinutes: 5, fillPollSeconds: 10, preOpenAt: '08:40', afterCloseAt: '15:45', flattenBeforeCloseMinutes: 0 },
      calendar: () => calendar, clock: { now: () => t('090001') }, log,
      run: () => new Promise<void>(() => undefined),
    });
    void scheduler.runNow('reconcile');
    await scheduler.stop(20);
    expect(lines.filter((l) => l.level === 'warn')).toEqual([
      { level: 'warn', msg: 'scheduled runs still busy at stop: left to end on their own', jobs: ['reconcile'], waitedMs: 20 },
    ]);
  });

  it('runs nothing once stopped', async () => {
    const { log } = recordingLog();
    let runs = 0;
    const scheduler = createScheduler({
      config: { scanEveryMinutes: 5, exitCheckEveryMinutes: 1, reconcileEveryMinutes: 5, fillPollSeconds: 10, preOpenAt: '08:40', afterCloseAt: '15:45', flattenBeforeCloseMinutes: 0 },
      calendar: () => calendar, clock: { now: () => t('090001') }, log,
      run: () => { runs++; return Promise.resolve(); },
    });
    await scheduler.stop();
    await scheduler.runNow('scan');
    expect(runs).toBe(0);
  });
});

describe('createScheduler runNow: the start-up scan keeps to the session (issue 13)', () => {
  const config = {
    scanEveryMinutes: 5, exitCheckEveryMinutes: 1, reconcileEveryMinutes: 5, fillPollSeconds: 10, preOpenAt: '08:40',
    afterCloseAt: '15:45', flattenBeforeCloseMinutes: 0,
  };
  const log = silentLogger;
  async function startUpRuns(at: EpochMs, job: JobName = 'scan'): Promise<JobName[]> {
    const ran: JobName[] = [];
    const scheduler = createScheduler({
      config, calendar: () => calendar, clock: { now: () => at }, log,
      run: (j) => { ran.push(j); return Promise.resolve(); },
    });
    await scheduler.runNow(job);
    await scheduler.stop();
    return ran;
  }

  it('runs the start-up scan in the regular session of a trading day', async () => {
    expect(await startUpRuns(t('103000'))).toEqual(['scan']);
  });
  it('skips it on a holiday and on a weekend, whatever the time of day', async () => {
    expect(await startUpRuns(t('103000', tradingDate('20261225')))).toEqual([]); // Christmas, a Friday
    expect(await startUpRuns(t('103000', tradingDate('20261128')))).toEqual([]); // a Saturday
  });
  it('skips it outside the scan window of a trading day: before the open, the auctions, after the close', async () => {
    expect(await startUpRuns(t('070000'))).toEqual([]);
    expect(await startUpRuns(t('084500'))).toEqual([]); // opening auction
    expect(await startUpRuns(t('152500'))).toEqual([]); // closing auction
    expect(await startUpRuns(t('200000'))).toEqual([]);
  });
  it('keeps every other job to its own phases, as dueJobs does: a reconcile runs in the closing auction', async () => {
    expect(await startUpRuns(t('152500'), 'reconcile')).toEqual(['reconcile']);
    expect(await startUpRuns(t('103000', tradingDate('20261225')), 'reconcile')).toEqual([]);
  });
});
