import { describe, expect, it } from 'vitest';
import { boundaryCandidates, endsAfterWord, splitSentences } from '../../functions/core/text/sentences.ts';
import { seededRandom as random, randomText } from '../support/seeded-random.ts';

/** The definition the scanner implements: terminators, closing marks, space, then a look at what follows. */
const BOUNDARY = /([.!?…]+)(["'”’»)\]]*)(\s+)(?=["'“‘«([]*(\S))/gu;

function byRegex(text: string): [number, number, string][] {
  return [...text.matchAll(BOUNDARY)].map((m) => [m.index, m.index + m[0].length, m[4] ?? '']);
}

describe('sentence boundary candidates', () => {
  it.each([
    'He left. She stayed.',
    'Wait... what?! "Yes." (Really.) [Sure.] «Oui.» ‘Quote.’ “Q.” A',
    'x.\u00a0Y and z.\u2028W then q.\u3000Z',
    'Ends with space. ',
    'Ends with a quote. "',
    'Astral. 𝐀 next',
    'No boundary here',
  ])('agree with the regular expression on %j', (text) => {
    expect(boundaryCandidates(text)).toEqual(byRegex(text));
  });

  it('agree with the regular expression on 20,000 random texts of tricky characters', () => {
    const next = random(7);
    const alphabet = [
      'a',
      'B',
      '.',
      '!',
      '?',
      '…',
      '"',
      "'",
      '”',
      '’',
      '»',
      ')',
      ']',
      '“',
      '‘',
      '«',
      '(',
      '[',
      ' ',
      ' ',
      '\n',
      '\u00a0',
      '1',
      '𝐀',
    ];
    for (let i = 0; i < 20_000; i++) {
      const text = randomText(next, alphabet, 1, 24);
      expect(boundaryCandidates(text), JSON.stringify(text)).toEqual(byRegex(text));
    }
  });
});

/**
 * Sentence splitting written plainly, by regular expressions on the word before each terminator, with
 * the rules for that word taken from `endsAfterWord`: what `splitSentences` decides from character codes
 * where it can.
 */
function splitByRules(text: string): string[] {
  const sentences: string[] = [];
  let start = 0;
  for (const [at, nextStart, first] of boundaryCandidates(text)) {
    let spaceAt = at;
    while (spaceAt < text.length && /[.!?…"'”’»)\]]/u.test(text[spaceAt] ?? '')) spaceAt++;
    let ends = /[\p{Lu}\p{N}]/u.test(first);
    if (ends && text.slice(at, at + 2).match(/^\.(?![.!?…])/u)) {
      let wordStart = at;
      while (wordStart > 0 && !/\s|["'“‘([]/u.test(text[wordStart - 1] ?? ' ')) wordStart--;
      ends = endsAfterWord(text, wordStart, at, nextStart);
    }
    if (!ends) continue;
    const sentence = text.slice(start, spaceAt).trim();
    if (sentence !== '') sentences.push(sentence);
    start = nextStart;
  }
  const rest = text.slice(start).trim();
  if (rest !== '') sentences.push(rest);
  return sentences;
}

const NEVER_FINAL_SAMPLE = ['mr', 'dr', 'st', 'gen', 'jan', 'sept', 'messrs', 'approx', 'no', 'v'];

describe('sentence splitting', () => {
  it('agrees with the rules written as regular expressions on 20,000 random texts', () => {
    const next = random(11);
    const words = [
      ...NEVER_FINAL_SAMPLE,
      ...NEVER_FINAL_SAMPLE.map((w) => w[0]?.toUpperCase() + w.slice(1)),
      'inc',
      'co',
      'etc',
      'The',
      'It',
      'But',
      'U.S',
      'e.g',
      'A',
      'x',
      'summit',
      'Helsinki',
      'Reykjavík',
      'Zürich',
      'naïveté',
      'MESSRS',
      '—Mr',
      '(Gen',
      '"Dr',
      '2018',
      '1.5',
      'İstanbul',
      'Straße',
      '𝐀bc',
      'meetings',
      'sanctioned',
    ];
    const after = ['.', '. ', '.  ', '! ', '? ', '." ', '.) ', ' ', ' ', ', ', '.\n', '… '];
    for (let i = 0; i < 20_000; i++) {
      let text = '';
      for (let j = 1 + Math.floor(next() * 10); j > 0; j--)
        text +=
          (words[Math.floor(next() * words.length)] ?? '') + (after[Math.floor(next() * after.length)] ?? '');
      expect(splitSentences(text), JSON.stringify(text)).toEqual(splitByRules(text));
    }
  });
});
