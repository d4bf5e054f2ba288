import { describe, expect, it } from 'vitest';
import type { Candidate } from '../../functions/core/digest/candidates.ts';
import { addInto, dot, tfidfVectors, WordIds } from '../../functions/core/digest/vectors.ts';
import { contentStems } from '../../functions/core/text/words.ts';

function candidate(articleId: string, text: string): Candidate {
  return {
    articleId,
    passages: [{ stems: contentStems(text), names: [] }],
  } as unknown as Candidate;
}

describe('word vectors', () => {
  const candidates = [
    candidate('a', 'The ferry terminal opened at the harbour after years of delay.'),
    candidate('b', 'A new ferry terminal opened at the harbour on Monday.'),
    candidate('c', 'The orchestra played a new symphony at the concert hall.'),
  ];

  it('are unit length, alike for two reports of one thing and unlike for another subject', () => {
    const words = new WordIds();
    const [[a, b, c] = []] = tfidfVectors(candidates, words, { minArticles: 1 });
    if (!a || !b || !c) throw new Error('three vectors expected');
    expect(dot(a, a)).toBeCloseTo(1, 6);
    expect(dot(a, b)).toBeGreaterThan(0.3);
    expect(dot(a, c)).toBeLessThan(dot(a, b));
  });

  it('leave out words one article uses when two must share them', () => {
    const words = new WordIds();
    const [[a] = []] = tfidfVectors(candidates, words, { minArticles: 2 });
    const used = [...(a?.ids ?? [])].map((id) => words.words[id]);
    expect(used).toContain(contentStems('ferry')[0]);
    expect(used).not.toContain(contentStems('delay')[0]);
  });

  it('give a group sum whose dot with another vector is the sum of the dots', () => {
    const words = new WordIds();
    const [[a, b, c] = []] = tfidfVectors(candidates, words, { minArticles: 1 });
    if (!a || !b || !c) throw new Error('three vectors expected');
    const sum = addInto(addInto(new Map(), a), b);
    expect(dot(sum, c)).toBeCloseTo(dot(a, c) + dot(b, c), 6);
    expect(dot(c, sum)).toBeCloseTo(dot(sum, c), 6);
    expect(dot(sum, sum)).toBeCloseTo(2 + 2 * dot(a, b), 6);
  });
});
