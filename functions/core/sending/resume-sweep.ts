import { planBatches, type RecipientBatch, recipientKey } from './fan-out.ts';
import type { IssueBuilderDeps } from './issue-builder.ts';
import { type BatchTally, type FinalOutcome, judgeExisting, tallyOf } from './ledger.ts';
import type { StoredIssue } from './ports.ts';
import { DEFAULT_STALE_CLAIM_MS, type ResumeOptions, type ResumeReport } from './resume.ts';

/** The ledger side of a resume (resume.ts): each recorded message judged recipient by recipient. */

/** Judges every untallied message of the recorded pages below `pageLimit` from the ledger. */
export async function sweep(
  issue: StoredIssue,
  pageLimit: number,
  deps: IssueBuilderDeps,
  options: ResumeOptions,
  report: ResumeReport,
): Promise<void> {
  const tallied = new Set((await deps.ledger.tallies(issue.issueId)).map((t) => t.batchId));
  const pages = (await deps.pages.list(issue.issueId)).filter((p) => p.pageIndex < pageLimit);
  report.pagesWithoutRecord = Math.max(0, pageLimit - pages.length);
  if (report.pagesWithoutRecord > 0) {
    deps.log.warn('pages enqueued before recovery was recorded: their messages cannot be rebuilt', {
      issueId: issue.issueId,
      pages: report.pagesWithoutRecord,
    });
  }
  const requeue: RecipientBatch[] = [];
  for (const page of pages) {
    for (const batch of planBatches(issue, page.pageIndex, page.recipients)) {
      if (tallied.has(batch.batchId)) continue;
      const judged = await judgeBatch(batch, deps, options, report);
      if (judged === null) requeue.push(batch);
      else await countTally(issue.issueId, judged, deps);
    }
  }
  if (requeue.length > 0) await deps.queue.enqueue(requeue);
  report.batchesRequeued = requeue.length;
}

/** The batch's tally if every recipient is settled (judging abandoned claims `unknown`), else `null`. */
async function judgeBatch(
  batch: RecipientBatch,
  deps: IssueBuilderDeps,
  options: ResumeOptions,
  report: ResumeReport,
): Promise<BatchTally | null> {
  const nowMs = deps.clock.now().getTime();
  const staleAfterMs = deps.staleAfterMs ?? DEFAULT_STALE_CLAIM_MS;
  const stoppedBefore = options.sendersStoppedBefore?.getTime() ?? Number.NEGATIVE_INFINITY;
  const outcomes = new Map<string, FinalOutcome>();
  let pending = 0;
  await Promise.all(
    batch.recipients.map(async (recipient) => {
      const key = recipientKey(recipient);
      const record = await deps.ledger.get(batch.issueId, key);
      if (record === null) {
        pending++;
        report.notAttempted++;
        return;
      }
      const judged = judgeExisting(record, nowMs, staleAfterMs);
      if (judged.kind === 'final') outcomes.set(key, judged.outcome);
      else if (judged.kind === 'claimable') {
        pending++;
        report.notAttempted++;
      } else if (judged.kind === 'in-progress' && record.claimedAt >= stoppedBefore) pending++;
      else if (await deps.ledger.markUnknown(batch.issueId, key, record.claimId, nowMs)) {
        deps.log.warn('a send was started and never recorded; not sending again (outcome unknown)', {
          issueId: batch.issueId,
          digestId: batch.digestId,
          recipientKey: key,
        });
        deps.metrics?.count('SendUnknown');
        report.unknown.push(key);
        outcomes.set(key, 'unknown');
      } else {
        pending++;
      }
    }),
  );
  return pending === 0 ? tallyOf(batch.batchId, outcomes) : null;
}

async function countTally(issueId: string, tally: BatchTally, deps: IssueBuilderDeps): Promise<void> {
  const now = deps.clock.now();
  if (!(await deps.ledger.recordTally(issueId, tally, now.getTime()))) return;
  const updated = await deps.issues.addTally(issueId, tally, now);
  if (
    updated.status === 'sending' &&
    updated.enqueueComplete &&
    updated.counts.batchesDone >= updated.counts.batches
  )
    await deps.issues.markSentIfComplete(issueId, now);
}
