import type { Article } from '../content/article.ts';
import type { ContentConfig, DigestConfig } from '../content/config.ts';
import { loadContent } from '../content/load-content.ts';
import { buildDigest } from '../digest/build-digest.ts';
import type { Digest } from '../digest/model.ts';
import { BroadsheetError, type Problem } from '../errors.ts';
import { type Clock, type ContentSource, type IssueHistory, type MetricsSink, noMetrics } from '../ports.ts';
import type { IssueTemplate } from '../render/issue-template.ts';
import { normaliseEmail } from '../subscribers/email.ts';
import type { SubscriberStore } from '../subscribers/ports.ts';
import type { SendLog } from './deliver.ts';
import { MAX_RECIPIENTS_PER_MESSAGE, planBatches, type Recipient, SUBSCRIBER_PAGE_SIZE } from './fan-out.ts';
import { emptyCounts, type IssueRecord, isComplete, issueIdFor, scheduledDateIn } from './issue.ts';
import { issueEmailFor } from './issue-email.ts';
import type { ArchivedIssue, IssueArchive, IssueStore, RecipientQueue, StoredIssue } from './ports.ts';

/** Renders an issue's parts; MJML lives behind this, in the build-issue function only. */
export interface IssueRenderer {
  email(digest: Digest, digestConfig: DigestConfig, archiveUrl: string): Promise<IssueTemplate>;
  archivePage(digest: Digest, digestConfig: DigestConfig): Promise<string>;
  archiveIndex(entries: readonly ArchivedIssue[]): string;
  feed(entries: readonly ArchivedIssue[]): string;
}

export interface DigestInput {
  articles: readonly Article[];
  config: ContentConfig;
  digestConfig: DigestConfig;
  issueDate: string;
  sentArticleIds: ReadonlySet<string>;
}

/** The digest engine as an issue uses it: only articles its digest has not sent yet. */
export function digestForIssue(input: DigestInput): Digest {
  return buildDigest({
    articles: input.articles,
    themes: input.config.themes,
    digest: input.digestConfig,
    issueDate: input.issueDate,
    sentArticleIds: input.sentArticleIds,
    includeAll: false,
  });
}

export interface IssueBuilderDeps {
  content: ContentSource;
  history: IssueHistory;
  buildDigest(input: DigestInput): Digest | Promise<Digest>;
  renderer: IssueRenderer;
  issues: IssueStore;
  archive: IssueArchive;
  queue: RecipientQueue;
  subscribers: Pick<SubscriberStore, 'pageConfirmed' | 'findByEmail'>;
  clock: Clock;
  log: SendLog;
  /**
   * IssuesStarted, TestSends, DryRuns, IssuesSkipped, IssuesFailed, RecipientsEnqueued, BatchesEnqueued,
   * each also by digest. None when not given.
   */
  metrics?: MetricsSink;
  /** ARCHIVE_BASE_URL: public pages are at `<archiveBaseUrl>/<path>`. */
  archiveBaseUrl: string;
  /** How long a builder may hold an issue undisturbed before another may resume it (default 10 min). */
  leaseMs?: number;
}

export interface IssueRequest {
  digestId: string;
  trigger: 'schedule' | 'operator';
  dryRun?: boolean;
  /** Send only to these addresses, as a test issue. */
  testRecipients?: readonly string[];
  /** Make a new issue even if today's exists. */
  force?: boolean;
}

export type IssueOutcome =
  | { kind: 'invalid-content'; problems: Problem[] }
  | { kind: 'unknown-digest'; digestId: string; known: string[] }
  | { kind: 'invalid-request'; message: string }
  | {
      kind: 'dry-run';
      issueId: string;
      digestStatus: Digest['status'];
      subject: string | null;
      articleIds: string[];
      recipients: number;
    }
  /** A new issue; `skipped` when there was nothing new. */
  | { kind: 'created'; issue: IssueRecord }
  /** The issue existed already (re-fired schedule, double click); `resumed` when this call finished it. */
  | { kind: 'existing'; issue: IssueRecord; resumed: boolean };

export const MAX_TEST_RECIPIENTS = MAX_RECIPIENTS_PER_MESSAGE;
const MAX_VARIANTS = 100;

/** Building the digest or rendering it failed for a reason a retry cannot fix. */
export class IssueBuildError extends BroadsheetError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'IssueBuildError';
  }
}

export function archivePagePath(issueId: string): string {
  return `issues/${issueId}.html`;
}

function archiveUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path}`;
}

function testAddresses(
  input: readonly string[],
): { ok: true; emails: string[] } | { ok: false; message: string } {
  if (input.length === 0 || input.length > MAX_TEST_RECIPIENTS) {
    return { ok: false, message: `testRecipients must hold 1 to ${MAX_TEST_RECIPIENTS} addresses` };
  }
  const emails = new Map<string, string>();
  for (const raw of input) {
    const result = normaliseEmail(raw);
    if (!result.ok) return { ok: false, message: `testRecipients: ${result.message}` };
    emails.set(result.email.toLowerCase(), result.email);
  }
  return { ok: true, emails: [...emails.values()] };
}

function withoutProgress(issue: StoredIssue): IssueRecord {
  const { progress: _progress, ...record } = issue;
  return record;
}

/**
 * build-issue: from a digest id to an issue on its way. Renders once, stores the parts, records the
 * issue, then pages through the confirmed subscribers and enqueues batches of ≤ 50. Idempotent by
 * issue id; a builder that died half-way is resumed by the next call once its lease has run out.
 */
export async function startIssue(request: IssueRequest, deps: IssueBuilderDeps): Promise<IssueOutcome> {
  const leaseMs = deps.leaseMs ?? 10 * 60_000;
  const content = await loadContent(deps.content);
  if (content.config === null) {
    return { kind: 'invalid-content', problems: content.problems.filter((p) => p.severity === 'error') };
  }
  const config = content.config;
  const digestConfig = config.digests.find((d) => d.id === request.digestId);
  if (!digestConfig) {
    return { kind: 'unknown-digest', digestId: request.digestId, known: config.digests.map((d) => d.id) };
  }
  const test = request.testRecipients !== undefined;
  let testEmails: string[] = [];
  if (request.testRecipients !== undefined) {
    const checked = testAddresses(request.testRecipients);
    if (!checked.ok) return { kind: 'invalid-request', message: checked.message };
    testEmails = checked.emails;
  }
  const now = deps.clock.now();
  const scheduledDate = scheduledDateIn(now, digestConfig.schedule.timezone);
  const makeDigest = async () =>
    deps.buildDigest({
      articles: content.articles,
      config,
      digestConfig,
      issueDate: scheduledDate,
      sentArticleIds: await deps.history.sentArticleIds(digestConfig.id),
    });

  const metrics = deps.metrics ?? noMetrics;
  const byDigest = { digestId: digestConfig.id };
  if (request.dryRun) {
    metrics.count('DryRuns', 1, byDigest);
    const digest = await makeDigest();
    const issueId = issueIdFor(digestConfig.id, scheduledDate);
    if (digest.status === 'ready') {
      await deps.renderer.email(
        digest,
        digestConfig,
        archiveUrl(deps.archiveBaseUrl, archivePagePath(issueId)),
      );
    }
    const recipients = test ? testEmails.length : await countConfirmed(digestConfig.id, deps);
    return {
      kind: 'dry-run',
      issueId,
      digestStatus: digest.status,
      subject: digest.status === 'ready' ? digest.subject : null,
      articleIds: digest.articleIds,
      recipients,
    };
  }

  const record = (issueId: string): StoredIssue => ({
    issueId,
    digestId: digestConfig.id,
    scheduledDate,
    status: 'building',
    test,
    trigger: request.trigger,
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    subject: null,
    articleIds: [],
    counts: emptyCounts,
    enqueueComplete: false,
    reason: null,
    progress: { pagesEnqueued: 0, cursor: null, leaseUntil: now.getTime() + leaseMs },
  });

  let issue: StoredIssue | null = null;
  if (test || request.force) {
    for (let n = 1; n <= MAX_VARIANTS && issue === null; n++) {
      const candidate = record(
        issueIdFor(digestConfig.id, scheduledDate, { kind: test ? 'test' : 'force', n }),
      );
      if (await deps.issues.create(candidate)) issue = candidate;
    }
    if (issue !== null && test) metrics.count('TestSends', 1, byDigest);
    if (issue === null)
      return { kind: 'invalid-request', message: `too many issues of ${digestConfig.id} today` };
  } else {
    const candidate = record(issueIdFor(digestConfig.id, scheduledDate));
    if (await deps.issues.create(candidate)) {
      issue = candidate;
    } else {
      const taken = await deps.issues.takeLease(candidate.issueId, now.getTime(), now.getTime() + leaseMs);
      if (taken === null) {
        const existing = await deps.issues.get(candidate.issueId);
        if (existing === null) throw new Error(`issue ${candidate.issueId} exists and does not`);
        return { kind: 'existing', issue: withoutProgress(existing), resumed: false };
      }
      deps.log.warn('resuming an issue whose builder stopped half-way', {
        issueId: taken.issueId,
        status: taken.status,
        pagesEnqueued: taken.progress.pagesEnqueued,
      });
      const finished = await runBuilder(
        taken,
        { digestConfig, makeDigest, testEmails, leaseMs, metrics },
        deps,
      );
      return { kind: 'existing', issue: finished, resumed: true };
    }
  }
  metrics.count('IssuesStarted', 1, byDigest);
  const finished = await runBuilder(issue, { digestConfig, makeDigest, testEmails, leaseMs, metrics }, deps);
  return { kind: 'created', issue: finished };
}

interface BuildContext {
  digestConfig: DigestConfig;
  makeDigest: () => Promise<Digest>;
  testEmails: string[];
  leaseMs: number;
  metrics: MetricsSink;
}

/** Carries an issue we hold the lease of from where it is to fully enqueued. */
async function runBuilder(
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

async function mustGet(issueId: string, deps: IssueBuilderDeps): Promise<StoredIssue> {
  const issue = await deps.issues.get(issueId);
  if (issue === null) throw new Error(`issue ${issueId} vanished`);
  return issue;
}

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
    if (digest.status === 'nothing-new') {
      await deps.issues.transition(issue.issueId, 'building', 'skipped', {
        reason: 'nothing new since the last issue',
        now: deps.clock.now(),
      });
      deps.log.info('issue skipped: nothing new', { issueId: issue.issueId, digestId: issue.digestId });
      context.metrics.count('IssuesSkipped', 1, { digestId: issue.digestId });
      return 'skipped';
    }
    pageUrl = archiveUrl(deps.archiveBaseUrl, archivePagePath(issue.issueId));
    const template = await deps.renderer.email(digest, digestConfig, pageUrl);
    email = issueEmailFor(template, digestConfig, { test: issue.test });
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
    await deps.issues.recordArchived({
      issueId: issue.issueId,
      digestId: digestConfig.id,
      title: digestConfig.title,
      subject: email.template.subject,
      issueDate: digest.issueDate,
      url: pageUrl,
    });
    const entries = await deps.issues.listArchived();
    await deps.archive.putPublic(
      'index.html',
      deps.renderer.archiveIndex(entries),
      'text/html; charset=utf-8',
    );
    await deps.archive.putPublic(
      'feed.xml',
      deps.renderer.feed(entries),
      'application/atom+xml; charset=utf-8',
    );
  }
  const moved = await deps.issues.transition(issue.issueId, 'building', 'sending', {
    subject: email.template.subject,
    articleIds: digest.articleIds,
    now: deps.clock.now(),
  });
  if (!moved) throw new Error(`issue ${issue.issueId} left "building" while this builder held it`);
  return 'sending';
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

  if (issue.test) {
    if (pageIndex === 0) {
      const recipients: Recipient[] = [];
      for (const email of context.testEmails) {
        const subscriber = await deps.subscribers.findByEmail(email);
        recipients.push({
          kind: 'test',
          email,
          ...(subscriber?.status === 'confirmed' ? { subscriberId: subscriber.id } : {}),
        });
      }
      if (recipients.length > 0) {
        const batches = planBatches(issue, 0, recipients);
        await deps.queue.enqueue(batches);
        countEnqueued(context, issue.digestId, recipients.length, batches.length);
        const recorded = await deps.issues.recordPage(issue.issueId, {
          pageIndex: 0,
          recipients: recipients.length,
          batches: batches.length,
          nextCursor: null,
          leaseUntil: leaseUntil(),
        });
        if (!recorded) return;
      }
    }
  } else {
    for (;;) {
      const page = await deps.subscribers.pageConfirmed(issue.digestId, {
        limit: SUBSCRIBER_PAGE_SIZE,
        ...(cursor === null ? {} : { cursor }),
      });
      const recipients: Recipient[] = page.subscribers.map((s) => ({
        kind: 'subscriber',
        subscriberId: s.id,
      }));
      const batches = planBatches(issue, pageIndex, recipients);
      if (batches.length > 0) {
        await deps.queue.enqueue(batches);
        countEnqueued(context, issue.digestId, recipients.length, batches.length);
      }
      const nextCursor = page.cursor ?? null;
      const recorded = await deps.issues.recordPage(issue.issueId, {
        pageIndex,
        recipients: recipients.length,
        batches: batches.length,
        nextCursor,
        leaseUntil: leaseUntil(),
      });
      // Another builder took over this issue (our lease ran out): it carries on from its own position.
      if (!recorded) return;
      pageIndex++;
      cursor = nextCursor;
      if (nextCursor === null) break;
    }
  }
  const completed = await deps.issues.completeEnqueue(issue.issueId, deps.clock.now());
  deps.log.info('issue enqueued', {
    issueId: issue.issueId,
    digestId: issue.digestId,
    counts: completed.counts,
  });
  if (isComplete(completed)) await deps.issues.markSentIfComplete(issue.issueId, deps.clock.now());
}

function countEnqueued(context: BuildContext, digestId: string, recipients: number, batches: number): void {
  context.metrics.count('RecipientsEnqueued', recipients, { digestId });
  context.metrics.count('BatchesEnqueued', batches, { digestId });
}

async function countConfirmed(digestId: string, deps: IssueBuilderDeps): Promise<number> {
  let count = 0;
  let cursor: string | undefined;
  do {
    const page = await deps.subscribers.pageConfirmed(digestId, {
      limit: SUBSCRIBER_PAGE_SIZE,
      ...(cursor === undefined ? {} : { cursor }),
    });
    count += page.subscribers.length;
    cursor = page.cursor;
  } while (cursor !== undefined);
  return count;
}
