import type { SendFailureKind } from '../ports.ts';

export interface RetryPolicy {
  /** Sends started for one recipient in one delivery of its message, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const defaultRetryPolicy: RetryPolicy = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 5_000 };

/**
 * Exponential backoff with full jitter: a random wait between 0 and min(max, base·2^(n−1)) after the
 * n-th failed attempt, so senders that were throttled together do not come back together.
 * `random` returns a number in [0, 1).
 */
export function backoffDelay(policy: RetryPolicy, failedAttempts: number, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, failedAttempts - 1));
  return Math.floor(random() * ceiling);
}

export type FailureAction =
  /** Wait (backoff) and try the same recipient again. */
  | 'retry'
  /** Out of attempts in this delivery: leave the recipient to the queue's redelivery. */
  | 'redeliver'
  /** SES refused this address: record it, never retry. */
  | 'reject'
  /** The account cannot send (paused, suspended): stop the whole issue. */
  | 'stop-issue'
  /** No answer: SES may have taken the message. Keep the claim (outcome unknown), never send again. */
  | 'hold';

export function actionFor(kind: SendFailureKind, failedAttempts: number, policy: RetryPolicy): FailureAction {
  switch (kind) {
    case 'rejected':
      return 'reject';
    case 'account':
      return 'stop-issue';
    case 'indeterminate':
      return 'hold';
    case 'throttled':
    case 'transient':
      return failedAttempts < policy.maxAttempts ? 'retry' : 'redeliver';
  }
}
