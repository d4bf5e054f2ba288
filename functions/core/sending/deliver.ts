import type { Clock, Log, Mailer, MetricsSink, SendError } from '../ports.ts';
import type { SubscriberStore } from '../subscribers/ports.ts';
import type { LinkTracker } from '../tracking/recipient-links.ts';
import { deliverOne, type RecipientResult } from './deliver-recipient.ts';
import { type RecipientBatch, recipientKey } from './fan-out.ts';
import type { IssueEmail } from './issue-email.ts';
import { type BatchTally, type FinalOutcome, judgeExisting, tallyOf } from './ledger.ts';
import type { DeliveryLedger, IssueStore } from './ports.ts';
import type { RetryPolicy } from './retry.ts';
import { type Invocation, newInvocation } from './send-slots.ts';

export { type Invocation, newInvocation, SendSlots } from './send-slots.ts';

/** Waits until one more send is allowed (the token bucket of this sender). */
export interface RateGate {
  acquire(): Promise<void>;
}

export interface RecipientLinks {
  unsubscribeUrl: string;
  preferencesUrl: string;
}

export interface DeliverDeps {
  issues: Pick<IssueStore, 'get' | 'transition' | 'addTally' | 'markSentIfComplete'>;
  ledger: DeliveryLedger;
  subscribers: Pick<SubscriberStore, 'get'>;
  mailer: Mailer;
  rate: RateGate;
  /** The issue's email as rendered once; `null` when it is not stored. */
  loadEmail(issueId: string): Promise<IssueEmail | null>;
  /**
   * Signed per-recipient links, the unsubscribe link leaving `digestId` only; `subscriberId` is `null`
   * for a test address that is no subscriber.
   */
  links(subscriberId: string | null, now: Date, digestId: string): RecipientLinks;
  /** `mailto:` target of List-Unsubscribe, if any. */
  unsubscribeMailbox: string | null;
  /** Makes the tracked URLs of an issue's links; without it, links stay plain. */
  tracker?: LinkTracker | undefined;
  clock: Clock;
  sleep(ms: number): Promise<void>;
  /** In [0, 1): the jitter of backoffs. */
  random(): number;
  newClaimId(): string;
  retry: RetryPolicy;
  /** A `sending` claim older than this is judged stale (its sender died); see ledger.ts. */
  staleAfterMs: number;
  /** Recipients of one message handled at once (the rate gate still spaces the sends). */
  inFlight: number;
  /** The log of this message: its lines carry the message's issue, digest and batch. */
  log: Log;
  /**
   * EmailsSent, EmailsRejected, EmailsSkipped (no longer subscribed), SendUnknown (stale claims and
   * sends SES never answered), SendRetries (throttled or transient failures), AccountSendingPaused.
   */
  metrics: MetricsSink;
}

export type BatchResult =
  /** Every recipient has a final outcome; `counted` when this delivery added them to the issue. */
  | { kind: 'done'; tally: BatchTally; counted: boolean }
  /** Some recipients must be tried again: leave the message to the queue's redelivery. */
  | { kind: 'retry-later'; pending: number }
  /** The issue failed (now or before): the message is finished without sending the rest. */
  | { kind: 'issue-failed'; tally: BatchTally | null }
  /** The message names an issue that does not exist: nothing can ever be sent for it. */
  | { kind: 'dropped'; reason: string };

/**
 * Sends one queue message's recipients: per recipient, claim in the ledger, check the subscriber is
 * still confirmed for the digest, wait for the rate gate, send, record. Throws only for the
 * unexpected (a mailer that fails without a `SendError`): that is treated as a crash, and the claim
 * in flight is left as it is (see ledger.ts for why).
 */
export async function deliverBatch(
  batch: RecipientBatch,
  deps: DeliverDeps,
  options: { deadlineMs: number },
  invocation: Invocation = newInvocation(deps.inFlight),
): Promise<BatchResult> {
  const issue = await deps.issues.get(batch.issueId);
  if (issue === null) {
    deps.log.error('queue message for an issue that does not exist; dropped');
    return { kind: 'dropped', reason: 'unknown issue' };
  }
  if (issue.status === 'failed') return finishForFailedIssue(batch, deps);
  if (issue.status === 'sent') {
    // Sent means every batch was counted, this one included: a late duplicate delivery.
    return { kind: 'done', tally: tallyOf(batch.batchId, new Map()), counted: false };
  }
  if (issue.status !== 'sending') return { kind: 'retry-later', pending: batch.recipients.length };

  const email = await deps.loadEmail(batch.issueId);
  if (email === null) throw new Error(`issue ${batch.issueId} has no stored email`);

  const outcomes = new Map<string, FinalOutcome>();
  let pending = 0;
  await Promise.all(
    batch.recipients.map((recipient) =>
      invocation.slots.run(async () => {
        if (invocation.stop !== null || invocation.failure !== null) return;
        const key = recipientKey(recipient);
        let result: RecipientResult;
        try {
          result = await deliverOne(batch, recipient, key, email, deps, options.deadlineMs);
        } catch (error) {
          invocation.failure ??= { error };
          return;
        }
        if (result.kind === 'final') outcomes.set(key, result.outcome);
        else if (result.kind === 'pending') pending++;
        else invocation.stop ??= result.error;
      }),
    ),
  );
  if (invocation.failure !== null) throw invocation.failure.error;

  if (invocation.stop !== null) {
    const error: SendError = invocation.stop;
    deps.log.error('SES refuses to send for the account: the issue is stopped and marked failed', {
      error: error.message,
    });
    deps.metrics.count('AccountSendingPaused');
    await deps.issues.transition(batch.issueId, 'sending', 'failed', {
      reason: `SES account error: ${error.message}`,
      now: deps.clock.now(),
    });
    for (const recipient of batch.recipients) {
      const key = recipientKey(recipient);
      if (!outcomes.has(key)) outcomes.set(key, 'failed');
    }
    const tally = tallyOf(batch.batchId, outcomes);
    await countTally(batch.issueId, tally, deps);
    return { kind: 'issue-failed', tally };
  }
  if (pending > 0) return { kind: 'retry-later', pending };
  const tally = tallyOf(batch.batchId, outcomes);
  const counted = await countTally(batch.issueId, tally, deps);
  return { kind: 'done', tally, counted };
}

async function countTally(issueId: string, tally: BatchTally, deps: DeliverDeps): Promise<boolean> {
  const now = deps.clock.now();
  if (!(await deps.ledger.recordTally(issueId, tally, now.getTime()))) return false;
  const updated = await deps.issues.addTally(issueId, tally, now);
  if (
    updated.status === 'sending' &&
    updated.enqueueComplete &&
    updated.counts.batchesDone >= updated.counts.batches
  ) {
    if (await deps.issues.markSentIfComplete(issueId, now)) {
      deps.log.info('issue sent', { counts: updated.counts });
    }
  }
  return true;
}

/** The issue failed: nothing more is sent; what was finished keeps its outcome, the rest is `failed`. */
async function finishForFailedIssue(batch: RecipientBatch, deps: DeliverDeps): Promise<BatchResult> {
  const outcomes = new Map<string, FinalOutcome>();
  for (const recipient of batch.recipients) {
    const key = recipientKey(recipient);
    const record = await deps.ledger.get(batch.issueId, key);
    const judged = record ? judgeExisting(record, deps.clock.now().getTime(), deps.staleAfterMs) : null;
    outcomes.set(key, judged?.kind === 'final' ? judged.outcome : 'failed');
  }
  const tally = tallyOf(batch.batchId, outcomes);
  await countTally(batch.issueId, tally, deps);
  return { kind: 'issue-failed', tally };
}
