import { describe, expect, it } from 'vitest';
import { HEADING_BOOST, scoreThemes, type ThemeQuery } from '../../functions/core/digest/relevance.ts';

const stems = (text: string) => text.split(' ').map((stem) => ({ stem }));
const queries: ThemeQuery[] = [
  { themeId: 'press', terms: [{ stems: ['press', 'conference'], weight: 1 }] },
  { themeId: 'trade', terms: [{ stems: ['tariff'], weight: 1 }] },
];

describe('BM25 relevance', () => {
  it('matches a phrase inside a sentence but never across two', () => {
    const [inside, across] = scoreThemes(
      queries,
      [
        { sentences: [stems('the press conference ended')], headingStems: [], length: 3 },
        { sentences: [stems('they met the press'), stems('conference room')], headingStems: [], length: 4 },
      ],
      3.5,
    );
    expect(inside?.press).toBeGreaterThan(0);
    expect(across?.press).toBe(0);
  });

  it('counts a heading word as several words of text', () => {
    const [inHeading, inText, once] = scoreThemes(
      queries,
      [
        { sentences: [stems('a quiet week')], headingStems: stems('tariff'), length: 3 },
        {
          sentences: [Array.from({ length: HEADING_BOOST }, () => ({ stem: 'tariff' }))],
          headingStems: [],
          length: 3,
        },
        { sentences: [stems('one tariff rose')], headingStems: [], length: 3 },
      ],
      3,
    );
    expect(inHeading?.trade).toBe(inText?.trade);
    expect(inHeading?.trade).toBeGreaterThan(once?.trade ?? 0);
    expect(inHeading?.press).toBe(0);
  });
});
