import type { DigestConfig } from '../content/config.ts';
import type { SiteConfig } from '../content/site.ts';
import type { Digest } from '../digest/model.ts';
import { BroadsheetError } from '../errors.ts';
import type { MetricsSink } from '../ports.ts';
import { DEFAULT_TRACKING, trackTemplate } from '../tracking/links.ts';
import type { Urls } from '../urls.ts';
import { planBatches, type Recipient, SUBSCRIBER_PAGE_SIZE } from './fan-out.ts';
import { type IssueRecord, isComplete } from './issue.ts';
import type { IssueBuilderDeps } from './issue-builder.ts';
import { issueEmailFor } from './issue-email.ts';
import type { EnqueuedPage, StoredIssue } from './ports.ts';

/** What a builder needs to carry one issue on: the digest's config and how to make its digest. */
export interface BuildContext {
  digestConfig: DigestConfig;
  /** The brand (site.yaml): the archive's pages and feeds are in it. */
  site: SiteConfig;
  makeDigest: () => Promise<Digest>;
  /** The operator's test addresses; `null` when resuming a test issue (its recorded page has them). */
  testEmails: string[] | null;
  leaseMs: number;
  metrics: MetricsSink;
}

export function archivePagePath(issueId: string): string {
  return `issues/${issueId}.html`;
}

export function archiveUrl(base: Urls['archiveBaseUrl'], path: string): string {
  return `${base}/${path}`;
}

export function withoutProgress(issue: StoredIssue): IssueRecord {
  const { progress: _progress, ...record } = issue;
  return record;
}

export async function mustGet(issueId: string, deps: Pick<IssueBuilderDeps, 'issues'>): Promise<StoredIssue> {
  const issue = await deps.issues.get(issueId);
  if (issue === null) throw new Error(`issue ${issueId} vanished`);
  return issue;
}

/** Carries an issue we hold the lease of from where it is to fully enqueued. */
export async function runBuilder(
  issue: StoredIssue,
  context: BuildContext,
  deps: IssueBuilderDeps,
): Promise<IssueRecord> {
  try {
    if (issue.status === 'building') {
      const built = await build(issue, context, deps);
      if (built === 'skipped' || built === 'failed')
        return withoutProgress(await mustGet(issue.issueId, deps));
    }
    await enqueueRecipients(await mustGet(issue.issueId, deps), context, deps);
    return withoutProgress(await mustGet(issue.issueId, deps));
  } catch (error) {
    // Let the next call (a scheduler retry, the operator) resume at once rather than after the lease.
    await deps.issues.releaseLease(issue.issueId).catch(() => undefined);
    throw error;
  }
}

/**
 * Builds the digest, renders it once and stores every part (the email first: no queue message exists
 * before it) before the issue moves to `sending`.
 */
async function build(
  issue: StoredIssue,
  context: BuildContext,
  deps: IssueBuilderDeps,
): Promise<'sending' | 'skipped' | 'failed'> {
  const { digestConfig } = context;
  let digest: Digest;
  let pageUrl: string;
  let email: ReturnType<typeof issueEmailFor>;
  let page: string;
  try {
    digest = await context.makeDigest();
    if (digest.status !== 'ready') {
      const reason =
        digest.status === 'no-match'
          ? "new articles, none on the digest's themes"
          : 'nothing new since the last issue';
      await deps.issues.transition(issue.issueId, 'building', 'skipped', { reason, now: deps.clock.now() });
      deps.log.info(`issue skipped: ${reason}`, { issueId: issue.issueId, digestId: issue.digestId });
      context.metrics.count('IssuesSkipped', 1, { digestId: issue.digestId });
      return 'skipped';
    }
    pageUrl = archiveUrl(deps.archiveBaseUrl, archivePagePath(issue.issueId));
    const rendered = await deps.renderer.email(digest, digestConfig, pageUrl);
    const config = digestConfig.tracking ?? DEFAULT_TRACKING;
    const { template, links } = trackTemplate(rendered, digest, config);
    email = issueEmailFor(template, digestConfig, { test: issue.test, tracking: { config, links } });
    page = await deps.renderer.archivePage(digest, digestConfig);
  } catch (error) {
    if (!(error instanceof BroadsheetError)) throw error;
    // Content or templates that cannot make this issue: retrying would fail the same way.
    const reason = `cannot build the issue: ${error.message}`;
    await deps.issues.transition(issue.issueId, 'building', 'failed', { reason, now: deps.clock.now() });
    deps.log.error(reason, { issueId: issue.issueId, digestId: issue.digestId, error: error.name });
    context.metrics.count('IssuesFailed', 1, { digestId: issue.digestId });
    return 'failed';
  }
  await deps.archive.putIssue(issue.issueId, { email, digestJson: `${JSON.stringify(digest, null, 2)}\n` });
  await deps.archive.putPublic(archivePagePath(issue.issueId), page, 'text/html; charset=utf-8');
  if (!issue.test) {
    await deps.archiveIndex.recordArchived({
      issueId: issue.issueId,
      digestId: digestConfig.id,
      title: digestConfig.title,
      subject: email.template.subject,
      issueDate: digest.issueDate,
      url: pageUrl,
      summary: digest.preheader,
      headlines: digest.sections.flatMap((section) => section.stories.map((story) => story.headline)),
      sentAt: deps.clock.now().toISOString(),
    });
    const entries = await deps.archiveIndex.listArchived();
    for (const file of deps.renderer.archiveFiles(entries, context.site)) {
      await deps.archive.putPublic(file.path, file.body, file.contentType);
    }
  }
  const moved = await deps.issues.transition(issue.issueId, 'building', 'sending', {
    subject: email.template.subject,
    articleIds: digest.articleIds,
    now: deps.clock.now(),
  });
  if (!moved) throw new Error(`issue ${issue.issueId} left "building" while this builder held it`);
  return 'sending';
}

/** The next page of recipients as it will be enqueued: recorded first, so a resume repeats it exactly. */
async function nextPage(
  issue: StoredIssue,
  pageIndex: number,
  cursor: string | null,
  context: BuildContext,
  deps: IssueBuilderDeps,
): Promise<EnqueuedPage | null> {
  const nowMs = deps.clock.now().getTime();
  if (issue.test) {
    if (context.testEmails === null) {
      const recorded = await deps.pages.list(issue.issueId);
      return recorded.find((p) => p.pageIndex === pageIndex) ?? null;
    }
    const recipients: Recipient[] = [];
    for (const email of context.testEmails) {
      const subscriber = await deps.subscribers.findByEmail(email);
      recipients.push({
        kind: 'test',
        email,
        ...(subscriber?.status === 'confirmed' ? { subscriberId: subscriber.id } : {}),
      });
    }
    return deps.pages.putIfAbsent(issue.issueId, { pageIndex, recipients, nextCursor: null }, nowMs);
  }
  const fresh = await deps.subscribers.pageConfirmed(issue.digestId, {
    limit: SUBSCRIBER_PAGE_SIZE,
    ...(cursor === null ? {} : { cursor }),
  });
  const recipients: Recipient[] = fresh.subscribers.map((s) => ({ kind: 'subscriber', subscriberId: s.id }));
  return deps.pages.putIfAbsent(
    issue.issueId,
    { pageIndex, recipients, nextCursor: fresh.cursor ?? null },
    nowMs,
  );
}

async function enqueueRecipients(
  issue: StoredIssue,
  context: BuildContext,
  deps: IssueBuilderDeps,
): Promise<void> {
  if (issue.status !== 'sending' || issue.enqueueComplete) return;
  let pageIndex = issue.progress.pagesEnqueued;
  let cursor = issue.progress.cursor;
  const leaseUntil = () => deps.clock.now().getTime() + context.leaseMs;
  // A test issue is one page; a resumed one whose page was never recorded has no one left to send to.
  while (!(issue.test && pageIndex > 0)) {
    const page = await nextPage(issue, pageIndex, cursor, context, deps);
    if (page === null) break;
    const batches = planBatches(issue, pageIndex, page.recipients);
    if (batches.length > 0) {
      await deps.queue.enqueue(batches);
      context.metrics.count('RecipientsEnqueued', page.recipients.length, { digestId: issue.digestId });
      context.metrics.count('BatchesEnqueued', batches.length, { digestId: issue.digestId });
    }
    const recorded = await deps.issues.recordPage(issue.issueId, {
      pageIndex,
      recipients: page.recipients.length,
      batches: batches.length,
      nextCursor: page.nextCursor,
      leaseUntil: leaseUntil(),
      now: deps.clock.now(),
    });
    // Another builder took over this issue (our lease ran out): it carries on from its own position.
    if (!recorded) return;
    pageIndex++;
    cursor = page.nextCursor;
    if (page.nextCursor === null) break;
  }
  const completed = await deps.issues.completeEnqueue(issue.issueId, deps.clock.now());
  deps.log.info('issue enqueued', {
    issueId: issue.issueId,
    digestId: issue.digestId,
    counts: completed.counts,
  });
  if (isComplete(completed)) await deps.issues.markSentIfComplete(issue.issueId, deps.clock.now());
}
