import { describe, expect, it } from 'vitest';
import { perSenderRate, TokenBucket } from '../../functions/core/sending/rate-limit.ts';

/** Send times a bucket allows when `n` sends are asked for at `askedAt`. */
function schedule(bucket: TokenBucket, askedAt: number[]): number[] {
  return askedAt.map((t) => t + bucket.reserve(t));
}

function maxInAnyWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while ((sorted[end] ?? 0) - (sorted[start] ?? 0) >= windowMs) start++;
    best = Math.max(best, end - start + 1);
  }
  return best;
}

describe('the token bucket', () => {
  it('spaces sends asked for all at once evenly at the rate', () => {
    const bucket = new TokenBucket(10);
    const times = schedule(bucket, Array(30).fill(1_000));
    expect(times[0]).toBe(1_000);
    expect(times.slice(1).map((t, i) => t - (times[i] ?? 0))).toEqual(Array(29).fill(100));
  });

  it('rounds its interval up, so an awkward rate never lets one send too many through', () => {
    const bucket = new TokenBucket(14);
    const times = schedule(bucket, Array(15).fill(0));
    expect(times[14]).toBeGreaterThanOrEqual(1_000);
  });

  it('never allows more than the rate in any one-second window, however the requests come', () => {
    const bucket = new TokenBucket(14);
    let t = 0;
    const asked: number[] = [];
    for (let i = 0; i < 500; i++) {
      t += [0, 1, 3, 50, 0, 200][i % 6] ?? 0;
      asked.push(t);
    }
    expect(maxInAnyWindow(schedule(bucket, asked), 1_000)).toBeLessThanOrEqual(14);
  });

  it('does not save up tokens while idle beyond its burst', () => {
    const bucket = new TokenBucket(5, 2);
    expect(bucket.reserve(0)).toBe(0);
    // After a long pause only `burst` sends go at once.
    expect(schedule(bucket, [60_000, 60_000, 60_000, 60_000])).toEqual([60_000, 60_000, 60_200, 60_400]);
  });

  it('keeps up with a caller that asks at the rate: no wait at all', () => {
    const bucket = new TokenBucket(20);
    const asked = Array.from({ length: 100 }, (_, i) => i * 50);
    expect(schedule(bucket, asked)).toEqual(asked);
  });

  it('takes a new rate for later reservations', () => {
    const bucket = new TokenBucket(10);
    expect(bucket.reserve(0)).toBe(0);
    bucket.setRate(2);
    // The token taken at 10/s is paid for; the next ones come every 500 ms.
    expect(bucket.reserve(0)).toBe(100);
    expect(bucket.reserve(0)).toBe(600);
    expect(bucket.ratePerSecond).toBe(2);
  });

  it('refuses nonsense', () => {
    expect(() => new TokenBucket(0)).toThrow(RangeError);
    expect(() => new TokenBucket(Number.POSITIVE_INFINITY)).toThrow(RangeError);
    expect(() => new TokenBucket(1, 0)).toThrow(RangeError);
  });
});

describe('the rate of one sender', () => {
  it('is the account’s rate split across the senders that may run at once', () => {
    expect(perSenderRate(14, undefined, 2)).toBe(7);
  });

  it('is lowered to the configured cap when that is below the account’s rate', () => {
    expect(perSenderRate(200, 50, 5)).toBe(10);
    expect(perSenderRate(14, 50, 2)).toBe(7);
  });
});
