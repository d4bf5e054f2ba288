import { describe, expect, it } from 'vitest';
import { contentStems, jaccard, shingles, stem, wordsOf } from '../../functions/core/text/words.ts';

describe('words', () => {
  it('keep initialisms, hyphenated names and inner apostrophes whole, and drop the possessive', () => {
    const words = wordsOf("The U.S. and Putin's Sharm el-Sheikh talks don't end.");
    expect(words.map((w) => w.surface)).toEqual([
      'The',
      'U.S.',
      'and',
      "Putin's",
      'Sharm',
      'el-Sheikh',
      'talks',
      "don't",
      'end',
    ]);
    expect(words.find((w) => w.surface === "Putin's")?.norm).toBe('putin');
    expect(words.every((w, i, all) => i === 0 || w.start >= (all[i - 1]?.end ?? 0))).toBe(true);
  });

  it('stem plurals only, predictably', () => {
    expect(['summits', 'policies', 'taxes', 'analysis', 'bus', 'news'].map(stem)).toEqual([
      'summit',
      'policy',
      'tax',
      'analysis',
      'bus',
      'new',
    ]);
  });

  it('leave stopwords and bare numbers out of content stems', () => {
    expect(contentStems('The 12 summits of the year were held in Geneva')).toEqual([
      'summit',
      'held',
      'geneva',
    ]);
  });

  it('measure overlap of word 3-shingles', () => {
    const a = shingles('the committee met in Geneva on Tuesday');
    expect(jaccard(a, shingles('the committee met in Geneva on Tuesday'))).toBe(1);
    expect(jaccard(a, shingles('a different sentence entirely about trade'))).toBe(0);
  });
});
