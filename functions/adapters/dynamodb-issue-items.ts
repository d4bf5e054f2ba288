import * as z from 'zod';
import { type IssueRecord, issueRecordSchema } from '../core/sending/issue.ts';
import type { StoredIssue } from '../core/sending/ports.ts';

/**
 * The item layout of the `issues` table (see dynamodb-issue-store.ts) and the helpers its adapters share.
 */
export const ISSUE_SK = 'ISSUE';
export const RECENT_PK = 'RECENT';
export const ARCHIVE_PK = 'ARCHIVE';
const COUNT_NAMES = [
  'recipients',
  'batches',
  'batchesDone',
  'sent',
  'rejected',
  'skipped',
  'unknown',
  'failed',
] as const;

export function issueKey(issueId: string) {
  return { pk: `ISSUE#${issueId}`, sk: ISSUE_SK };
}

export function digestIssuesPartition(digestId: string): string {
  return `DIGEST#${digestId}`;
}

const count = z.number().int().nonnegative().default(0);
const issueItemSchema = z.object({
  issueId: z.string(),
  digestId: z.string(),
  scheduledDate: z.string(),
  status: z.string(),
  test: z.boolean(),
  trigger: z.string(),
  mode: z.string().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
  subject: z.string().nullable().default(null),
  articleIds: z.array(z.string()).default([]),
  enqueueComplete: z.boolean().default(false),
  reason: z.string().nullable().default(null),
  recipients: count,
  batches: count,
  batchesDone: count,
  sent: count,
  rejected: count,
  skipped: count,
  unknown: count,
  failed: count,
  pagesEnqueued: count,
  cursor: z.string().nullable().default(null),
  leaseUntil: z.number().default(0),
});

export function fromItem(item: Record<string, unknown>): StoredIssue {
  const raw = issueItemSchema.parse(item);
  const record = issueRecordSchema.parse({
    issueId: raw.issueId,
    digestId: raw.digestId,
    scheduledDate: raw.scheduledDate,
    status: raw.status,
    test: raw.test,
    trigger: raw.trigger,
    ...(raw.mode === undefined ? {} : { mode: raw.mode }),
    createdAt: raw.createdAt,
    updatedAt: raw.updatedAt,
    subject: raw.subject,
    articleIds: raw.articleIds,
    enqueueComplete: raw.enqueueComplete,
    reason: raw.reason,
    counts: Object.fromEntries(COUNT_NAMES.map((name) => [name, raw[name]])),
  });
  return {
    ...record,
    progress: { pagesEnqueued: raw.pagesEnqueued, cursor: raw.cursor, leaseUntil: raw.leaseUntil },
  };
}

export function toItem(issue: StoredIssue): Record<string, unknown> {
  const { counts, progress, ...rest } = issue;
  return {
    ...issueKey(issue.issueId),
    gsi1pk: digestIssuesPartition(issue.digestId),
    gsi1sk: `${issue.createdAt}#${issue.issueId}`,
    ...rest,
    ...counts,
    pagesEnqueued: progress.pagesEnqueued,
    cursor: progress.cursor,
    leaseUntil: progress.leaseUntil,
  };
}

export function withoutProgress(issue: StoredIssue): IssueRecord {
  const { progress: _progress, ...record } = issue;
  return record;
}
