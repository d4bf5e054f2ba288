import { describe, expect, it } from 'vitest';
import { boundaryCandidates } from '../../functions/core/text/sentences.ts';
import { seededRandom as random } from '../support/seeded-random.ts';

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
      let text = '';
      for (let j = 1 + Math.floor(next() * 24); j > 0; j--)
        text += alphabet[Math.floor(next() * alphabet.length)];
      expect(boundaryCandidates(text), JSON.stringify(text)).toEqual(byRegex(text));
    }
  });
});
