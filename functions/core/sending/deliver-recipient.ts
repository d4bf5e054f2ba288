import { SendError } from '../ports.ts';
import type { DeliverDeps } from './deliver.ts';
import type { Recipient, RecipientBatch } from './fan-out.ts';
import type { IssueEmail } from './issue-email.ts';
import { type FinalOutcome, judgeExisting } from './ledger.ts';
import { outgoingEmail, type Resolved, resolveRecipient } from './recipient-message.ts';
import { actionFor, backoffDelay } from './retry.ts';

export type RecipientResult =
  | { kind: 'final'; outcome: FinalOutcome }
  | { kind: 'pending' }
  | { kind: 'stop'; error: SendError };

const MAX_CLAIM_ROUNDS = 4;

/**
 * One recipient of a message: claim in the ledger, check the subscriber is still confirmed for the
 * digest, wait for the rate gate, send, record; retried here or left `pending` for redelivery as the
 * retry policy says. Throws only for a mailer failure that is no `SendError`.
 */
export async function deliverOne(
  batch: RecipientBatch,
  recipient: Recipient,
  key: string,
  email: IssueEmail,
  deps: DeliverDeps,
  deadlineMs: number,
): Promise<RecipientResult> {
  let resolved: Resolved | null = null;
  let failedAttempts = 0;
  let claimRounds = 0;
  const { issueId } = batch;
  for (;;) {
    const nowMs = deps.clock.now().getTime();
    if (nowMs >= deadlineMs) return { kind: 'pending' };
    const claimId = deps.newClaimId();
    const claim = await deps.ledger.claim(issueId, key, claimId, nowMs);
    if (!claim.claimed) {
      const judged = judgeExisting(claim.existing, nowMs, deps.staleAfterMs);
      if (judged.kind === 'final') return { kind: 'final', outcome: judged.outcome };
      if (judged.kind === 'in-progress') return { kind: 'pending' };
      if (++claimRounds >= MAX_CLAIM_ROUNDS) return { kind: 'pending' };
      if (judged.kind === 'stale' && (await deps.ledger.markUnknown(issueId, key, judged.claimId, nowMs))) {
        deps.log.warn('a send was started and never recorded; not sending again (outcome unknown)', {
          recipientKey: key,
        });
        deps.metrics.count('SendUnknown');
        return { kind: 'final', outcome: 'unknown' };
      }
      continue;
    }

    resolved ??= await resolveRecipient(recipient, batch.digestId, deps);
    if (resolved.kind === 'skip') {
      const settled = await deps.ledger.settle(
        issueId,
        key,
        claimId,
        { status: 'skipped', reason: resolved.reason },
        nowMs,
      );
      deps.metrics.count('EmailsSkipped');
      // Counted as the ledger has it: `unknown` if the claim went stale and was judged meanwhile.
      return { kind: 'final', outcome: settled ? 'skipped' : 'unknown' };
    }
    const outgoing = outgoingEmail(batch, email, resolved.to, deps, recipient.kind === 'test');

    await deps.rate.acquire();
    let messageId: string;
    try {
      ({ messageId } = await deps.mailer.send(outgoing));
      deps.metrics.count('EmailsSent');
    } catch (error) {
      // Anything but a SendError is a failure we cannot interpret: like a crash, the claim stays.
      if (!(error instanceof SendError)) throw error;
      failedAttempts++;
      const action = actionFor(error.kind, failedAttempts, deps.retry);
      const at = deps.clock.now().getTime();
      if (action === 'reject') {
        const settled = await deps.ledger.settle(
          issueId,
          key,
          claimId,
          { status: 'rejected', reason: error.message },
          at,
        );
        deps.log.warn('SES rejected a recipient; not retried', {
          recipientKey: key,
          error: error.message,
        });
        deps.metrics.count('EmailsRejected');
        return { kind: 'final', outcome: settled ? 'rejected' : 'unknown' };
      }
      if (action === 'hold') {
        // No answer from SES: it may have taken the message. Sending again could mail this reader
        // twice, so the claim is never released but recorded `unknown` now, counted, and not sent
        // again (see ledger.ts). If it went stale meanwhile, whoever judged it recorded `unknown`.
        const marked = await deps.ledger.markUnknown(issueId, key, claimId, at);
        deps.log.warn('no answer from SES for a send; recorded as unknown and not sent again', {
          recipientKey: key,
          error: error.message,
        });
        if (marked) deps.metrics.count('SendUnknown');
        return { kind: 'final', outcome: 'unknown' };
      }
      // SES answered with an error: it did not accept the message, so the claim can go.
      await deps.ledger.settle(issueId, key, claimId, { status: 'released', reason: error.message }, at);
      if (action === 'stop-issue') return { kind: 'stop', error };
      deps.metrics.count('SendRetries');
      if (action === 'redeliver') return { kind: 'pending' };
      const delay = backoffDelay(deps.retry, failedAttempts, deps.random);
      if (at + delay >= deadlineMs) return { kind: 'pending' };
      await deps.sleep(delay);
      continue;
    }
    const settled = await deps.ledger.settle(
      issueId,
      key,
      claimId,
      { status: 'sent', messageId },
      deps.clock.now().getTime(),
    );
    if (!settled) {
      // Counted as the ledger has it, whichever delivery of this message gets its tally in first.
      deps.log.warn('sent after the claim was judged stale; the ledger keeps "unknown"', {
        recipientKey: key,
        messageId,
      });
      return { kind: 'final', outcome: 'unknown' };
    }
    return { kind: 'final', outcome: 'sent' };
  }
}
