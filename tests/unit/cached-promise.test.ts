import { describe, expect, it } from 'vitest';
import { cachedPromise } from '../../functions/core/cached-promise.ts';

describe('cachedPromise', () => {
  it('loads once and hands every caller the same promise', async () => {
    let loads = 0;
    const value = cachedPromise(async () => ++loads);
    expect(await Promise.all([value(), value(), value()])).toEqual([1, 1, 1]);
    expect(loads).toBe(1);
  });

  it('forgets a failed load, so the next call tries again', async () => {
    let loads = 0;
    const value = cachedPromise(async () => {
      loads += 1;
      if (loads === 1) throw new Error('secret store down');
      return 'secret';
    });
    await expect(value()).rejects.toThrow('secret store down');
    expect(await value()).toBe('secret');
    expect(await value()).toBe('secret');
    expect(loads).toBe(2);
  });

  it('with an expiry, loads again once the value is older than it', async () => {
    let now = 0;
    let loads = 0;
    const value = cachedPromise(async () => ++loads, { clock: { now: () => new Date(now) }, ttlMs: 60_000 });
    expect(await value()).toBe(1);
    now = 59_999;
    expect(await value()).toBe(1);
    now = 60_000;
    expect(await value()).toBe(2);
  });
});
