import { describe, expect, it } from 'vitest';
import { toEventBridgeCron } from '../../functions/core/schedule/eventbridge-cron.ts';
import { runSlot, scheduledRunAt, upcomingRuns, wallClock } from '../../functions/core/schedule/runs.ts';
import { eventBridgeProblems, scheduleReport } from '../../functions/core/schedule/schedule-report.ts';
import { issueIdSchema, scheduledIssueId } from '../../functions/core/sending/issue.ts';

const iso = (dates: Date[]) => dates.map((d) => d.toISOString());

describe('next runs across a daylight-saving change', () => {
  it('keeps 07:00 local in Europe/London when the clocks go forward: the UTC instant moves an hour', () => {
    const runs = upcomingRuns(
      { cron: '0 7 * * *', timezone: 'Europe/London' },
      new Date('2026-03-27T12:00:00Z'),
      4,
    );
    expect(iso(runs)).toEqual([
      '2026-03-28T07:00:00.000Z',
      '2026-03-29T06:00:00.000Z',
      '2026-03-30T06:00:00.000Z',
      '2026-03-31T06:00:00.000Z',
    ]);
    expect(runs.map((r) => wallClock(r, 'Europe/London'))).toEqual([
      'Sat 2026-03-28 07:00 GMT+0',
      'Sun 2026-03-29 07:00 GMT+1',
      'Mon 2026-03-30 07:00 GMT+1',
      'Tue 2026-03-31 07:00 GMT+1',
    ]);
  });

  it('shows the same run in another zone whose clocks change on another date (America/New_York)', () => {
    const [first, second] = upcomingRuns(
      { cron: '0 7 * * 1', timezone: 'Europe/London' },
      new Date('2027-03-01T00:00:00Z'),
      5,
    ).slice(1, 3);
    // New York moves on 14 March, London on 28 March: for two weeks the gap is four hours, not five.
    expect(wallClock(first as Date, 'America/New_York')).toBe('Mon 2027-03-08 02:00 GMT-5');
    expect(wallClock(second as Date, 'America/New_York')).toBe('Mon 2027-03-15 03:00 GMT-4');
  });

  it('runs a time that happens twice when the clocks go back once, at its first occurrence', () => {
    const runs = upcomingRuns(
      { cron: '30 1 * * *', timezone: 'Europe/London' },
      new Date('2026-10-24T12:00:00Z'),
      2,
    );
    expect(iso(runs)).toEqual(['2026-10-25T00:30:00.000Z', '2026-10-26T01:30:00.000Z']);
  });
});

describe('the run a firing belongs to', () => {
  const twiceDaily = { cron: '0 7,19 * * *', timezone: 'Europe/Berlin' };

  it('is the latest run at or before the firing, even when the scheduler is late', () => {
    expect(scheduledRunAt(twiceDaily, new Date('2026-12-07T06:00:00.300Z'))?.toISOString()).toBe(
      '2026-12-07T06:00:00.000Z',
    );
    expect(scheduledRunAt(twiceDaily, new Date('2026-12-07T18:02:10Z'))?.toISOString()).toBe(
      '2026-12-07T18:00:00.000Z',
    );
  });

  it('gives each run of the day its own local slot and issue id', () => {
    const morning = runSlot(new Date('2026-12-07T06:00:00Z'), 'Europe/Berlin');
    const evening = runSlot(new Date('2026-12-07T18:00:00Z'), 'Europe/Berlin');
    expect(morning).toEqual({ date: '2026-12-07', slot: '2026-12-07T0700' });
    expect(evening).toEqual({ date: '2026-12-07', slot: '2026-12-07T1900' });
    expect(scheduledIssueId('digest', morning.slot)).toBe('digest-2026-12-07T0700');
    expect(issueIdSchema.safeParse('digest-2026-12-07T0700').success).toBe(true);
    expect(issueIdSchema.safeParse('digest-2026-12-07t0700').success).toBe(true);
    expect(issueIdSchema.safeParse('digest-T0700').success).toBe(false);
    expect(issueIdSchema.safeParse('Digest-2026-12-07').success).toBe(false);
  });

  it('dates a late-evening run by the digest’s zone, not UTC', () => {
    expect(runSlot(new Date('2026-12-07T23:30:00Z'), 'Europe/Berlin').slot).toBe('2026-12-08T0030');
  });
});

describe('crons EventBridge Scheduler cannot run', () => {
  it('refuses a cron that restricts both the day of the month and the day of the week, saying why', () => {
    const result = toEventBridgeCron('0 7 1 * 1');
    expect(result).toEqual({ ok: false, reason: expect.stringContaining('restrict only one of the two') });
  });

  it('names the digest, its path in digests.yaml and the reason', () => {
    const digests = [
      { id: 'fine', title: 'Fine', schedule: { cron: '0 7 * * 1', timezone: 'Europe/London' } },
      { id: 'both-days', title: 'Both', schedule: { cron: '0 7 1 * 1', timezone: 'Europe/London' } },
    ];
    expect(eventBridgeProblems(digests)).toEqual([
      {
        file: 'digests.yaml',
        severity: 'error',
        message: expect.stringMatching(
          /^digests\[1\]\.schedule\.cron \(both-days\): EventBridge Scheduler cannot run "0 7 1 \* 1": .*restrict only one/,
        ),
      },
    ]);
    const report = scheduleReport(digests, new Date('2026-12-07T00:00:00Z'), 'UTC');
    expect(report[0]?.eventBridge).toEqual({ ok: true, expression: 'cron(0 7 ? * 2 *)' });
    expect(report[1]?.eventBridge.ok).toBe(false);
  });
});
