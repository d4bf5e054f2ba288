import type { DigestConfig } from '../content/config.ts';
import type { SiteConfig } from '../content/site.ts';
import type { Digest } from '../digest/model.ts';
import type { IssueTemplate } from '../render/issue-template.ts';
import type { Recipient, RecipientBatch } from './fan-out.ts';
import type { IssueCounts, IssueRecord, IssueStatus } from './issue.ts';
import type { IssueEmail } from './issue-email.ts';
import type { BatchTally, DeliveryRecord } from './ledger.ts';

/** Where an issue is while its recipients are enqueued, so a crashed build can resume there. */
export interface EnqueueProgress {
  /** Pages of subscribers enqueued so far. */
  pagesEnqueued: number;
  /** Where the next page starts (the subscriber store's cursor), `null` before the first page. */
  cursor: string | null;
  /** Until when (ms since epoch) the builder that holds the issue may work on it undisturbed. */
  leaseUntil: number;
}

export type StoredIssue = IssueRecord & { progress: EnqueueProgress };

export type OutcomeTotals = Pick<
  IssueCounts,
  'batchesDone' | 'sent' | 'rejected' | 'skipped' | 'unknown' | 'failed'
>;

/** An issue in the public archive (index page and feed). */
export interface ArchivedIssue {
  issueId: string;
  digestId: string;
  /** The digest's title. */
  title: string;
  subject: string;
  issueDate: string;
  /** The issue's archive page. */
  url: string;
  /** The preheader (records from before it was kept have none). */
  summary?: string | undefined;
  /** Its stories' headlines, in order. */
  headlines?: string[] | undefined;
  /** When it went out: the instant it moved to sending (ISO 8601). */
  sentAt?: string | undefined;
}

/** One page of recipients as enqueued: how many, in how many batches, and where the next page starts. */
export interface PageRecord {
  pageIndex: number;
  recipients: number;
  batches: number;
  nextCursor: string | null;
  leaseUntil: number;
  now: Date;
}

/**
 * Issue records as their state moves on (DynamoDB `issues` table on AWS): created, built, enqueued,
 * counted, sent. Conditional single-item writes only.
 */
export interface IssueStore {
  /** Creates the record; `false` when an issue with that id exists already. */
  create(issue: StoredIssue): Promise<boolean>;
  get(issueId: string): Promise<StoredIssue | null>;
  /** Moves the status on if it is still `from`; `false` when it was not. */
  transition(
    issueId: string,
    from: IssueStatus,
    to: IssueStatus,
    changes?: { subject?: string; articleIds?: string[]; reason?: string; now: Date },
  ): Promise<boolean>;
  releaseLease(issueId: string): Promise<void>;
  /**
   * Takes over an issue that is `building` or `sending` (whatever its enqueue state) when its lease ran
   * out before `leaseExpiredBefore` and nothing moved since `quietBefore` (ISO time; `null`: whatever
   * moved, an operator's resume); sets the lease to `leaseUntil` and `updatedAt` to now, so nobody else
   * resumes it meanwhile. `null` when it is not stalled (finished, held, or moving).
   */
  takeOver(
    issueId: string,
    options: { now: Date; leaseUntil: number; leaseExpiredBefore: number; quietBefore: string | null },
  ): Promise<StoredIssue | null>;
  /**
   * Records one enqueued page if it is the next one (`pageIndex === pagesEnqueued`) and extends the
   * lease; `false` when another builder got there first.
   */
  recordPage(issueId: string, page: PageRecord): Promise<boolean>;
  /** Says that every recipient is enqueued; returns the record as it is now. */
  completeEnqueue(issueId: string, now: Date): Promise<StoredIssue>;
  /** Adds a batch's final outcomes to the counts (once per batch: the ledger's tally decides). */
  addTally(issueId: string, tally: BatchTally, now: Date): Promise<StoredIssue>;
  /**
   * Sets the outcome counts to `totals` if no batch was counted since `seenBatchesDone` (repairs a
   * count lost between a tally and its addition; see reconcile.ts).
   */
  replaceCounts(issueId: string, totals: OutcomeTotals, seenBatchesDone: number, now: Date): Promise<boolean>;
  /** `sending → sent` when every batch is done and nothing more will be enqueued. */
  markSentIfComplete(issueId: string, now: Date): Promise<boolean>;
}

/** The issues as the operator reads them (the CLI, the console) and a resume sweep looks for them. */
export interface IssueQueries {
  get(issueId: string): Promise<IssueRecord | null>;
  /** Newest first; of one digest or of all. */
  listRecent(options: { digestId?: string; limit: number }): Promise<IssueRecord[]>;
}

/** The public archive's list of issues, from which its index pages and feeds are made. */
export interface ArchiveIndex {
  /** Adds (idempotently) an issue to the list. */
  recordArchived(entry: ArchivedIssue): Promise<void>;
  /** Every archived issue, newest first. */
  listArchived(): Promise<ArchivedIssue[]>;
}

/**
 * One issue per digest at a time: a lock per digest naming the issue that holds it (DynamoDB: one
 * item per digest, conditional single-item writes). The lock is never released: it is taken over
 * once its issue is final, or, if that issue was never created, once `expiresAt` has passed.
 */
export interface DigestLock {
  digestId: string;
  issueId: string;
  /** ms since epoch. */
  takenAt: number;
  /** Until when a holder that does not exist yet (being created) keeps the lock. */
  expiresAt: number;
}

export interface DigestLocks {
  get(digestId: string): Promise<DigestLock | null>;
  /** Takes the lock if nobody holds it (`replacing` null) or it still names `replacing`; `false` otherwise. */
  take(lock: DigestLock, replacing: string | null): Promise<boolean>;
  /** Every digest's lock (there are few digests). */
  list(): Promise<DigestLock[]>;
}

/**
 * One page of an issue's recipients as it was enqueued, recorded before its messages are, so a
 * resumed issue re-creates exactly the same queue messages (same batch ids, same recipients).
 */
export interface EnqueuedPage {
  pageIndex: number;
  recipients: Recipient[];
  /** Where the page after it starts; `null` for the last. */
  nextCursor: string | null;
}

export interface EnqueuedPages {
  /** Records the page unless one with that index is recorded; returns the page as recorded. */
  putIfAbsent(issueId: string, page: EnqueuedPage, nowMs: number): Promise<EnqueuedPage>;
  /** Every recorded page of an issue, in page order. */
  list(issueId: string): Promise<EnqueuedPage[]>;
}

export type ClaimResult = { claimed: true } | { claimed: false; existing: DeliveryRecord };

export type RecordedTally = BatchTally & { recordedAt: number };

export type ClaimOutcome =
  | { status: 'sent'; messageId: string }
  | { status: 'rejected' | 'skipped' | 'released'; reason: string };

/** One record per (issue, recipient) (DynamoDB `deliveries` table on AWS); see ledger.ts. */
export interface DeliveryLedger {
  /** Takes the claim if there is no record or the record was released. */
  claim(issueId: string, recipientKey: string, claimId: string, nowMs: number): Promise<ClaimResult>;
  /** Moves our own claim on; `false` when the claim is no longer ours (it went stale and was judged). */
  settle(
    issueId: string,
    recipientKey: string,
    claimId: string,
    outcome: ClaimOutcome,
    nowMs: number,
  ): Promise<boolean>;
  /**
   * Turns a `sending` claim into `unknown`: a stale one, or one's own after SES gave no answer;
   * `false` when the claim is no longer `sending` under that id (settled or judged meanwhile).
   */
  markUnknown(issueId: string, recipientKey: string, staleClaimId: string, nowMs: number): Promise<boolean>;
  get(issueId: string, recipientKey: string): Promise<DeliveryRecord | null>;
  /** Stores a batch's tally; `false` when it was stored before (the batch was counted already). */
  recordTally(issueId: string, tally: BatchTally, nowMs: number): Promise<boolean>;
  tallies(issueId: string): Promise<RecordedTally[]>;
}

/** The send queue (SQS on AWS). */
export interface RecipientQueue {
  /** Enqueues messages (any number; sent in calls of 10); throws when some could not be enqueued. */
  enqueue(batches: readonly RecipientBatch[]): Promise<void>;
}

/** Rendered issues and the public archive (S3 on AWS). */
export interface IssueArchive {
  /** The issue's email as rendered once, with per-recipient slots, and the digest it was made from. */
  putIssue(issueId: string, parts: { email: IssueEmail; digestJson: string }): Promise<void>;
  loadEmail(issueId: string): Promise<IssueEmail | null>;
  /** A public archive file (issue page, index, feed), at `path` below the archive root. */
  putPublic(path: string, body: string, contentType: string): Promise<void>;
}

export interface SendQuota {
  /** Messages per second the account may send. */
  maxSendRate: number;
  max24HourSend: number;
  sentLast24Hours: number;
  sendingEnabled: boolean;
}

/** The SES account's limits (GetAccount on AWS), cached by the adapter. */
export interface AccountLimits {
  sendQuota(): Promise<SendQuota>;
}

/** A public file of the archive, at `<archive>/<path>`. */
export interface PublicFile {
  path: string;
  body: string;
  contentType: string;
}

/** Renders an issue's parts; MJML lives behind this, in the build-issue function only. */
export interface IssueRenderer {
  email(digest: Digest, digestConfig: DigestConfig, archiveUrl: string): Promise<IssueTemplate>;
  archivePage(digest: Digest, digestConfig: DigestConfig): Promise<string>;
  /** The archive's index pages and Atom feeds (all issues, and each digest's), in the brand. */
  archiveFiles(entries: readonly ArchivedIssue[], site: SiteConfig): PublicFile[];
}
