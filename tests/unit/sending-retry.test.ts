import { describe, expect, it } from 'vitest';
import { actionFor, backoffDelay, defaultRetryPolicy } from '../../functions/core/sending/retry.ts';

const policy = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1_000 };

describe('backoff with full jitter', () => {
  it('waits between 0 and base·2^(n−1), capped', () => {
    expect(backoffDelay(policy, 1, () => 0)).toBe(0);
    expect(backoffDelay(policy, 1, () => 0.999)).toBe(99);
    expect(backoffDelay(policy, 2, () => 0.999)).toBe(199);
    expect(backoffDelay(policy, 3, () => 0.5)).toBe(200);
    expect(backoffDelay(policy, 10, () => 0.999)).toBe(999);
  });

  it('spreads senders that failed together', () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    const delays = new Set(Array.from({ length: 50 }, () => backoffDelay(policy, 3, random)));
    expect(delays.size).toBeGreaterThan(30);
  });
});

describe('what a failed send leads to', () => {
  it('retries throttling and transient failures until the attempts run out, then leaves it to redelivery', () => {
    for (const kind of ['throttled', 'transient'] as const) {
      expect(actionFor(kind, 1, policy)).toBe('retry');
      expect(actionFor(kind, 3, policy)).toBe('retry');
      expect(actionFor(kind, 4, policy)).toBe('redeliver');
    }
  });

  it('never retries a rejected address, and stops the issue on account errors', () => {
    expect(actionFor('rejected', 1, policy)).toBe('reject');
    expect(actionFor('account', 1, policy)).toBe('stop-issue');
  });

  it('never retries a send SES did not answer (it may have taken it), on the first failure or any', () => {
    expect(actionFor('indeterminate', 1, policy)).toBe('hold');
    expect(actionFor('indeterminate', 4, policy)).toBe('hold');
  });

  it('has bounded defaults', () => {
    expect(defaultRetryPolicy.maxAttempts).toBeGreaterThan(1);
    expect(defaultRetryPolicy.maxDelayMs).toBeLessThanOrEqual(10_000);
  });
});
