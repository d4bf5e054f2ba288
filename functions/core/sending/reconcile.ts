import type { Clock, Log } from '../ports.ts';
import type { DeliveryLedger, IssueStore, OutcomeTotals, StoredIssue } from './ports.ts';

/** Nothing counted for this long: no sender is between a tally and its addition any more. */
export const QUIET_MS = 2 * 60_000;

/**
 * Repairs an issue stuck in `sending` because a sender died between recording a batch's tally and
 * adding it to the issue's counts (two single-item writes, no transaction). The tallies are the
 * truth: when there are more of them than the issue counted, and neither has changed for a while,
 * the counts are set from the tallies (conditional on no count having arrived meanwhile) and the
 * issue completes if every batch is in. Batches still in the queue (or its dead-letter queue) have
 * no tally and keep the issue `sending`, as they should.
 */
export async function reconcileIssue(
  issue: StoredIssue,
  deps: {
    issues: Pick<IssueStore, 'get' | 'replaceCounts' | 'markSentIfComplete'>;
    ledger: Pick<DeliveryLedger, 'tallies'>;
    clock: Clock;
    log: Log;
  },
  /**
   * `quietBefore` (ms since epoch): the caller knows that no sender recorded a tally before it without
   * adding it (a resume after every earlier sender stopped); only tallies older than it are trusted.
   */
  options: { quietBefore?: number } = {},
): Promise<StoredIssue> {
  const { counts } = issue;
  if (issue.status !== 'sending' || !issue.enqueueComplete || counts.batchesDone >= counts.batches)
    return issue;
  const now = deps.clock.now();
  const quietBefore = options.quietBefore ?? now.getTime() - QUIET_MS;
  if (options.quietBefore === undefined && Date.parse(issue.updatedAt) > quietBefore) return issue;
  const tallies = await deps.ledger.tallies(issue.issueId);
  if (tallies.length <= counts.batchesDone) return issue;
  if (tallies.some((t) => t.recordedAt > quietBefore)) return issue;
  const totals: OutcomeTotals = {
    batchesDone: tallies.length,
    sent: 0,
    rejected: 0,
    skipped: 0,
    unknown: 0,
    failed: 0,
  };
  for (const tally of tallies) {
    totals.sent += tally.sent;
    totals.rejected += tally.rejected;
    totals.skipped += tally.skipped;
    totals.unknown += tally.unknown;
    totals.failed += tally.failed;
  }
  if (!(await deps.issues.replaceCounts(issue.issueId, totals, counts.batchesDone, now))) return issue;
  deps.log.warn('issue counts repaired from the batch tallies', {
    issueId: issue.issueId,
    before: counts.batchesDone,
    after: totals.batchesDone,
  });
  if (totals.batchesDone >= counts.batches) await deps.issues.markSentIfComplete(issue.issueId, now);
  return (await deps.issues.get(issue.issueId)) ?? issue;
}
