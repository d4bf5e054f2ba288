import type { Clock, Mailer, MetricsSink, OutgoingEmail } from '../ports.ts';
import { SendError } from '../ports.ts';
import { personalise } from '../render/personalise.ts';
import { listUnsubscribeHeaders } from '../subscribers/list-unsubscribe.ts';
import type { SubscriberStore } from '../subscribers/ports.ts';
import { type Recipient, type RecipientBatch, recipientKey } from './fan-out.ts';
import type { IssueEmail } from './issue-email.ts';
import { type BatchTally, type FinalOutcome, judgeExisting, tallyOf } from './ledger.ts';
import type { DeliveryLedger, IssueStore } from './ports.ts';
import { actionFor, backoffDelay, type RetryPolicy } from './retry.ts';

/** Structured log lines; the handler's logger (powertools on AWS) implements it. */
export interface SendLog {
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  error(message: string, data?: Record<string, unknown>): void;
}

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
  log: SendLog;
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

type RecipientResult =
  | { kind: 'final'; outcome: FinalOutcome }
  | { kind: 'pending' }
  | { kind: 'stop'; error: SendError };

const MAX_CLAIM_ROUNDS = 4;

/** At most `limit` recipients in flight across every message of one invocation; FIFO. */
export class SendSlots {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  public constructor(private readonly limit: number) {}

  public async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.active < this.limit) this.active++;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await work();
    } finally {
      // Hand the slot straight to the next in line, or give it back.
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}

/** What the messages of one invocation share: the send slots, and whether to stop. */
export interface Invocation {
  slots: SendSlots;
  /** SES refused to send for the account: nothing more is started. */
  stop: SendError | null;
  /** An unexpected failure (a "crash"): nothing more is started, and it is thrown. */
  failure: { error: unknown } | null;
}

export function newInvocation(inFlight: number): Invocation {
  return { slots: new SendSlots(Math.max(1, inFlight)), stop: null, failure: null };
}

/**
 * Sends every message of one invocation, their recipients sharing `inFlight` slots, so a message's
 * last sends overlap the next message's first. Throws the first unexpected failure once everything
 * started has finished.
 */
export async function deliverBatches(
  batches: readonly RecipientBatch[],
  deps: DeliverDeps,
  options: { deadlineMs: number },
): Promise<BatchResult[]> {
  const invocation = newInvocation(deps.inFlight);
  const settled = await Promise.allSettled(
    batches.map((batch) => deliverBatch(batch, deps, options, invocation)),
  );
  const results: BatchResult[] = [];
  for (const outcome of settled) {
    if (outcome.status === 'rejected') throw invocation.failure?.error ?? outcome.reason;
    results.push(outcome.value);
  }
  return results;
}

interface Addressee {
  email: string;
  name?: string;
  subscriberId: string | null;
}

type Resolved = { kind: 'send'; to: Addressee } | { kind: 'skip'; reason: string };

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
    deps.log.error('queue message for an issue that does not exist; dropped', {
      issueId: batch.issueId,
      digestId: batch.digestId,
      batchId: batch.batchId,
    });
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
      issueId: batch.issueId,
      digestId: batch.digestId,
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
      deps.log.info('issue sent', { issueId, digestId: updated.digestId, counts: updated.counts });
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

async function resolveRecipient(
  recipient: Recipient,
  digestId: string,
  deps: DeliverDeps,
): Promise<Resolved> {
  if (recipient.kind === 'test') {
    return { kind: 'send', to: { email: recipient.email, subscriberId: recipient.subscriberId ?? null } };
  }
  const subscriber = await deps.subscribers.get(recipient.subscriberId);
  if (subscriber === undefined) return { kind: 'skip', reason: 'subscriber no longer exists' };
  if (subscriber.status !== 'confirmed')
    return { kind: 'skip', reason: `subscriber is ${subscriber.status}` };
  if (!subscriber.digests.includes(digestId))
    return { kind: 'skip', reason: 'no longer subscribed to the digest' };
  return {
    kind: 'send',
    to: {
      email: subscriber.email,
      subscriberId: subscriber.id,
      ...(subscriber.name === undefined ? {} : { name: subscriber.name }),
    },
  };
}

function outgoingEmail(
  batch: RecipientBatch,
  email: IssueEmail,
  to: Addressee,
  deps: DeliverDeps,
  test: boolean,
) {
  const links = deps.links(to.subscriberId, deps.clock.now(), batch.digestId);
  const filled = personalise(email.template, {
    email: to.email,
    ...(to.name === undefined ? {} : { name: to.name }),
    unsubscribeUrl: links.unsubscribeUrl,
    preferencesUrl: links.preferencesUrl,
  });
  const outgoing: OutgoingEmail = {
    from: email.from,
    to: to.email,
    ...(email.replyTo === null ? {} : { replyTo: email.replyTo }),
    subject: filled.subject,
    html: filled.html,
    text: filled.text,
    headers: listUnsubscribeHeaders(links.unsubscribeUrl, deps.unsubscribeMailbox),
    tags: { issue: batch.issueId, digest: batch.digestId, ...(test ? { test: 'true' } : {}) },
  };
  return outgoing;
}

async function deliverOne(
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
          issueId,
          digestId: batch.digestId,
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
          issueId,
          digestId: batch.digestId,
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
          issueId,
          digestId: batch.digestId,
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
        issueId,
        digestId: batch.digestId,
        recipientKey: key,
        messageId,
      });
      return { kind: 'final', outcome: 'unknown' };
    }
    return { kind: 'final', outcome: 'sent' };
  }
}
