import { describe, expect, it } from 'vitest';
import { findDates } from '../../functions/core/text/dates.ts';
import { learnCities, PlaceFinder } from '../../functions/core/text/places.ts';
import { jaccard, sentenceSimilarity, wordShingles } from '../../functions/core/text/shingles.ts';
import { stem, tokenise } from '../../functions/core/text/tokens.ts';

describe('tokenise', () => {
  it('reads initialisms, possessives and inner apostrophes as one word each', () => {
    const tokens = tokenise("The U.S.-led order, Putin's view and America’s allies don't agree.");
    expect(tokens.map((t) => t.surface)).toEqual([
      'The',
      'US',
      'led',
      'order',
      'Putin',
      'view',
      'and',
      'America',
      'allies',
      "don't",
      'agree',
    ]);
    expect(tokens[1]).toMatchObject({ norm: 'us', capitalised: true, offset: 4, end: 8 });
  });

  it('handles letters beyond ASCII', () => {
    expect(tokenise('Höfði House, naïve café').map((t) => t.norm)).toEqual([
      'höfði',
      'house',
      'naïve',
      'café',
    ]);
  });

  it('strips plurals so theme terms match their plural forms', () => {
    expect(['sanctions', 'allies', 'summits', 'crises', 'press', 'status', 'analysis'].map(stem)).toEqual([
      'sanction',
      'ally',
      'summit',
      'crise',
      'press',
      'status',
      'analysis',
    ]);
  });
});

describe('word shingles', () => {
  it('measures word-3-shingle Jaccard similarity', () => {
    expect(wordShingles('a b c d').size).toBe(2);
    expect(jaccard(new Set(['x', 'y']), new Set(['y', 'z']))).toBeCloseTo(1 / 3);
    expect(sentenceSimilarity('The talks lasted two hours.', 'The talks lasted two hours.')).toBe(1);
    expect(sentenceSimilarity('The talks lasted two hours.', 'Sanctions were imposed in April.')).toBe(0);
  });
});

describe('findDates', () => {
  it('reads month-year, day-month-year and month-day-year dates', () => {
    const dates = findDates('It began in July 2018, resumed on 2 August 2019 and ended Nov. 11, 2020.');
    expect(dates.map((d) => [d.when, d.sortKey, d.precision])).toEqual([
      ['July 2018', '2018-07', 'month'],
      ['2 August 2019', '2019-08-02', 'day'],
      ['11 November 2020', '2020-11-11', 'day'],
    ]);
  });

  it('tells a year that places an event from a year that names a thing', () => {
    const [inYear, named, parenthesised, treaty] = findDates(
      'They met in 2017 to discuss the 2016 election. Hamburg (2017) mattered; the Treaty of 1987 too.',
    );
    expect(inYear).toMatchObject({ when: '2017', event: true });
    expect(named).toMatchObject({ when: '2016', event: false });
    expect(parenthesised).toMatchObject({ when: '2017', event: true });
    expect(treaty).toMatchObject({ when: '1987', event: false });
  });
});

describe('places', () => {
  const sentences = [
    'They met in Helsinki, Finland, in July 2018.',
    'Later, in Helsinki, the press waited.',
  ].map((text) => ({ text, tokens: tokenise(text) }));
  const finder = new PlaceFinder(learnCities(sentences));

  it('learns cities from "City, Country" and finds them alone afterwards', () => {
    const [first, second] = sentences;
    expect(finder.find(first?.text ?? '', first?.tokens ?? []).map((p) => p.name)).toEqual([
      'Helsinki, Finland',
    ]);
    expect(finder.find(second?.text ?? '', second?.tokens ?? [])).toMatchObject([
      { name: 'Helsinki, Finland', city: 'Helsinki', country: 'Finland' },
    ]);
  });

  it('does not take a country used as an adjective for a place', () => {
    const text = 'The U.S.-led order and US-Russia relations shaped talks in the U.S. and in Reykjavik.';
    expect(finder.find(text, tokenise(text)).map((p) => p.name)).toEqual(['United States', 'Reykjavik']);
  });
});
