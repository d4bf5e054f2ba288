import * as z from 'zod';
import { issueIdSchema } from './issue.ts';

/** Recipients per queue message: small enough to finish well within one send-batch invocation. */
export const MAX_RECIPIENTS_PER_MESSAGE = 50;
/** SQS SendMessageBatch takes at most 10 entries. */
export const MESSAGES_PER_QUEUE_CALL = 10;
/** Subscribers read per page: exactly one SendMessageBatch call of full messages. */
export const SUBSCRIBER_PAGE_SIZE = MAX_RECIPIENTS_PER_MESSAGE * MESSAGES_PER_QUEUE_CALL;

const recipientSchema = z.discriminatedUnion('kind', [
  /** A subscriber: its address and status are read again right before sending. */
  z.object({ kind: z.literal('subscriber'), subscriberId: z.string().min(1).max(200) }),
  /** An operator's test address: not a subscriber, nothing to look up. */
  z.object({
    kind: z.literal('test'),
    email: z.string().min(3).max(254),
    /** Set when the test address is also a subscriber: its links then work. */
    subscriberId: z.string().min(1).max(200).optional(),
  }),
]);
export type Recipient = z.infer<typeof recipientSchema>;

/**
 * One queue message: who to send one issue to. It never carries the email itself (too large, and
 * rendered once per issue in S3); send-batch loads the issue's template by `issueId`.
 */
export const recipientBatchSchema = z.object({
  v: z.literal(1),
  issueId: issueIdSchema,
  digestId: z.string().min(1),
  /** Deterministic within the issue (page and position), so re-enqueueing a page re-uses the ids. */
  batchId: z.string().regex(/^[a-z0-9-]{1,40}$/),
  recipients: z.array(recipientSchema).min(1).max(MAX_RECIPIENTS_PER_MESSAGE),
});
export type RecipientBatch = z.infer<typeof recipientBatchSchema>;

/** The key of a recipient in the delivery ledger: one ledger record per (issue, recipient key). */
export function recipientKey(recipient: Recipient): string {
  return recipient.kind === 'subscriber'
    ? `s:${recipient.subscriberId}`
    : `t:${recipient.email.toLowerCase()}`;
}

export function chunk<T>(items: readonly T[], size: number): T[][] {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`chunk size must be a positive integer`);
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The queue messages for one page of recipients; `pageIndex` makes the batch ids deterministic. */
export function planBatches(
  issue: { issueId: string; digestId: string },
  pageIndex: number,
  recipients: readonly Recipient[],
): RecipientBatch[] {
  return chunk(recipients, MAX_RECIPIENTS_PER_MESSAGE).map((group, index) => ({
    v: 1,
    issueId: issue.issueId,
    digestId: issue.digestId,
    batchId: `p${pageIndex}-m${index}`,
    recipients: group,
  }));
}
