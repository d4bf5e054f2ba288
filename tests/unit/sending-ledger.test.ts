import { describe, expect, it } from 'vitest';
import { type DeliveryRecord, judgeExisting, tallyOf } from '../../functions/core/sending/ledger.ts';

const record = (status: DeliveryRecord['status'], claimedAt = 1_000): DeliveryRecord => ({
  issueId: 'w-2026-11-23',
  recipientKey: 's:abc',
  status,
  claimId: 'claim-1',
  claimedAt,
  attempts: 1,
  messageId: null,
  reason: null,
  updatedAt: claimedAt,
});

describe('judging a delivery someone else has a record of', () => {
  it('counts finished deliveries and never sends them again', () => {
    for (const status of ['sent', 'rejected', 'skipped', 'unknown'] as const) {
      expect(judgeExisting(record(status), 10_000_000, 60_000)).toEqual({ kind: 'final', outcome: status });
    }
  });

  it('leaves a fresh claim to its sender', () => {
    expect(judgeExisting(record('sending', 1_000), 1_000 + 59_999, 60_000)).toEqual({ kind: 'in-progress' });
  });

  it('judges a claim nobody finished in time stale: outcome unknown, not to be re-sent', () => {
    expect(judgeExisting(record('sending', 1_000), 1_000 + 60_000, 60_000)).toEqual({
      kind: 'stale',
      claimId: 'claim-1',
    });
  });

  it('lets a released claim (SES said "not now") be claimed again', () => {
    expect(judgeExisting(record('released'), 2_000, 60_000)).toEqual({ kind: 'claimable' });
  });
});

describe('the tally of a batch', () => {
  it('counts every outcome and names the recipients to look at', () => {
    const tally = tallyOf(
      'p0-m1',
      new Map([
        ['s:a', 'sent'],
        ['s:b', 'sent'],
        ['s:c', 'rejected'],
        ['s:d', 'skipped'],
        ['s:e', 'unknown'],
        ['s:f', 'failed'],
      ] as const),
    );
    expect(tally).toEqual({
      batchId: 'p0-m1',
      sent: 2,
      rejected: 1,
      skipped: 1,
      unknown: 1,
      failed: 1,
      unknownKeys: ['s:e'],
      rejectedKeys: ['s:c'],
    });
  });
});
