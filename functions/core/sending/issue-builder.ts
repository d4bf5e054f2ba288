import type { Article } from '../content/article.ts';
import { loadArticles, loadContentConfig } from '../content/load-content.ts';
import { SITE_FILE } from '../content/site.ts';
import { BroadsheetError } from '../errors.ts';
import {
  type Clock,
  type ContentSource,
  type IssueHistory,
  type Log,
  type MetricsSink,
  noMetrics,
} from '../ports.ts';
import { runSlot } from '../schedule/runs.ts';
import type { SubscriberStore } from '../subscribers/ports.ts';
import { takeDigestLock } from './digest-lock.ts';
import { SUBSCRIBER_PAGE_SIZE } from './fan-out.ts';
import {
  emptyCounts,
  type IssueMode,
  isFinal,
  issueIdFor,
  scheduledDateIn,
  scheduledIssueId,
} from './issue.ts';
import { issueDigest } from './issue-digest.ts';
import { freeId, MAX_VARIANTS } from './issue-ids.ts';
import { type IssueOutcome, type IssueRequest, testAddresses } from './issue-request.ts';
import { archivePagePath, archiveUrl, runBuilder, withoutProgress } from './issue-run.ts';
import type {
  ArchiveIndex,
  DeliveryLedger,
  DigestLocks,
  EnqueuedPages,
  IssueArchive,
  IssueQueries,
  IssueRenderer,
  IssueStore,
  RecipientQueue,
  StoredIssue,
} from './ports.ts';
import { DEFAULT_LEASE_MS, resumeIssue } from './resume.ts';

export {
  type IssueOutcome,
  type IssueRequest,
  MAX_TEST_RECIPIENTS,
} from './issue-request.ts';
export { archivePagePath } from './issue-run.ts';

export interface IssueBuilderDeps {
  content: ContentSource;
  history: IssueHistory;
  renderer: IssueRenderer;
  issues: IssueStore;
  /** The digest's recent issues, to resume those left unfinished. */
  queries: Pick<IssueQueries, 'listRecent'>;
  /** The public archive's list, which each issue joins (not test issues). */
  archiveIndex: ArchiveIndex;
  /** One issue per digest at a time. */
  locks: DigestLocks;
  /** Each page of recipients as enqueued, so a resumed issue re-creates the same messages. */
  pages: EnqueuedPages;
  /** What a resume reads to judge each recipient, and the tallies it repairs counts from. */
  ledger: Pick<DeliveryLedger, 'get' | 'markUnknown' | 'tallies' | 'recordTally'>;
  archive: IssueArchive;
  queue: RecipientQueue;
  subscribers: Pick<SubscriberStore, 'pageConfirmed' | 'findByEmail'>;
  clock: Clock;
  log: Log;
  /**
   * IssuesStarted, TestSends, DryRuns, IssuesSkipped, IssuesFailed, RecipientsEnqueued, BatchesEnqueued,
   * each also by digest. None when not given.
   */
  metrics?: MetricsSink;
  /** ARCHIVE_BASE_URL: public pages are at `<archiveBaseUrl>/<path>`. */
  archiveBaseUrl: string;
  /** How long a builder may hold an issue undisturbed before another may resume it (default 10 min). */
  leaseMs?: number;
  /** A claim older than this is abandoned (send-batch's at-most-once window; default 15 min). */
  staleAfterMs?: number;
}

/** Building the digest or rendering it failed for a reason a retry cannot fix. */
export class IssueBuildError extends BroadsheetError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'IssueBuildError';
  }
}

/**
 * build-issue: from a digest id to an issue on its way. Renders once, stores the parts, records the
 * issue, then pages through the confirmed subscribers and enqueues batches of ≤ 50. Idempotent by
 * issue id; one issue per digest at a time (a digest lock; a second trigger gets `busy`); an issue of
 * the digest that has stalled is resumed by the next trigger (see resume.ts).
 */
export async function startIssue(request: IssueRequest, deps: IssueBuilderDeps): Promise<IssueOutcome> {
  const leaseMs = deps.leaseMs ?? DEFAULT_LEASE_MS;
  // The config alone first: an issue that exists already is answered without reading any article.
  const loaded = await loadContentConfig(deps.content);
  if (loaded.config === null) {
    const { problems } = await loadArticles(deps.content);
    const errors = [...loaded.problems, ...problems].filter((p) => p.severity === 'error');
    return { kind: 'invalid-content', problems: errors };
  }
  const config = loaded.config;
  const site = config.site;
  if (site === null) {
    const message = 'missing or unreadable: an issue needs the publication (name, sender, archive title)';
    return { kind: 'invalid-content', problems: [{ file: SITE_FILE, severity: 'error', message }] };
  }
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
  const run = request.scheduledTime ? runSlot(request.scheduledTime, digestConfig.schedule.timezone) : null;
  const scheduledDate = run?.date ?? scheduledDateIn(now, digestConfig.schedule.timezone);
  const plainId = run
    ? scheduledIssueId(digestConfig.id, run.slot)
    : issueIdFor(digestConfig.id, scheduledDate);
  const mode = request.mode ?? 'next';
  let articles: Promise<readonly Article[]> | undefined;
  const makeDigest = async () => {
    articles ??= loadArticles(deps.content).then((loadedArticles) => loadedArticles.articles);
    return issueDigest(
      { mode, test },
      { articles: await articles, config, digestConfig, issueDate: scheduledDate },
      deps,
    );
  };

  const metrics = deps.metrics ?? noMetrics;
  const byDigest = { digestId: digestConfig.id };
  if (request.dryRun) {
    metrics.count('DryRuns', 1, byDigest);
    const { digest, mode: madeAs } = await makeDigest();
    // The id the issue would get: a forced issue or one of every article is a new one.
    const fresh = !test && (request.force === true || mode === 'all');
    const issueId = fresh
      ? ((await freeId(plainId, request.force === true, digestConfig.id, scheduledDate, deps)) ?? plainId)
      : plainId;
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
      mode: madeAs,
      digestStatus: digest.status,
      subject: digest.status === 'ready' ? digest.subject : null,
      articleIds: digest.articleIds,
      recipients,
      digest,
    };
  }

  const record = (issueId: string, madeAs: IssueMode = mode): StoredIssue => ({
    issueId,
    digestId: digestConfig.id,
    scheduledDate,
    status: 'building',
    test,
    trigger: request.trigger,
    mode: madeAs,
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    subject: null,
    articleIds: [],
    counts: emptyCounts,
    enqueueComplete: false,
    reason: null,
    progress: { pagesEnqueued: 0, cursor: null, leaseUntil: now.getTime() + leaseMs },
  });

  const context = {
    digestConfig,
    site,
    makeDigest: async () => (await makeDigest()).digest,
    testEmails,
    leaseMs,
    metrics,
  };
  if (test) {
    // Test issues go to the operator's addresses only and are no one's history: no lock. Made before
    // the record, which keeps the mode it fell back to.
    const made = await makeDigest();
    const testContext = { ...context, makeDigest: async () => made.digest };
    for (let n = 1; n <= MAX_VARIANTS; n++) {
      const candidate = record(issueIdFor(digestConfig.id, scheduledDate, { kind: 'test', n }), made.mode);
      if (!(await deps.issues.create(candidate))) continue;
      metrics.count('TestSends', 1, byDigest);
      metrics.count('IssuesStarted', 1, byDigest);
      return { kind: 'created', issue: await runBuilder(candidate, testContext, deps) };
    }
    return { kind: 'invalid-request', message: `too many test issues of ${digestConfig.id} today` };
  }

  // Whoever triggers next resumes the digest's running issue if it has stalled, and any other of its
  // recent issues left unfinished (test issues, which take no lock; issues from before the lock).
  const holderId = (await deps.locks.get(digestConfig.id))?.issueId ?? null;
  const holderResumed = holderId !== null && (await resumeIssue(holderId, deps)).kind === 'resumed';
  for (const other of await deps.queries.listRecent({ digestId: digestConfig.id, limit: 10 })) {
    if (other.issueId !== holderId && !isFinal(other.status)) await resumeIssue(other.issueId, deps);
  }
  const baseId = plainId;
  // An issue of every article is asked for on purpose: it is a new issue even when today's exists.
  const fresh = request.force === true || mode === 'all';
  if (!fresh) {
    const existing = await deps.issues.get(baseId);
    if (existing !== null) {
      // A re-fired schedule or a double click: the issue that exists, resumed if it has stalled.
      const resumed =
        baseId === holderId ? holderResumed : (await resumeIssue(baseId, deps)).kind === 'resumed';
      const latest = await deps.issues.get(baseId);
      return { kind: 'existing', issue: withoutProgress(latest ?? existing), resumed };
    }
  }
  const issueId = fresh
    ? await freeId(baseId, request.force === true, digestConfig.id, scheduledDate, deps)
    : baseId;
  if (issueId === null)
    return { kind: 'invalid-request', message: `too many issues of ${digestConfig.id} today` };
  const lock = await takeDigestLock(digestConfig.id, issueId, deps);
  if (lock.kind === 'held') {
    return {
      kind: 'busy',
      runningIssueId: lock.holder.issueId,
      running: withoutProgress(lock.holder),
      resumed: holderResumed && lock.holder.issueId === holderId,
    };
  }
  if (lock.kind === 'creating')
    return { kind: 'busy', runningIssueId: lock.issueId, running: null, resumed: false };
  const candidate = record(issueId);
  if (!(await deps.issues.create(candidate))) {
    // A concurrent trigger of the same (plain) id created it a moment before us.
    const existing = await deps.issues.get(issueId);
    if (existing === null) throw new Error(`issue ${issueId} exists and does not`);
    return { kind: 'existing', issue: withoutProgress(existing), resumed: false };
  }
  metrics.count('IssuesStarted', 1, byDigest);
  return { kind: 'created', issue: await runBuilder(candidate, context, deps) };
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
