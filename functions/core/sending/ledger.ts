import * as z from 'zod';

/**
 * The delivery ledger: one record per (issue, recipient), written only with conditional single-item
 * writes, so that a redelivered queue message, a re-invoked function, a re-triggered issue or a crash
 * mid-batch never sends one issue twice to one recipient.
 *
 *   (none) ──claim──▶ sending ──SES accepted──▶ sent
 *                        │ ──SES refused the address──▶ rejected      (never retried)
 *                        │ ──unsubscribed/suppressed meanwhile──▶ skipped
 *                        │ ──SES said "not now" (throttled, 5xx, paused)──▶ released ──claim──▶ sending …
 *                        │ ──no answer from SES (client timeout, aborted request)──▶ unknown (never re-sent)
 *                        └ ──nobody finished it within `staleAfter`──▶ unknown (never re-sent)
 *
 * Why a stale `sending` claim is never re-sent. A claim is written right before SES is called and
 * replaced right after SES answers. If the sender dies in between (Lambda timeout, out of memory, a
 * lost container), the claim stays `sending` and nobody can know whether SES accepted the message:
 * SES has no "did you send X?" query and no idempotency key for SendEmail. Re-sending would reach
 * every such recipient that already got it a second time; not re-sending misses those that did not.
 * For a newsletter a duplicate is worse than a miss: it reads as broken and as spam, it draws
 * complaints that count against the sending account's reputation (and so against every other
 * reader's delivery), while a missed issue is one reader reading one issue on the web archive. So the
 * ledger chooses "never twice": a stale claim becomes `unknown`, is counted and surfaced to the
 * operator with the recipient keys, and is not sent again. A send that SES never answered (the
 * client timed out waiting, or the request was aborted while out) is the same case seen from the
 * sender that is still alive: SES may or may not have taken it, so its own claim becomes `unknown`
 * at once. The window is kept small: the claim is taken after the recipient's status is known and
 * the rate limiter has a token, and a send that fails with an answer from SES (throttled, 5xx,
 * rejected), or whose connection failed before SES could read it (refused, reset), is recorded as
 * such, because then SES did not accept the message.
 */
export const deliveryStatuses = ['sending', 'released', 'sent', 'rejected', 'skipped', 'unknown'] as const;
export type DeliveryStatus = (typeof deliveryStatuses)[number];

export const deliveryRecordSchema = z.object({
  issueId: z.string().min(1),
  recipientKey: z.string().min(1),
  status: z.enum(deliveryStatuses),
  /** Random id of the claim that wrote the record; only its owner may move it on. */
  claimId: z.string().min(1),
  /** When the claim was taken (ms since epoch). */
  claimedAt: z.number().int().nonnegative(),
  /** How many times a send was started for this recipient. */
  attempts: z.number().int().nonnegative(),
  messageId: z.string().nullable(),
  reason: z.string().nullable(),
  updatedAt: z.number().int().nonnegative(),
});
export type DeliveryRecord = z.infer<typeof deliveryRecordSchema>;

/** What a recipient ended up with; `failed` is for recipients dropped because their issue failed. */
export type FinalOutcome = 'sent' | 'rejected' | 'skipped' | 'unknown' | 'failed';

export type ExistingJudgement =
  /** Someone finished this recipient already: do nothing, count the outcome. */
  | { kind: 'final'; outcome: 'sent' | 'rejected' | 'skipped' | 'unknown' }
  /** Released since we tried to claim: claim again. */
  | { kind: 'claimable' }
  /** Another sender holds a fresh claim: leave it alone and look again later. */
  | { kind: 'in-progress' }
  /** A claim nobody finished: outcome unknown, never re-sent (see above). */
  | { kind: 'stale'; claimId: string };

export function judgeExisting(
  existing: DeliveryRecord,
  nowMs: number,
  staleAfterMs: number,
): ExistingJudgement {
  switch (existing.status) {
    case 'sent':
    case 'rejected':
    case 'skipped':
    case 'unknown':
      return { kind: 'final', outcome: existing.status };
    case 'released':
      return { kind: 'claimable' };
    case 'sending':
      return nowMs - existing.claimedAt >= staleAfterMs
        ? { kind: 'stale', claimId: existing.claimId }
        : { kind: 'in-progress' };
  }
}

/**
 * The final outcomes of one queue message's recipients, written once per (issue, batch) with a
 * conditional put. Only the write that creates it adds its numbers to the issue's counts, so the
 * counts stay exact however often the message is delivered.
 */
export const batchTallySchema = z.object({
  batchId: z.string().min(1),
  sent: z.number().int().nonnegative(),
  rejected: z.number().int().nonnegative(),
  skipped: z.number().int().nonnegative(),
  unknown: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  /** Recipients the operator may want to look at: outcome unknown or rejected. */
  unknownKeys: z.array(z.string()),
  rejectedKeys: z.array(z.string()),
});
export type BatchTally = z.infer<typeof batchTallySchema>;

export function tallyOf(batchId: string, outcomes: ReadonlyMap<string, FinalOutcome>): BatchTally {
  const tally: BatchTally = {
    batchId,
    sent: 0,
    rejected: 0,
    skipped: 0,
    unknown: 0,
    failed: 0,
    unknownKeys: [],
    rejectedKeys: [],
  };
  for (const [key, outcome] of outcomes) {
    tally[outcome] += 1;
    if (outcome === 'unknown') tally.unknownKeys.push(key);
    if (outcome === 'rejected') tally.rejectedKeys.push(key);
  }
  return tally;
}
