import { describe, expect, it } from 'vitest';
import {
  canTransition,
  emptyCounts,
  type IssueStatus,
  isComplete,
  isFinal,
  issueIdFor,
  issueStatuses,
  scheduledDateIn,
} from '../../functions/core/sending/issue.ts';

describe('the scheduled date of an issue', () => {
  it('is the calendar date in the digest’s time zone, not in UTC', () => {
    const lateSunday = new Date('2026-11-22T23:30:00Z');
    expect(scheduledDateIn(lateSunday, 'Europe/Berlin')).toBe('2026-11-23');
    expect(scheduledDateIn(lateSunday, 'Europe/London')).toBe('2026-11-22');
    expect(scheduledDateIn(lateSunday, 'America/New_York')).toBe('2026-11-22');
    expect(scheduledDateIn(new Date('2026-11-23T04:59:00Z'), 'America/New_York')).toBe('2026-11-22');
    expect(scheduledDateIn(new Date('2026-11-23T05:00:00Z'), 'America/New_York')).toBe('2026-11-23');
  });

  it('follows daylight saving time', () => {
    // 00:30 in London on the first day of summer time is 23:30 UTC the day before.
    expect(scheduledDateIn(new Date('2026-03-28T23:30:00Z'), 'Europe/London')).toBe('2026-03-28');
    expect(scheduledDateIn(new Date('2026-03-29T23:30:00Z'), 'Europe/London')).toBe('2026-03-30');
  });
});

describe('issue ids', () => {
  it('are the digest and the scheduled date, so the same day always gives the same id', () => {
    expect(issueIdFor('weekly-diplomacy', '2026-11-23')).toBe('weekly-diplomacy-2026-11-23');
    expect(issueIdFor('weekly-diplomacy', '2026-11-23')).toBe(issueIdFor('weekly-diplomacy', '2026-11-23'));
  });

  it('name forced and test issues apart from the scheduled one', () => {
    expect(issueIdFor('weekly', '2026-11-23', { kind: 'force', n: 1 })).toBe('weekly-2026-11-23-2');
    expect(issueIdFor('weekly', '2026-11-23', { kind: 'force', n: 2 })).toBe('weekly-2026-11-23-3');
    expect(issueIdFor('weekly', '2026-11-23', { kind: 'test', n: 1 })).toBe('weekly-2026-11-23-test-1');
  });
});

describe('the issue status machine', () => {
  const allowed: [IssueStatus, IssueStatus][] = [
    ['building', 'sending'],
    ['building', 'skipped'],
    ['building', 'failed'],
    ['sending', 'sent'],
    ['sending', 'failed'],
  ];

  it('allows exactly building → sending → sent | failed and building → skipped | failed', () => {
    for (const from of issueStatuses) {
      for (const to of issueStatuses) {
        const expected = allowed.some(([a, b]) => a === from && b === to);
        expect(canTransition(from, to), `${from} → ${to}`).toBe(expected);
      }
    }
  });

  it('ends in sent, failed and skipped', () => {
    expect(issueStatuses.filter(isFinal)).toEqual(['sent', 'failed', 'skipped']);
  });

  it('is complete only when every recipient is enqueued and every batch is done', () => {
    const counts = { ...emptyCounts, batches: 3, batchesDone: 3 };
    expect(isComplete({ enqueueComplete: true, counts })).toBe(true);
    expect(isComplete({ enqueueComplete: false, counts })).toBe(false);
    expect(isComplete({ enqueueComplete: true, counts: { ...counts, batchesDone: 2 } })).toBe(false);
    expect(isComplete({ enqueueComplete: true, counts: emptyCounts })).toBe(true);
  });
});
