import * as z from 'zod';

/**
 * An issue: one edition of a digest, built once and sent to every confirmed subscriber of the digest
 * (or, for a test issue, only to the addresses the operator named).
 *
 * Status machine: `building → sending → sent | failed`, `building → skipped | failed`.
 */
export const issueStatuses = ['building', 'sending', 'sent', 'failed', 'skipped'] as const;
export type IssueStatus = (typeof issueStatuses)[number];

const transitions: Record<IssueStatus, readonly IssueStatus[]> = {
  building: ['sending', 'skipped', 'failed'],
  sending: ['sent', 'failed'],
  sent: [],
  failed: [],
  skipped: [],
};

/**
 * Which articles an issue is made of: `next` leaves out what the digest's earlier issues sent (the
 * issue a schedule sends); `all` takes every article, whatever was sent (a relaunch, new readers).
 */
export const issueModes = ['next', 'all'] as const;
export type IssueMode = (typeof issueModes)[number];

export function canTransition(from: IssueStatus, to: IssueStatus): boolean {
  return transitions[from].includes(to);
}

export function isFinal(status: IssueStatus): boolean {
  return transitions[status].length === 0;
}

/** What happened to the recipients of an issue, as far as the sender knows. */
export const issueCountsSchema = z.object({
  /** Recipients enqueued so far (confirmed subscribers, or test addresses). */
  recipients: z.number().int().nonnegative(),
  /** Queue messages enqueued so far (≤ 50 recipients each). */
  batches: z.number().int().nonnegative(),
  /** Queue messages whose every recipient has a final outcome. */
  batchesDone: z.number().int().nonnegative(),
  sent: z.number().int().nonnegative(),
  /** SES refused the address for good; never retried. */
  rejected: z.number().int().nonnegative(),
  /** Unsubscribed or suppressed between enqueue and send: nothing sent, on purpose. */
  skipped: z.number().int().nonnegative(),
  /**
   * A send was started and its outcome is not known (a crash, or no answer from SES): never re-sent,
   * so the reader got the issue once or not at all; see ledger.ts.
   */
  unknown: z.number().int().nonnegative(),
  /** Not sent because the issue failed (account paused) before their turn. */
  failed: z.number().int().nonnegative(),
});
export type IssueCounts = z.infer<typeof issueCountsSchema>;

export const emptyCounts: IssueCounts = {
  recipients: 0,
  batches: 0,
  batchesDone: 0,
  sent: 0,
  rejected: 0,
  skipped: 0,
  unknown: 0,
  failed: 0,
};

/** Lower-case letters, digits and dashes; a scheduled issue ends in its local time, `…-2026-12-07T0700`. */
export const issueIdSchema = z
  .string()
  .max(121)
  .regex(/^[a-z0-9][a-z0-9-]*(?:-\d{4}-\d{2}-\d{2}T\d{4})?$/, 'not an issue id');

export const issueRecordSchema = z.object({
  issueId: issueIdSchema,
  digestId: z.string().min(1),
  /** The date the issue is for, in the digest's time zone. */
  scheduledDate: z.iso.date(),
  status: z.enum(issueStatuses),
  /** Sent only to the operator's test addresses; never in the archive or the digest's history. */
  test: z.boolean(),
  trigger: z.enum(['schedule', 'operator']),
  /** What the issue was made of (absent on issues from before modes: `next`). */
  mode: z.enum(issueModes).optional(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  subject: z.string().nullable(),
  /** Articles the issue includes (what the next issue treats as already sent). */
  articleIds: z.array(z.string()),
  counts: issueCountsSchema,
  /** Every recipient has been enqueued; the issue is `sent` once every batch is done too. */
  enqueueComplete: z.boolean(),
  /** Why the issue failed or was skipped, for the operator. */
  reason: z.string().nullable(),
});
export type IssueRecord = z.infer<typeof issueRecordSchema>;

/** The issue's date: the calendar date of `instant` in the digest's time zone. */
export function scheduledDateIn(instant: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(instant);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')}`;
}

/**
 * Issue ids are deterministic: digest + scheduled date, so a re-fired schedule or a double click
 * finds the issue that already exists instead of creating a second one.
 * `variant` names the extra issues an operator asks for on purpose: `force` (`…-2`, `…-3`) and
 * test sends (`…-test-1`, `…-test-2`).
 */
export function issueIdFor(
  digestId: string,
  scheduledDate: string,
  variant?: { kind: 'force' | 'test'; n: number },
): string {
  const base = `${digestId}-${scheduledDate}`;
  if (!variant) return base;
  return variant.kind === 'force' ? `${base}-${variant.n + 1}` : `${base}-test-${variant.n}`;
}

/**
 * A scheduled issue's id carries the local date and time of the run it is for (`slot`, e.g.
 * `2026-12-07T0700`), so a cron that fires twice a day makes two issues, and a re-fired run (EventBridge
 * retries, a double delivery) finds the issue it already made.
 */
export function scheduledIssueId(digestId: string, slot: string): string {
  return `${digestId}-${slot}`;
}

/** Whether every enqueued batch is done and nothing more will be enqueued: the issue is sent. */
export function isComplete(record: Pick<IssueRecord, 'enqueueComplete' | 'counts'>): boolean {
  return record.enqueueComplete && record.counts.batchesDone >= record.counts.batches;
}
