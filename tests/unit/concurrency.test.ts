import { describe, expect, it } from 'vitest';
import { mapConcurrently } from '../../functions/core/concurrency.ts';

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

describe('mapConcurrently', () => {
  it('runs every item, never more than the limit at once, and keeps the items’ order', async () => {
    let running = 0;
    let most = 0;
    const results = await mapConcurrently([5, 1, 4, 2, 3, 0, 6], 3, async (n, index) => {
      running++;
      most = Math.max(most, running);
      for (let i = 0; i < n; i++) await tick();
      running--;
      return `${index}:${n}`;
    });
    expect(results).toEqual(['0:5', '1:1', '2:4', '3:2', '4:3', '5:0', '6:6']);
    expect(most).toBe(3);
  });

  it('a limit below one still runs the items, one at a time; no items, no runs', async () => {
    const seen: number[] = [];
    expect(await mapConcurrently([1, 2], 0, async (n) => seen.push(n))).toEqual([1, 2]);
    expect(seen).toEqual([1, 2]);
    expect(await mapConcurrently([], 4, async () => 1)).toEqual([]);
  });

  it('a run that fails fails the whole', async () => {
    await expect(
      mapConcurrently([1, 2, 3], 2, async (n) => {
        if (n === 2) throw new Error('two failed');
        return n;
      }),
    ).rejects.toThrow('two failed');
  });
});
