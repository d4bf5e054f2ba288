import { describe, expect, it } from 'vitest';
import { learnCities, PlaceFinder } from '../../functions/core/text/places.ts';
import {
  StemNumbering,
  tokenise,
  tokeniseWords,
  WordStore,
  Words,
} from '../../functions/core/text/tokens.ts';

const TEXTS = [
  "The U.S.-led order, Putin's view and America’s allies don't agree.",
  'Höfði House, naïve café: talks in Helsinki, Finland, in July 2018 (G20).',
  '',
  'a.m. and p.m. — 3 sanctions, SANCTIONS and Sanctions’',
];

function viewOf(words: Words) {
  return Array.from({ length: words.length }, (_, i) => ({
    surface: words.form(i)?.surface,
    stem: words.form(i)?.stem,
    start: words.start(i),
    end: words.end(i),
  }));
}

function tokensOf(text: string) {
  return tokenise(text).map((t) => ({ surface: t.surface, stem: t.stem, start: t.offset, end: t.end }));
}

describe('compact words', () => {
  it('give the same words and offsets as tokenise', () => {
    for (const text of TEXTS) expect(viewOf(tokeniseWords(text))).toEqual(tokensOf(text));
  });

  it('keep each text apart when many share one store', () => {
    const store = new WordStore(2);
    const views = TEXTS.map((text) => store.add(text));
    views.forEach((words, n) => {
      expect(viewOf(words)).toEqual(tokensOf(TEXTS[n] ?? ''));
    });
    const first = views[0];
    expect(first?.form(-1)).toBeUndefined();
    expect(first?.form(first.length)).toBeUndefined();
    expect(first?.start(first.length)).toBe(-1);
    expect(first?.end(-1)).toBe(-1);
  });

  it('find the same places as tokens do', () => {
    const texts = [
      'They met in Helsinki, Finland, in July 2018.',
      'Later, in Helsinki, the press waited; the U.S.-led order met in Reykjavik and at Camp David.',
    ];
    const finder = new PlaceFinder(learnCities(texts.map((text) => ({ text, tokens: tokenise(text) }))));
    const store = new WordStore();
    const fromWords = new PlaceFinder(learnCities(texts.map((text) => ({ text, tokens: store.add(text) }))));
    for (const text of texts) {
      expect(fromWords.find(text, tokeniseWords(text))).toEqual(finder.find(text, tokenise(text)));
      expect(finder.find(text, Words.of(tokenise(text)))).toEqual(finder.find(text, tokenise(text)));
    }
  });
});

describe('word forms', () => {
  it('are found again by their spelling however many forms are known', () => {
    const text = Array.from({ length: 12_000 }, (_, i) => `Word${i} w${i}s`).join(' ');
    const first = tokenise(text);
    const second = tokenise(text);
    expect(second.map((t) => t.surface)).toEqual(first.map((t) => t.surface));
    expect(second.map((t) => t.stem)).toEqual(first.map((t) => t.stem));
    expect(first.slice(0, 4).map((t) => [t.surface, t.stem, t.capitalised])).toEqual([
      ['Word0', 'word0', true],
      ['w0s', 'w0s', false],
      ['Word1', 'word1', true],
      ['w1s', 'w1s', false],
    ]);
    expect(second.every((t, i) => t.info === first[i]?.info)).toBe(true);
  });
});

describe('stem numbering', () => {
  it('gives one number per stem, in the order stems are first asked for', () => {
    const numbering = new StemNumbering();
    const words = tokeniseWords('Sanctions on sanctions, a sanction; Talks');
    const numbers = Array.from({ length: words.length }, (_, i) => words.stemNumber(i, numbering));
    expect(numbers).toEqual([0, 1, 0, 2, 0, 3]);
    expect(numbering.names).toEqual(['sanction', 'on', 'a', 'talk']);
    expect(numbering.of('@helsinki@2018')).toBe(4);
  });

  it('does not carry numbers from one numbering into another', () => {
    const first = new StemNumbering();
    first.of('other');
    const words = tokeniseWords('sanctions');
    expect(words.stemNumber(0, first)).toBe(1);
    const second = new StemNumbering();
    expect(words.stemNumber(0, second)).toBe(0);
    expect(words.stemNumber(0, first)).toBe(1);
  });
});
