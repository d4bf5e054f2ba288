import { loadContent } from '../content/load-content.ts';
import { type IssueRecord, isFinal } from './issue.ts';
import type { IssueBuilderDeps } from './issue-builder.ts';
import { issueDigest } from './issue-digest.ts';
import { issueEmailFor } from './issue-email.ts';
import {
  archivePagePath,
  archiveUrl,
  type BuildContext,
  mustGet,
  runBuilder,
  withoutProgress,
} from './issue-run.ts';
import type { StoredIssue } from './ports.ts';
import { reconcileIssue } from './reconcile.ts';
import { sweep } from './resume-sweep.ts';

/** A claim older than this is judged abandoned: the at-most-once window of send-batch (see ledger.ts). */
export const DEFAULT_STALE_CLAIM_MS = 15 * 60_000;
export const DEFAULT_LEASE_MS = 10 * 60_000;

export interface ResumeOptions {
  /**
   * Every builder and sender that ran before this instant has stopped (a local stack that was killed
   * and started again; an operator who knows): their leases, claims and tallies are judged at once
   * instead of after the lease and the at-most-once window.
   */
  sendersStoppedBefore?: Date;
  /**
   * The operator asked: resume even if the issue moved within the last lease period — or while this
   * very request runs (a sender still finishing a batch must not turn the answer into "held").
   */
  operator?: boolean;
}

export interface ResumeReport {
  /** Queue messages enqueued again: some of their recipients still need a send. */
  batchesRequeued: number;
  /** Messages whose every recipient was settled already: counted from the ledger by the resume. */
  batchesRecounted: number;
  /** Recipients with no ledger record (never attempted) or a released one, in the requeued messages. */
  notAttempted: number;
  /** Claims nobody finished, judged `unknown` now: never re-sent. */
  unknown: string[];
  /** The counts were set again from the batch tallies. */
  countsRepaired: boolean;
  /** Pages enqueued before recovery was recorded: their messages cannot be rebuilt. */
  pagesWithoutRecord: number;
}

export type ResumeOutcome =
  | { kind: 'not-found'; issueId: string }
  /** `sent`, `failed` or `skipped`: nothing to resume. */
  | { kind: 'finished'; issue: IssueRecord }
  /** A builder holds the issue, or it moved within the lease period; `retryAfter` says when to look again. */
  | { kind: 'not-stalled'; issue: IssueRecord; retryAfter: string }
  | { kind: 'resumed'; issue: IssueRecord; report: ResumeReport };

const emptyReport = (): ResumeReport => ({
  batchesRequeued: 0,
  batchesRecounted: 0,
  notAttempted: 0,
  unknown: [],
  countsRepaired: false,
  pagesWithoutRecord: 0,
});

/**
 * When an issue counts as stalled: its lease ran out and nothing moved for a lease period (for an
 * operator, whatever moved: no `quietBefore`).
 */
export function stallLimits(now: Date, leaseMs: number, options: ResumeOptions) {
  const stopped = options.sendersStoppedBefore?.getTime();
  const nowMs = now.getTime();
  return {
    leaseExpiredBefore: Math.max(nowMs, stopped === undefined ? 0 : stopped + leaseMs + 1),
    quietBefore: options.operator
      ? null
      : new Date(Math.max(nowMs - leaseMs, stopped ?? Number.NEGATIVE_INFINITY)).toISOString(),
  };
}

/**
 * Resumes an issue stuck in `building` or `sending` from the ledger, whatever its id: a builder that
 * died is carried on from its last recorded page; then, for every recorded page, each queue message
 * without a tally is judged recipient by recipient — settled ones are left as they are, claims past
 * the at-most-once window (or taken before `sendersStoppedBefore`) become `unknown` (counted, never
 * re-sent), and a message with anyone never attempted is enqueued again (same batch id: the ledger
 * and the tally stop any double send or count). Counts lost between a tally and its addition are
 * repaired from the tallies.
 */
export async function resumeIssue(
  issueId: string,
  deps: IssueBuilderDeps,
  options: ResumeOptions = {},
): Promise<ResumeOutcome> {
  const leaseMs = deps.leaseMs ?? DEFAULT_LEASE_MS;
  const now = deps.clock.now();
  const current = await deps.issues.get(issueId);
  if (current === null) return { kind: 'not-found', issueId };
  if (isFinal(current.status)) return { kind: 'finished', issue: withoutProgress(current) };
  const taken = await deps.issues.takeOver(issueId, {
    now,
    leaseUntil: now.getTime() + leaseMs,
    ...stallLimits(now, leaseMs, options),
  });
  if (taken === null) {
    const seen = await mustGet(issueId, deps);
    if (isFinal(seen.status)) return { kind: 'finished', issue: withoutProgress(seen) };
    const retryAfter = Math.max(seen.progress.leaseUntil, Date.parse(seen.updatedAt) + leaseMs);
    return {
      kind: 'not-stalled',
      issue: withoutProgress(seen),
      retryAfter: new Date(retryAfter).toISOString(),
    };
  }
  deps.log.warn('resuming a stalled issue', {
    issueId,
    digestId: taken.digestId,
    status: taken.status,
    pagesEnqueued: taken.progress.pagesEnqueued,
    enqueueComplete: taken.enqueueComplete,
  });
  const report = emptyReport();
  if (taken.status === 'building' || !taken.enqueueComplete) {
    const built = await builderContext(taken, deps, leaseMs);
    if (typeof built === 'string') {
      await fail(taken, built, deps);
      return { kind: 'resumed', issue: withoutProgress(await mustGet(issueId, deps)), report };
    }
    if (taken.test && (await deps.pages.list(issueId)).length === 0) {
      await fail(
        taken,
        'a test issue cannot be resumed before its addresses were recorded; send the test again',
        deps,
      );
      return { kind: 'resumed', issue: withoutProgress(await mustGet(issueId, deps)), report };
    }
    await runBuilder(taken, built, deps);
  }
  let issue = await mustGet(issueId, deps);
  if (issue.status === 'sending') {
    if ((await deps.archive.loadEmail(issueId)) === null) await restoreEmail(issue, deps);
    const stopped = options.sendersStoppedBefore?.getTime();
    const repaired = await reconcileIssue(issue, deps, stopped === undefined ? {} : { quietBefore: stopped });
    report.countsRepaired = repaired.counts.batchesDone !== issue.counts.batchesDone;
    // Pages this resume enqueued itself are on their way; only the ones recorded before are swept.
    const sweepBelow = taken.status === 'sending' ? taken.progress.pagesEnqueued : 0;
    const swept = await mustGet(issueId, deps);
    await sweep(swept, sweepBelow, deps, options, report);
    // Nothing more to build or enqueue: the lease is no one's. (`updatedAt`, set on taking over,
    // keeps the next sweep away for a lease period; an operator may resume again at once.)
    if (swept.enqueueComplete) await deps.issues.releaseLease(issueId);
    issue = await mustGet(issueId, deps);
  }
  deps.log.warn('stalled issue resumed', {
    issueId,
    status: issue.status,
    ...report,
    unknown: report.unknown.length,
  });
  return { kind: 'resumed', issue: withoutProgress(issue), report };
}

async function fail(issue: StoredIssue, reason: string, deps: IssueBuilderDeps): Promise<void> {
  await deps.issues.transition(issue.issueId, issue.status, 'failed', { reason, now: deps.clock.now() });
  deps.log.error(`issue failed on resume: ${reason}`, { issueId: issue.issueId, digestId: issue.digestId });
}

/** The builder's context for an issue being resumed, or why there can be none. */
async function builderContext(
  issue: StoredIssue,
  deps: IssueBuilderDeps,
  leaseMs: number,
  options: { excludeOwnArticles?: boolean } = {},
): Promise<BuildContext | string> {
  const content = await loadContent(deps.content);
  const config = content.config;
  if (config === null) return 'the content config is invalid (run broadsheet check)';
  const digestConfig = config.digests.find((d) => d.id === issue.digestId);
  if (!digestConfig) return `digest "${issue.digestId}" is no longer in digests.yaml`;
  if (config.site === null) return 'site.yaml is missing or unreadable';
  return {
    digestConfig,
    site: config.site,
    testEmails: null,
    leaseMs,
    metrics: { count: (name, value, dimensions) => deps.metrics?.count(name, value, dimensions) },
    makeDigest: async () => {
      const made = await issueDigest(
        { mode: issue.mode ?? 'next', test: issue.test },
        { articles: content.articles, config, digestConfig, issueDate: issue.scheduledDate },
        deps,
        options.excludeOwnArticles ? issue.articleIds : [],
      );
      return made.digest;
    },
  };
}

/**
 * The stored email is gone (a local bucket lost in a crash): render it again from the same articles.
 * If the content no longer makes the same issue, the issue fails rather than send something else.
 */
async function restoreEmail(issue: StoredIssue, deps: IssueBuilderDeps): Promise<void> {
  const context = await builderContext(issue, deps, deps.leaseMs ?? DEFAULT_LEASE_MS, {
    excludeOwnArticles: true,
  });
  if (typeof context === 'string') return fail(issue, `its stored email is lost and ${context}`, deps);
  const digest = await context.makeDigest();
  const same =
    digest.status === 'ready' &&
    digest.articleIds.length === issue.articleIds.length &&
    digest.articleIds.every((id) => issue.articleIds.includes(id));
  if (!same)
    return fail(issue, 'its stored email is lost and the content no longer makes the same issue', deps);
  const pageUrl = archiveUrl(deps.archiveBaseUrl, archivePagePath(issue.issueId));
  const template = await deps.renderer.email(digest, context.digestConfig, pageUrl);
  const email = issueEmailFor(template, context.digestConfig, { test: issue.test });
  await deps.archive.putIssue(issue.issueId, { email, digestJson: `${JSON.stringify(digest, null, 2)}\n` });
  deps.log.warn('stored email of an issue was lost; rendered again from the same articles', {
    issueId: issue.issueId,
  });
}

export interface StalledSummary {
  /** Issues looked at (building or sending). */
  checked: number;
  resumed: { issueId: string; status: string; report: ResumeReport }[];
  errors: { issueId: string; error: string }[];
}

/**
 * Resumes every stalled issue: the issues holding a digest's lock and the 100 most recent, those in
 * `building` or `sending` whose lease ran out with nothing moving for a lease period (or that were
 * left by senders stopped before `sendersStoppedBefore`). Run on a schedule on AWS and by the local
 * stack when it starts; one failure does not stop the rest.
 */
export async function resumeStalledIssues(
  deps: IssueBuilderDeps,
  options: Pick<ResumeOptions, 'sendersStoppedBefore'> = {},
): Promise<StalledSummary> {
  const ids = new Set<string>();
  for (const lock of await deps.locks.list()) ids.add(lock.issueId);
  for (const issue of await deps.queries.listRecent({ limit: 100 }))
    if (!isFinal(issue.status)) ids.add(issue.issueId);
  const summary: StalledSummary = { checked: 0, resumed: [], errors: [] };
  for (const issueId of ids) {
    try {
      const outcome = await resumeIssue(issueId, deps, options);
      if (outcome.kind === 'not-found' || outcome.kind === 'finished') continue;
      summary.checked++;
      if (outcome.kind === 'resumed')
        summary.resumed.push({ issueId, status: outcome.issue.status, report: outcome.report });
    } catch (error) {
      summary.errors.push({ issueId, error: error instanceof Error ? error.message : String(error) });
      deps.log.error('resuming a stalled issue failed', { issueId, error: String(error) });
    }
  }
  return summary;
}
