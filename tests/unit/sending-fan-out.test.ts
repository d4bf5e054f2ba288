import { describe, expect, it } from 'vitest';
import {
  chunk,
  MAX_RECIPIENTS_PER_MESSAGE,
  MESSAGES_PER_QUEUE_CALL,
  planBatches,
  type Recipient,
  recipientBatchSchema,
  recipientKey,
  SUBSCRIBER_PAGE_SIZE,
} from '../../functions/core/sending/fan-out.ts';

const subscribers = (n: number): Recipient[] =>
  Array.from({ length: n }, (_, i) => ({
    kind: 'subscriber',
    subscriberId: `s${String(i).padStart(4, '0')}`,
  }));

describe('fan-out', () => {
  it('reads a page of subscribers that fills exactly one SendMessageBatch of full messages', () => {
    expect(MAX_RECIPIENTS_PER_MESSAGE).toBe(50);
    expect(MESSAGES_PER_QUEUE_CALL).toBe(10);
    expect(SUBSCRIBER_PAGE_SIZE).toBe(500);
    const batches = planBatches(
      { issueId: 'w-2026-11-23', digestId: 'w' },
      0,
      subscribers(SUBSCRIBER_PAGE_SIZE),
    );
    expect(batches).toHaveLength(MESSAGES_PER_QUEUE_CALL);
    expect(batches.every((b) => b.recipients.length === 50)).toBe(true);
  });

  it('splits into messages of at most 50 recipients, each recipient exactly once, in order', () => {
    const recipients = subscribers(120);
    const batches = planBatches({ issueId: 'w-2026-11-23', digestId: 'w' }, 3, recipients);
    expect(batches.map((b) => b.recipients.length)).toEqual([50, 50, 20]);
    expect(batches.flatMap((b) => b.recipients)).toEqual(recipients);
    expect(batches.map((b) => b.batchId)).toEqual(['p3-m0', 'p3-m1', 'p3-m2']);
    for (const batch of batches) expect(recipientBatchSchema.parse(batch)).toEqual(batch);
  });

  it('gives the same batch ids when a page is enqueued again, so its tallies count once', () => {
    const issue = { issueId: 'w-2026-11-23', digestId: 'w' };
    expect(planBatches(issue, 7, subscribers(60)).map((b) => b.batchId)).toEqual(
      planBatches(issue, 7, subscribers(60)).map((b) => b.batchId),
    );
  });

  it('plans nothing for an empty page', () => {
    expect(planBatches({ issueId: 'w-2026-11-23', digestId: 'w' }, 0, [])).toEqual([]);
  });

  it('refuses messages over 50 recipients or with the rendered email in them', () => {
    const base = { v: 1, issueId: 'w-2026-11-23', digestId: 'w', batchId: 'p0-m0' };
    expect(recipientBatchSchema.safeParse({ ...base, recipients: subscribers(51) }).success).toBe(false);
    expect(recipientBatchSchema.safeParse({ ...base, recipients: [] }).success).toBe(false);
    const parsed = recipientBatchSchema.parse({ ...base, recipients: subscribers(1), html: '<p>x</p>' });
    expect(parsed).not.toHaveProperty('html');
  });

  it('keys the ledger by subscriber, and test addresses apart from subscribers, case-insensitively', () => {
    expect(recipientKey({ kind: 'subscriber', subscriberId: 'abc' })).toBe('s:abc');
    expect(recipientKey({ kind: 'test', email: 'Editor@Example.com' })).toBe('t:editor@example.com');
  });

  it('chunks any list', () => {
    expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(() => chunk([1], 0)).toThrow(RangeError);
  });
});
