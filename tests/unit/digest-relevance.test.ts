import { describe, expect, it } from 'vitest';
import type { Article } from '../../functions/core/content/article.ts';
import { articlePassages } from '../../functions/core/digest/passages.ts';
import { dominantTheme, scoreThemes } from '../../functions/core/digest/relevance.ts';
import { HEADING_BOOST } from '../../functions/core/digest/scoring.ts';

const themes = [
  { id: 'press', title: 'Briefings', description: 'Briefings.', terms: ['press conference'] },
  { id: 'trade', title: 'Duties', description: 'Duties.', terms: ['tariff'] },
];

function article(sections: { heading: string | null; paragraphs: string[] }[]): Article {
  return {
    id: 'a',
    file: 'a.md',
    format: 'markdown',
    title: 'A',
    titleDerived: false,
    author: null,
    views: null,
    date: null,
    url: null,
    tags: [],
    sections: sections.map((s) => ({
      heading: s.heading,
      blocks: s.paragraphs.map((text) => ({ type: 'paragraph', text })),
    })),
    words: 100,
    readingMinutes: 1,
  };
}

describe('BM25 relevance', () => {
  it('matches a phrase inside a sentence but never across two', () => {
    const passages = articlePassages(
      article([
        {
          heading: null,
          paragraphs: ['The press conference ended.', 'They met the press. Conference rooms were full.'],
        },
      ]),
    );
    const scores = scoreThemes(passages, themes);
    expect(scores.get('a#0')?.get('press')).toBeGreaterThan(0);
    expect(scores.get('a#1')?.get('press') ?? 0).toBe(0);
  });

  it('counts a heading word as several words of text, and plurals as their word', () => {
    const passages = articlePassages(
      article([
        { heading: 'Tariff', paragraphs: ['A quiet week.'] },
        {
          heading: null,
          paragraphs: [
            `${Array.from({ length: HEADING_BOOST }, () => 'Tariffs').join(' ')}.`,
            'One tariff rose.',
          ],
        },
      ]),
    );
    const scores = scoreThemes(passages, themes);
    const [inHeading, inText, once] = ['a#0', 'a#1', 'a#2'].map((k) => scores.get(k)?.get('trade') ?? 0);
    expect(inHeading).toBeGreaterThan(once ?? 0);
    expect(inText).toBeGreaterThan(once ?? 0);
    expect(scores.get('a#0')?.get('press') ?? 0).toBe(0);
  });

  it("needs one of a theme's terms, or two words of its title and description, never one alone", () => {
    const opera = [
      {
        id: 'opera',
        title: 'Opera & Classical Music',
        description: 'Orchestras and singers.',
        terms: ['soprano'],
      },
    ];
    const passages = articlePassages(
      article([
        {
          heading: null,
          paragraphs: [
            'The market square was full of families and music.',
            'The orchestra played music all night.',
            'A soprano sang.',
          ],
        },
      ]),
    );
    const scores = scoreThemes(passages, opera);
    expect(scores.get('a#0')?.get('opera') ?? 0).toBe(0);
    expect(scores.get('a#1')?.get('opera')).toBeGreaterThan(0);
    expect(scores.get('a#2')?.get('opera')).toBeGreaterThan(0);
  });

  it('names the theme a group of passages says most about, with its share', () => {
    const passages = articlePassages(
      article([{ heading: null, paragraphs: ['A tariff, a tariff and a press conference.'] }]),
    );
    const { theme, share } = dominantTheme(passages, scoreThemes(passages, themes));
    expect(theme).toBe('trade');
    expect(share).toBeGreaterThan(0.5);
    expect(share).toBeLessThan(1);
  });
});
